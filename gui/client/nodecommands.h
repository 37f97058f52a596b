#pragma once

#include "gui/client/command.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QTimer>

#include <expected>

namespace pilot::gui {

/// Marks a node unschedulable (cordon) or schedulable again (uncordon).
class CordonCommand : public Command {
    Q_OBJECT
public:
    CordonCommand(KubeClient* client, QString node, bool cordon, QObject* parent = nullptr);
    void start() override;
    [[nodiscard]] QString description() const override;

private:
    QString m_node;
    bool m_cordon;
};

/// A node taint.
struct Taint {
    QString key;
    QString value;
    QString effect; ///< NoSchedule, PreferNoSchedule, NoExecute.

    bool operator==(const Taint& other) const = default;
};

/// Replaces a node's taints; the node's resourceVersion guards against concurrent edits
/// (a conflict fails the command).
class SetTaintsCommand : public Command {
    Q_OBJECT
public:
    SetTaintsCommand(KubeClient* client, QString node, QString resourceVersion, QList<Taint> taints,
                     QObject* parent = nullptr);
    void start() override;
    [[nodiscard]] QString description() const override;

    [[nodiscard]] static QList<Taint> taintsOf(const QJsonObject& node);

private:
    QString m_node;
    QString m_resourceVersion;
    QList<Taint> m_taints;
};

/// `kubectl drain`: cordons the node, then evicts its pods through pods/eviction (which honours
/// PodDisruptionBudgets: a 429 is retried every few seconds) and waits until each is gone.
/// DaemonSet pods and mirror pods stay; pods without a controller are refused unless `force`.
/// Progress reports pods gone out of pods to evict.
class DrainCommand : public Command {
    Q_OBJECT
public:
    struct Options {
        bool ignoreDaemonSets = true;
        bool force = false;
        int retryIntervalMs = 5000; ///< After a 429 (PDB) or while waiting for a pod to go.
        int pollIntervalMs = 1000;
        int timeoutMs = 0; ///< 0: no limit.
    };

    DrainCommand(KubeClient* client, QString node, Options options, QObject* parent = nullptr);
    void start() override;
    [[nodiscard]] QString description() const override;
    void cancel();

    /// Which of these pods a drain evicts, or an error naming the pods that block it.
    [[nodiscard]] static std::expected<QList<QJsonObject>, QString>
    podsToEvict(const QJsonArray& pods, const Options& options);

private:
    struct Pending {
        QString ns;
        QString name;
        QString uid;
        bool evicted = false;
    };
    void listPods();
    void evict(int index);
    void waitGone(int index);
    void podGone();

    QString m_node;
    Options m_options;
    QList<Pending> m_pods;
    int m_gone = 0;
    QTimer m_deadline;
};

} // namespace pilot::gui
