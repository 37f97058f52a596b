#include "gui/views/welcomeview.h"

#include "gui/models/health.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace pilot::gui {

WelcomeView::WelcomeView(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("welcome"));
    auto* layout = new QVBoxLayout(this);
    layout->addStretch(1);
    m_title = new QLabel(this);
    QFont font = m_title->font();
    font.setPointSizeF(font.pointSizeF() * 1.6);
    font.setBold(true);
    m_title->setFont(font);
    m_title->setAlignment(Qt::AlignCenter);
    m_text = new QLabel(this);
    m_text->setObjectName(QStringLiteral("welcomeText"));
    m_text->setWordWrap(true);
    m_text->setAlignment(Qt::AlignCenter);
    // A fixed width gives the wrapped text its real height (a word-wrapped label aligned in a
    // layout otherwise gets the height of a wider line and is clipped).
    m_text->setFixedWidth(520);
    layout->addWidget(m_title);
    layout->addSpacing(8);
    layout->addWidget(m_text, 0, Qt::AlignHCenter);
    layout->addSpacing(16);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch();
    m_startLocal = new QPushButton(this);
    m_startLocal->setObjectName(QStringLiteral("startLocalCluster"));
    m_startLocal->setDefault(true);
    m_startLocal->setMinimumHeight(34);
    m_openFile = new QPushButton(this);
    m_openFile->setObjectName(QStringLiteral("openKubeconfig"));
    m_openFile->setMinimumHeight(34);
    buttons->addWidget(m_startLocal);
    buttons->addWidget(m_openFile);
    buttons->addStretch();
    layout->addLayout(buttons);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("localStatus"));
    m_status->setAlignment(Qt::AlignCenter);
    m_status->setWordWrap(true);
    layout->addSpacing(8);
    layout->addWidget(m_status);
    layout->addStretch(2);
    connect(m_startLocal, &QPushButton::clicked, this, &WelcomeView::startLocalRequested);
    connect(m_openFile, &QPushButton::clicked, this, &WelcomeView::openFileRequested);
    retranslate();
}

void WelcomeView::setHasContexts(bool hasContexts) {
    m_hasContexts = hasContexts;
    retranslate();
}

void WelcomeView::setLocalStatus(const QString& text, bool error) {
    m_status->setText(text);
    m_status->setStyleSheet(
        error ? QStringLiteral("QLabel { color: %1; }").arg(healthColor(Health::Error).name())
              : QString());
}

void WelcomeView::setLocalStartEnabled(bool enabled) {
    m_startLocal->setEnabled(enabled);
}

QString WelcomeView::localStatus() const {
    return m_status->text();
}

void WelcomeView::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) {
        retranslate();
    }
    QWidget::changeEvent(event);
}

void WelcomeView::retranslate() {
    m_title->setText(tr("Welcome to Pilothouse"));
    m_text->setText(m_hasContexts
                        ? tr("Choose a cluster on the left and press Open (or double-click it). "
                             "Several clusters can be open at once.")
                        : tr("No kubeconfig was found. Start a local cluster on this computer, "
                             "or open a kubeconfig file to manage an existing cluster."));
    // Wrapped text in an aligned layout item gets the height of one line unless told.
    m_text->setMinimumHeight(m_text->heightForWidth(m_text->width()));
    m_startLocal->setText(tr("Start a local cluster"));
    m_openFile->setText(tr("Open a kubeconfig file…"));
}

} // namespace pilot::gui
