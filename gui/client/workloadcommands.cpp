#include "gui/client/workloadcommands.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace pilot::gui {

namespace {

const QByteArray MergePatch = QByteArrayLiteral("application/merge-patch+json");
const QByteArray StrategicPatch = QByteArrayLiteral("application/strategic-merge-patch+json");

QByteArray compact(const QJsonObject& object) {
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

/// Wraps `podSpecPart` (a piece of a pod's spec or metadata, keyed `spec`/`metadata`) in the
/// path where the kind keeps its pod template.
QJsonObject inPodTemplate(const ResourceType& type, const QJsonObject& podPart) {
    if (type.kind == QLatin1String("Pod")) {
        return podPart;
    }
    QJsonObject template_{{QStringLiteral("template"), podPart}};
    if (type.kind == QLatin1String("CronJob")) {
        QJsonObject jobSpec{{QStringLiteral("spec"), template_}};
        return {{QStringLiteral("spec"), QJsonObject{{QStringLiteral("jobTemplate"), jobSpec}}}};
    }
    return {{QStringLiteral("spec"), template_}};
}

} // namespace

QString ObjectRef::display() const {
    QString kind = type.kind.toLower();
    if (namespaceName.isEmpty()) {
        return kind + QLatin1Char(' ') + name;
    }
    return kind + QLatin1Char(' ') + namespaceName + QLatin1Char('/') + name;
}

ScaleCommand::ScaleCommand(KubeClient* client, ObjectRef ref, int replicas, QObject* parent)
    : Command(client, parent), m_ref(std::move(ref)), m_replicas(replicas) {}

void ScaleCommand::start() {
    QJsonObject patch{
        {QStringLiteral("spec"), QJsonObject{{QStringLiteral("replicas"), m_replicas}}}};
    client()->patch(m_ref.path() + QStringLiteral("/scale"), compact(patch), MergePatch, this,
                    [this](const ApiResponse& response) { finishWith(response); });
}

QString ScaleCommand::description() const {
    return tr("Scale %1 to %n replica(s)", nullptr, m_replicas).arg(m_ref.display());
}

RestartCommand::RestartCommand(KubeClient* client, ObjectRef ref, QObject* parent)
    : Command(client, parent), m_ref(std::move(ref)) {}

QByteArray RestartCommand::patchFor(const ResourceType& type, const QDateTime& now) {
    QJsonObject annotations{
        {QStringLiteral("kubectl.kubernetes.io/restartedAt"), now.toUTC().toString(Qt::ISODate)}};
    QJsonObject podPart{
        {QStringLiteral("metadata"), QJsonObject{{QStringLiteral("annotations"), annotations}}}};
    return compact(inPodTemplate(type, podPart));
}

void RestartCommand::start() {
    client()->patch(m_ref.path(), patchFor(m_ref.type, QDateTime::currentDateTimeUtc()),
                    StrategicPatch, this,
                    [this](const ApiResponse& response) { finishWith(response); });
}

QString RestartCommand::description() const {
    return tr("Restart %1").arg(m_ref.display());
}

SetImageCommand::SetImageCommand(KubeClient* client, ObjectRef ref, QString container,
                                 QString image, QObject* parent)
    : Command(client, parent), m_ref(std::move(ref)), m_container(std::move(container)),
      m_image(std::move(image)) {}

void SetImageCommand::start() {
    // Containers merge by name in a strategic merge patch, so only the named one changes.
    QJsonArray containers{
        QJsonObject{{QStringLiteral("name"), m_container}, {QStringLiteral("image"), m_image}}};
    QJsonObject podPart{
        {QStringLiteral("spec"), QJsonObject{{QStringLiteral("containers"), containers}}}};
    client()->patch(m_ref.path(), compact(inPodTemplate(m_ref.type, podPart)), StrategicPatch, this,
                    [this](const ApiResponse& response) { finishWith(response); });
}

QString SetImageCommand::description() const {
    return tr("Set image of container %1 in %2 to %3").arg(m_container, m_ref.display(), m_image);
}

PauseCommand::PauseCommand(KubeClient* client, ObjectRef ref, bool pause, QObject* parent)
    : Command(client, parent), m_ref(std::move(ref)), m_pause(pause) {}

void PauseCommand::start() {
    QString field = m_ref.type.kind == QLatin1String("Deployment") ? QStringLiteral("paused")
                                                                   : QStringLiteral("suspend");
    QJsonObject patch{{QStringLiteral("spec"), QJsonObject{{field, m_pause}}}};
    client()->patch(m_ref.path(), compact(patch), MergePatch, this,
                    [this](const ApiResponse& response) { finishWith(response); });
}

QString PauseCommand::description() const {
    return m_pause ? tr("Pause %1").arg(m_ref.display()) : tr("Resume %1").arg(m_ref.display());
}

DeleteCommand::DeleteCommand(KubeClient* client, QList<ObjectRef> refs, QObject* parent)
    : Command(client, parent), m_refs(std::move(refs)) {}

void DeleteCommand::start() {
    if (m_refs.isEmpty()) {
        succeed();
        return;
    }
    QJsonObject options{{QStringLiteral("kind"), QStringLiteral("DeleteOptions")},
                        {QStringLiteral("apiVersion"), QStringLiteral("v1")},
                        {QStringLiteral("propagationPolicy"), QStringLiteral("Background")}};
    for (const ObjectRef& ref : std::as_const(m_refs)) {
        client()->remove(
            ref.path(), this,
            [this, ref](const ApiResponse& response) {
                ++m_done;
                if (!response.ok() && response.status != 404) {
                    m_errors << ref.display() + QStringLiteral(": ") + response.error;
                }
                Q_EMIT progress(m_done, int(m_refs.size()), ref.display());
                if (m_done < m_refs.size()) {
                    return;
                }
                if (m_errors.isEmpty()) {
                    succeed();
                } else {
                    fail(m_errors.join(QLatin1Char('\n')));
                }
            },
            compact(options));
    }
}

QString DeleteCommand::description() const {
    if (m_refs.size() == 1) {
        return tr("Delete %1").arg(m_refs.front().display());
    }
    return tr("Delete %n object(s)", nullptr, int(m_refs.size()));
}

SetLabelsCommand::SetLabelsCommand(KubeClient* client, ObjectRef ref,
                                   QMap<QString, QString> oldLabels, QMap<QString, QString> labels,
                                   QObject* parent)
    : Command(client, parent), m_ref(std::move(ref)), m_old(std::move(oldLabels)),
      m_new(std::move(labels)) {}

QByteArray SetLabelsCommand::patchFor(const QMap<QString, QString>& oldLabels,
                                      const QMap<QString, QString>& labels) {
    QJsonObject change;
    for (auto it = oldLabels.begin(); it != oldLabels.end(); ++it) {
        if (!labels.contains(it.key())) {
            change.insert(it.key(), QJsonValue::Null);
        }
    }
    for (auto it = labels.begin(); it != labels.end(); ++it) {
        change.insert(it.key(), it.value());
    }
    return compact(
        QJsonObject{{QStringLiteral("metadata"), QJsonObject{{QStringLiteral("labels"), change}}}});
}

void SetLabelsCommand::start() {
    client()->patch(m_ref.path(), patchFor(m_old, m_new), MergePatch, this,
                    [this](const ApiResponse& response) { finishWith(response); });
}

QString SetLabelsCommand::description() const {
    return tr("Edit labels of %1").arg(m_ref.display());
}

} // namespace pilot::gui
