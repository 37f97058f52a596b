#pragma once

#include "gui/client/nodecommands.h"

#include <QDialog>
#include <QPointer>

class QCheckBox;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

namespace pilot::gui {

/// Drains a node: the user picks the options and starts; the dialog then shows progress (pods
/// evicted of pods to evict, and each message, PodDisruptionBudget waits included) until the
/// drain succeeds or fails. Non-modal for the rest of the application; opened with open().
class DrainDialog : public QDialog {
    Q_OBJECT
public:
    DrainDialog(KubeClient* client, const QString& node, QWidget* parent = nullptr);

    [[nodiscard]] bool isRunning() const;
    [[nodiscard]] bool succeeded() const { return m_succeeded; }
    [[nodiscard]] QString log() const;
    /// Starts the drain (what the Drain button does).
    void startDrain();

Q_SIGNALS:
    void drainFinished(bool ok, const QString& error);

private:
    QPointer<KubeClient> m_client;
    QString m_node;
    QCheckBox* m_ignoreDaemonSets = nullptr;
    QCheckBox* m_force = nullptr;
    QProgressBar* m_progress = nullptr;
    QPlainTextEdit* m_log = nullptr;
    QLabel* m_status = nullptr;
    QPushButton* m_start = nullptr;
    QPushButton* m_close = nullptr;
    QPointer<DrainCommand> m_command;
    bool m_succeeded = false;
};

} // namespace pilot::gui
