#include "gui/views/connectionbanner.h"

#include "gui/models/clustersession.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

namespace pilot::gui {

ConnectionBanner::ConnectionBanner(QWidget* parent) : QFrame(parent) {
    setObjectName(QStringLiteral("connectionBanner"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    QPalette p = palette();
    p.setColor(QPalette::Window, QColor(0xfd, 0xed, 0xce));
    p.setColor(QPalette::WindowText, QColor(0x5c, 0x3c, 0x00));
    setPalette(p);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 6, 10, 6);
    m_text = new QLabel(this);
    m_text->setObjectName(QStringLiteral("connectionBannerText"));
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_reconnect = new QPushButton(this);
    m_reconnect->setObjectName(QStringLiteral("reconnectButton"));
    layout->addWidget(m_text, 1);
    layout->addWidget(m_reconnect);
    connect(m_reconnect, &QPushButton::clicked, this, [this] {
        if (m_session) {
            m_session->reconnectNow();
        }
    });
    retranslate();
    hide();
}

void ConnectionBanner::setSession(ClusterSession* session) {
    disconnect(m_connection);
    m_session = session;
    if (session) {
        m_connection =
            connect(session, &ClusterSession::connectionChanged, this, &ConnectionBanner::update);
    }
    update();
}

QString ConnectionBanner::message() const {
    return m_text->text();
}

void ConnectionBanner::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) {
        retranslate();
    }
    QFrame::changeEvent(event);
}

void ConnectionBanner::retranslate() {
    m_reconnect->setText(tr("Reconnect now"));
    update();
}

void ConnectionBanner::update() {
    bool down = m_session && m_session->connection() == ClusterSession::Connection::Disconnected;
    if (down) {
        QString error = m_session->connectionError();
        m_text->setText(tr("Cannot reach cluster %1. Showing the last data received; reconnecting "
                           "automatically.")
                            .arg(m_session->name()) +
                        (error.isEmpty() ? QString() : QStringLiteral("\n") + error));
    }
    setVisible(down);
}

} // namespace pilot::gui
