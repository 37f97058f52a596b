#include "gui/client/nodecommands.h"

#include "gui/client/resourcetype.h"

#include <QJsonDocument>

namespace pilot::gui {

namespace {

const QByteArray MergePatch = QByteArrayLiteral("application/merge-patch+json");

QByteArray compact(const QJsonObject& object) {
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QString podPath(const QString& ns, const QString& name) {
    return ResourceType::pods().objectPath(ns, name);
}

} // namespace

CordonCommand::CordonCommand(KubeClient* client, QString node, bool cordon, QObject* parent)
    : Command(client, parent), m_node(std::move(node)), m_cordon(cordon) {}

void CordonCommand::start() {
    // kubectl uncordon removes the field rather than setting false.
    QJsonValue value = m_cordon ? QJsonValue(true) : QJsonValue(QJsonValue::Null);
    QJsonObject patch{
        {QStringLiteral("spec"), QJsonObject{{QStringLiteral("unschedulable"), value}}}};
    client()->patch(ResourceType::nodes().objectPath({}, m_node), compact(patch), MergePatch, this,
                    [this](const ApiResponse& response) { finishWith(response); });
}

QString CordonCommand::description() const {
    return m_cordon ? tr("Cordon node %1").arg(m_node) : tr("Uncordon node %1").arg(m_node);
}

SetTaintsCommand::SetTaintsCommand(KubeClient* client, QString node, QString resourceVersion,
                                   QList<Taint> taints, QObject* parent)
    : Command(client, parent), m_node(std::move(node)),
      m_resourceVersion(std::move(resourceVersion)), m_taints(std::move(taints)) {}

QList<Taint> SetTaintsCommand::taintsOf(const QJsonObject& node) {
    QList<Taint> out;
    const QJsonArray taints =
        node.value(QLatin1String("spec")).toObject().value(QLatin1String("taints")).toArray();
    for (const QJsonValue& value : taints) {
        QJsonObject taint = value.toObject();
        out.append({taint.value(QLatin1String("key")).toString(),
                    taint.value(QLatin1String("value")).toString(),
                    taint.value(QLatin1String("effect")).toString()});
    }
    return out;
}

void SetTaintsCommand::start() {
    QJsonArray taints;
    for (const Taint& taint : std::as_const(m_taints)) {
        QJsonObject object{{QStringLiteral("key"), taint.key},
                           {QStringLiteral("effect"), taint.effect}};
        if (!taint.value.isEmpty()) {
            object.insert(QStringLiteral("value"), taint.value);
        }
        taints.append(object);
    }
    QJsonObject patch{{QStringLiteral("spec"), QJsonObject{{QStringLiteral("taints"), taints}}}};
    if (!m_resourceVersion.isEmpty()) {
        patch.insert(QStringLiteral("metadata"),
                     QJsonObject{{QStringLiteral("resourceVersion"), m_resourceVersion}});
    }
    client()->patch(ResourceType::nodes().objectPath({}, m_node), compact(patch), MergePatch, this,
                    [this](const ApiResponse& response) { finishWith(response); });
}

QString SetTaintsCommand::description() const {
    return tr("Edit taints of node %1").arg(m_node);
}

DrainCommand::DrainCommand(KubeClient* client, QString node, Options options, QObject* parent)
    : Command(client, parent), m_node(std::move(node)), m_options(options) {
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, [this] {
        fail(tr("drain of node %1 timed out with %2 pod(s) left")
                 .arg(m_node)
                 .arg(m_pods.size() - m_gone));
    });
}

QString DrainCommand::description() const {
    return tr("Drain node %1").arg(m_node);
}

void DrainCommand::cancel() {
    fail(tr("cancelled"));
}

std::expected<QList<QJsonObject>, QString> DrainCommand::podsToEvict(const QJsonArray& pods,
                                                                     const Options& options) {
    QList<QJsonObject> out;
    QStringList daemonSetPods;
    QStringList unmanaged;
    for (const QJsonValue& value : pods) {
        QJsonObject pod = value.toObject();
        QJsonObject meta = pod.value(QLatin1String("metadata")).toObject();
        QString id = meta.value(QLatin1String("namespace")).toString() + QLatin1Char('/') +
                     meta.value(QLatin1String("name")).toString();
        if (meta.value(QLatin1String("annotations"))
                .toObject()
                .contains(QLatin1String("kubernetes.io/config.mirror"))) {
            continue; // static pods belong to the node's agent
        }
        QString phase =
            pod.value(QLatin1String("status")).toObject().value(QLatin1String("phase")).toString();
        bool finished = phase == QLatin1String("Succeeded") || phase == QLatin1String("Failed");
        QString controllerKind;
        for (const QJsonValue& owner : meta.value(QLatin1String("ownerReferences")).toArray()) {
            if (owner.toObject().value(QLatin1String("controller")).toBool()) {
                controllerKind = owner.toObject().value(QLatin1String("kind")).toString();
            }
        }
        if (controllerKind == QLatin1String("DaemonSet")) {
            daemonSetPods << id;
            continue;
        }
        if (controllerKind.isEmpty() && !finished && !options.force) {
            unmanaged << id;
        }
        out.append(pod);
    }
    if (!daemonSetPods.isEmpty() && !options.ignoreDaemonSets) {
        return std::unexpected(
            tr("cannot delete DaemonSet-managed pods (ignore DaemonSets to continue): %1")
                .arg(daemonSetPods.join(QStringLiteral(", "))));
    }
    if (!unmanaged.isEmpty()) {
        return std::unexpected(tr("cannot delete pods that are not managed by a controller "
                                  "(force to continue): %1")
                                   .arg(unmanaged.join(QStringLiteral(", "))));
    }
    return out;
}

void DrainCommand::start() {
    if (m_options.timeoutMs > 0) {
        m_deadline.start(m_options.timeoutMs);
    }
    Q_EMIT progress(0, 0, tr("Cordoning node %1").arg(m_node));
    QJsonObject patch{
        {QStringLiteral("spec"), QJsonObject{{QStringLiteral("unschedulable"), true}}}};
    client()->patch(ResourceType::nodes().objectPath({}, m_node), compact(patch), MergePatch, this,
                    [this](const ApiResponse& response) {
                        if (!response.ok()) {
                            fail(response.error);
                            return;
                        }
                        listPods();
                    });
}

void DrainCommand::listPods() {
    QString path = ResourceType::pods().collectionPath() + QStringLiteral("?fieldSelector=") +
                   KubeClient::encode(QStringLiteral("spec.nodeName=") + m_node);
    client()->get(path, this, [this](const ApiResponse& response) {
        if (isFinished()) {
            return;
        }
        if (!response.ok()) {
            fail(response.error);
            return;
        }
        auto pods =
            podsToEvict(response.object().value(QLatin1String("items")).toArray(), m_options);
        if (!pods) {
            fail(pods.error());
            return;
        }
        for (const QJsonObject& pod : *pods) {
            QJsonObject meta = pod.value(QLatin1String("metadata")).toObject();
            m_pods.append({meta.value(QLatin1String("namespace")).toString(),
                           meta.value(QLatin1String("name")).toString(),
                           meta.value(QLatin1String("uid")).toString()});
        }
        Q_EMIT progress(0, int(m_pods.size()),
                        tr("Evicting %n pod(s)", nullptr, int(m_pods.size())));
        if (m_pods.isEmpty()) {
            succeed();
            return;
        }
        for (int i = 0; i < m_pods.size(); ++i) {
            evict(i);
        }
    });
}

void DrainCommand::evict(int index) {
    if (isFinished()) {
        return;
    }
    const Pending& pod = m_pods[index];
    QJsonObject eviction{
        {QStringLiteral("apiVersion"), QStringLiteral("policy/v1")},
        {QStringLiteral("kind"), QStringLiteral("Eviction")},
        {QStringLiteral("metadata"),
         QJsonObject{{QStringLiteral("name"), pod.name}, {QStringLiteral("namespace"), pod.ns}}}};
    client()->post(
        podPath(pod.ns, pod.name) + QStringLiteral("/eviction"), eviction, this,
        [this, index](const ApiResponse& response) {
            if (isFinished()) {
                return;
            }
            Pending& target = m_pods[index];
            if (response.status == 404) {
                podGone();
                return;
            }
            if (response.status == 429) {
                // A disruption budget refuses for now: try again, as kubectl does.
                Q_EMIT progress(m_gone, int(m_pods.size()),
                                tr("Waiting for a disruption budget to allow evicting "
                                   "%1/%2")
                                    .arg(target.ns, target.name));
                int delay = response.retryAfterSeconds > 0 ? response.retryAfterSeconds * 1000
                                                           : m_options.retryIntervalMs;
                QTimer::singleShot(std::min(delay, m_options.retryIntervalMs), this,
                                   [this, index] { evict(index); });
                return;
            }
            if (!response.ok()) {
                fail(tr("evicting %1/%2: %3").arg(target.ns, target.name, response.error));
                return;
            }
            target.evicted = true;
            waitGone(index);
        });
}

void DrainCommand::waitGone(int index) {
    if (isFinished()) {
        return;
    }
    const Pending& pod = m_pods[index];
    client()->get(podPath(pod.ns, pod.name), this, [this, index](const ApiResponse& response) {
        if (isFinished()) {
            return;
        }
        const Pending& target = m_pods[index];
        QString uid = response.object()
                          .value(QLatin1String("metadata"))
                          .toObject()
                          .value(QLatin1String("uid"))
                          .toString();
        if (response.status == 404 || (response.ok() && uid != target.uid)) {
            podGone();
            return;
        }
        QTimer::singleShot(m_options.pollIntervalMs, this, [this, index] { waitGone(index); });
    });
}

void DrainCommand::podGone() {
    ++m_gone;
    Q_EMIT progress(m_gone, int(m_pods.size()),
                    tr("%1 of %2 pod(s) evicted").arg(m_gone).arg(m_pods.size()));
    if (m_gone == m_pods.size()) {
        m_deadline.stop();
        succeed();
    }
}

} // namespace pilot::gui
