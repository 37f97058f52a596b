#include "tests/gui/support/consoletest.h"

#include "tests/gui/support/engineinstance.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QHeaderView>
#include <QTableView>
#include <QTest>
#include <QToolBar>
#include <QTreeView>

namespace pilot::guitest {

SimNodes::~SimNodes() {
    stop();
}

bool SimNodes::start(const QString& kubeconfig, int count, const QString& prefix) {
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_process->start(QStringLiteral(PILOT_SIMNODES_BINARY),
                     {QStringLiteral("--kubeconfig"), kubeconfig, QStringLiteral("--count"),
                      QString::number(count), QStringLiteral("--prefix"), prefix});
    QByteArray out;
    bool ready = QTest::qWaitFor(
        [&] {
            out += m_process->readAllStandardOutput();
            return out.contains("ready ") || m_process->state() == QProcess::NotRunning;
        },
        30000);
    return ready && out.contains("ready ");
}

void SimNodes::stop() {
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->terminate();
        (void)QTest::qWaitFor([this] { return m_process->state() == QProcess::NotRunning; }, 10000);
    }
    m_process.reset();
}

AgentProcess::AgentProcess()
    : m_dir(std::make_unique<QTemporaryDir>()), m_process(std::make_unique<QProcess>()) {}

AgentProcess::~AgentProcess() {
    if (m_process->state() == QProcess::NotRunning) {
        return;
    }
    m_process->terminate();
    if (!QTest::qWaitFor([this] { return m_process->state() == QProcess::NotRunning; }, 20000)) {
        m_process->kill();
        (void)QTest::qWaitFor([this] { return m_process->state() == QProcess::NotRunning; }, 5000);
    }
}

bool AgentProcess::start(const QString& binary, const QString& kubeconfig, const QString& node) {
    m_process->setProcessChannelMode(QProcess::SeparateChannels);
    m_process->setStandardErrorFile(m_dir->filePath(QStringLiteral("agent.log")));
    m_process->start(binary,
                     {QStringLiteral("--kubeconfig"), kubeconfig, QStringLiteral("--node-name"),
                      node, QStringLiteral("--data-dir"), m_dir->filePath(QStringLiteral("data")),
                      QStringLiteral("--runtime"), QStringLiteral("process"),
                      QStringLiteral("--node-ip"), QStringLiteral("127.0.0.1"),
                      // Any free port: other tests' agents (the local cluster's) run beside it.
                      QStringLiteral("--port"), QStringLiteral("0"),
                      // No disk thresholds: a full test disk must not take the node's pods.
                      QStringLiteral("--eviction-hard"), QStringLiteral("memory.available<100Mi")});
    return QTest::qWaitFor(
               [this] {
                   m_stdout += m_process->readAllStandardOutput();
                   return m_stdout.contains("ready node=") ||
                          m_process->state() == QProcess::NotRunning;
               },
               30000) &&
           m_stdout.contains("ready node=");
}

void clickTreeItem(QTreeView* tree, const QModelIndex& index) {
    for (QModelIndex parent = index.parent(); parent.isValid(); parent = parent.parent()) {
        tree->expand(parent);
    }
    tree->scrollTo(index);
    QRect rect = tree->visualRect(index);
    QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, rect.center());
}

void doubleClickRow(QTableView* table, int row) {
    QModelIndex index = table->model()->index(row, 0);
    table->scrollTo(index);
    QPoint center = table->visualRect(index).center();
    // A double click is press/release/double-click; QTest's mouseDClick sends them.
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, center);
    QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, center);
}

void clickRow(QTableView* table, int row, Qt::KeyboardModifiers modifiers) {
    QModelIndex index = table->model()->index(row, 0);
    table->scrollTo(index);
    QTest::mouseClick(table->viewport(), Qt::LeftButton, modifiers,
                      table->visualRect(index).center());
}

void clickToolBarAction(QToolBar* toolBar, QAction* action) {
    QWidget* button = toolBar->widgetForAction(action);
    if (!button) {
        qWarning("no button for action %s", qPrintable(action->objectName()));
        return;
    }
    QTest::mouseClick(button, Qt::LeftButton);
}

void clickButton(QAbstractButton* button) {
    QTest::mouseClick(button, Qt::LeftButton);
}

QWidget* visibleTopLevel(const QString& objectName) {
    for (QWidget* widget : QApplication::topLevelWidgets()) {
        if (widget->isVisible() && widget->objectName() == objectName) {
            return widget;
        }
    }
    return nullptr;
}

QString saveScreenshot(QWidget* widget, const QString& name) {
    QString path = screenshotPath(name);
    widget->grab().save(path);
    return path;
}

QString writeFile(const QString& dir, const QString& name, const QByteArray& text) {
    QString path = QDir(dir).filePath(name);
    QFile file(path);
    if (file.open(QIODevice::WriteOnly)) {
        file.write(text);
    }
    return path;
}

} // namespace pilot::guitest
