#include "gui/views/draindialog.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace pilot::gui {

DrainDialog::DrainDialog(KubeClient* client, const QString& node, QWidget* parent)
    : QDialog(parent), m_client(client), m_node(node) {
    setObjectName(QStringLiteral("drainDialog"));
    setWindowTitle(tr("Drain node %1").arg(node));
    setMinimumWidth(520);
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("Draining marks the node unschedulable and evicts its pods. "
                                "Evictions respect PodDisruptionBudgets and wait when a budget "
                                "does not allow them yet."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    m_ignoreDaemonSets = new QCheckBox(tr("Ignore DaemonSet pods"), this);
    m_ignoreDaemonSets->setObjectName(QStringLiteral("ignoreDaemonSets"));
    m_ignoreDaemonSets->setChecked(true);
    m_force = new QCheckBox(tr("Also evict pods that no controller manages"), this);
    m_force->setObjectName(QStringLiteral("force"));
    layout->addWidget(m_ignoreDaemonSets);
    layout->addWidget(m_force);
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("drainProgress"));
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setFormat(tr("%v of %m pods"));
    layout->addWidget(m_progress);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("drainStatus"));
    m_status->setWordWrap(true);
    layout->addWidget(m_status);
    m_log = new QPlainTextEdit(this);
    m_log->setObjectName(QStringLiteral("drainLog"));
    m_log->setReadOnly(true);
    m_log->setMinimumHeight(120);
    layout->addWidget(m_log);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch();
    m_start = new QPushButton(tr("Drain"), this);
    m_start->setObjectName(QStringLiteral("startDrain"));
    m_start->setDefault(true);
    m_close = new QPushButton(tr("Close"), this);
    m_close->setObjectName(QStringLiteral("closeDrain"));
    buttons->addWidget(m_start);
    buttons->addWidget(m_close);
    layout->addLayout(buttons);
    connect(m_start, &QPushButton::clicked, this, &DrainDialog::startDrain);
    connect(m_close, &QPushButton::clicked, this, [this] {
        if (m_command && !m_command->isFinished()) {
            m_command->cancel();
        }
        accept();
    });
}

bool DrainDialog::isRunning() const {
    return m_command && !m_command->isFinished();
}

QString DrainDialog::log() const {
    return m_log->toPlainText();
}

void DrainDialog::startDrain() {
    if (isRunning() || !m_client) {
        return;
    }
    DrainCommand::Options options;
    options.ignoreDaemonSets = m_ignoreDaemonSets->isChecked();
    options.force = m_force->isChecked();
    m_command = new DrainCommand(m_client, m_node, options, this);
    m_start->setEnabled(false);
    m_ignoreDaemonSets->setEnabled(false);
    m_force->setEnabled(false);
    m_succeeded = false;
    connect(m_command, &Command::progress, this,
            [this](int done, int total, const QString& message) {
                m_progress->setRange(0, std::max(total, 1));
                m_progress->setValue(total == 0 ? 0 : done);
                m_status->setText(message);
                m_log->appendPlainText(message);
            });
    connect(m_command, &Command::finished, this, [this](bool ok, const QString& error) {
        m_succeeded = ok;
        if (ok) {
            m_progress->setValue(m_progress->maximum());
            m_status->setText(tr("Node %1 drained.").arg(m_node));
        } else {
            m_status->setText(tr("Drain failed: %1").arg(error));
            m_start->setEnabled(true);
        }
        m_log->appendPlainText(m_status->text());
        Q_EMIT drainFinished(ok, error);
    });
    m_command->start();
}

} // namespace pilot::gui
