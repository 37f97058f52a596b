#pragma once

#include "gui/client/command.h"
#include "gui/client/resourcetype.h"

#include <QMap>

namespace pilot::gui {

/// Identifies the object a command acts on.
struct ObjectRef {
    ResourceType type;
    QString namespaceName;
    QString name;

    [[nodiscard]] QString path() const { return type.objectPath(namespaceName, name); }
    [[nodiscard]] QString display() const;
};

/// Sets spec.replicas through the scale subresource (Deployments, StatefulSets, ReplicaSets,
/// custom resources with a scale subresource).
class ScaleCommand : public Command {
    Q_OBJECT
public:
    ScaleCommand(KubeClient* client, ObjectRef ref, int replicas, QObject* parent = nullptr);
    void start() override;
    [[nodiscard]] QString description() const override;

private:
    ObjectRef m_ref;
    int m_replicas;
};

/// Restarts a workload's pods as `kubectl rollout restart` does: the pod template gets the
/// `kubectl.kubernetes.io/restartedAt` annotation set to now.
class RestartCommand : public Command {
    Q_OBJECT
public:
    RestartCommand(KubeClient* client, ObjectRef ref, QObject* parent = nullptr);
    void start() override;
    [[nodiscard]] QString description() const override;

    /// The patch body for a given time (for tests).
    [[nodiscard]] static QByteArray patchFor(const ResourceType& type, const QDateTime& now);

private:
    ObjectRef m_ref;
};

/// Changes one container's image (`kubectl set image`), in the pod template of a workload or in
/// a pod.
class SetImageCommand : public Command {
    Q_OBJECT
public:
    SetImageCommand(KubeClient* client, ObjectRef ref, QString container, QString image,
                    QObject* parent = nullptr);
    void start() override;
    [[nodiscard]] QString description() const override;

private:
    ObjectRef m_ref;
    QString m_container;
    QString m_image;
};

/// Pauses or resumes a rollout (Deployment spec.paused) or a schedule (CronJob/Job
/// spec.suspend).
class PauseCommand : public Command {
    Q_OBJECT
public:
    PauseCommand(KubeClient* client, ObjectRef ref, bool pause, QObject* parent = nullptr);
    void start() override;
    [[nodiscard]] QString description() const override;

private:
    ObjectRef m_ref;
    bool m_pause;
};

/// Deletes objects (background propagation, like kubectl). Succeeds when every delete was
/// accepted (or the object was already gone).
class DeleteCommand : public Command {
    Q_OBJECT
public:
    DeleteCommand(KubeClient* client, QList<ObjectRef> refs, QObject* parent = nullptr);
    void start() override;
    [[nodiscard]] QString description() const override;

private:
    QList<ObjectRef> m_refs;
    int m_done = 0;
    QStringList m_errors;
};

/// Replaces an object's labels: keys missing from `labels` are removed (merge patch with nulls).
class SetLabelsCommand : public Command {
    Q_OBJECT
public:
    SetLabelsCommand(KubeClient* client, ObjectRef ref, QMap<QString, QString> oldLabels,
                     QMap<QString, QString> labels, QObject* parent = nullptr);
    void start() override;
    [[nodiscard]] QString description() const override;

    [[nodiscard]] static QByteArray patchFor(const QMap<QString, QString>& oldLabels,
                                             const QMap<QString, QString>& labels);

private:
    ObjectRef m_ref;
    QMap<QString, QString> m_old;
    QMap<QString, QString> m_new;
};

} // namespace pilot::gui
