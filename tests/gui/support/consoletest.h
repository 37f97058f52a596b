#pragma once

#include <QAbstractButton>
#include <QModelIndex>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

class QAction;
class QTableView;
class QToolBar;
class QTreeView;
class QWidget;

namespace pilot::guitest {

/// pilot-simnodes (simulated nodes that run bound pods) against a kubeconfig; start() waits for
/// its ready line.
class SimNodes {
public:
    ~SimNodes();
    [[nodiscard]] bool start(const QString& kubeconfig, int count,
                             const QString& prefix = QStringLiteral("sim-node-"));
    void stop();

private:
    std::unique_ptr<QProcess> m_process;
};

/// A real node agent (pilothouse-agent on the process runtime) for the node `node`; start()
/// waits for its ready line. Stopped (SIGTERM, then SIGKILL) with the object.
class AgentProcess {
public:
    AgentProcess();
    ~AgentProcess();
    [[nodiscard]] bool start(const QString& binary, const QString& kubeconfig, const QString& node);

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QProcess> m_process;
    QByteArray m_stdout;
};

/// Clicks a tree item like a user: expands its ancestors, scrolls it into view, clicks it.
void clickTreeItem(QTreeView* tree, const QModelIndex& index);
/// Double-clicks a table row (first column).
void doubleClickRow(QTableView* table, int row);
/// Clicks a table row (first column), with modifiers for multi-selection.
void clickRow(QTableView* table, int row, Qt::KeyboardModifiers modifiers = {});
/// Clicks the button a toolbar shows for `action`.
void clickToolBarAction(QToolBar* toolBar, QAction* action);
void clickButton(QAbstractButton* button);
/// The visible top-level widget (dialog, message box) with this object name, or nullptr.
[[nodiscard]] QWidget* visibleTopLevel(const QString& objectName);
/// Saves a screenshot of `widget` as <name>.png in the screenshot folder; returns the path.
QString saveScreenshot(QWidget* widget, const QString& name);
/// Writes `text` to a new file in `dir`; returns the path.
QString writeFile(const QString& dir, const QString& name, const QByteArray& text);

} // namespace pilot::guitest
