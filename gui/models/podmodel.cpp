#include "gui/models/podmodel.h"

#include "gui/models/modelutil.h"

namespace pilot::gui {

namespace {

QString terminatedReason(const QJsonObject& terminated) {
    QString reason = terminated.value(QLatin1String("reason")).toString();
    if (!reason.isEmpty()) {
        return reason;
    }
    int signal = terminated.value(QLatin1String("signal")).toInt();
    if (signal != 0) {
        return QStringLiteral("Signal:%1").arg(signal);
    }
    return QStringLiteral("ExitCode:%1").arg(terminated.value(QLatin1String("exitCode")).toInt());
}

Health healthOf(const PodRecord& pod) {
    if (pod.deletingMs > 0) {
        return Health::Progressing;
    }
    const QString& s = pod.status;
    if (s == QLatin1String("Running")) {
        return pod.ready == pod.containers ? Health::Ok : Health::Warning;
    }
    if (s == QLatin1String("Completed") || s == QLatin1String("Succeeded")) {
        return Health::Ok;
    }
    if (s == QLatin1String("Pending") || s == QLatin1String("ContainerCreating") ||
        s == QLatin1String("PodInitializing") || s.startsWith(QLatin1String("Init:")) ||
        s == QLatin1String("Terminating")) {
        return s.startsWith(QLatin1String("Init:Err")) || s.startsWith(QLatin1String("Init:Crash"))
                   ? Health::Error
                   : Health::Progressing;
    }
    if (s == QLatin1String("Unknown") || s == QLatin1String("NotReady")) {
        return Health::Warning;
    }
    return Health::Error; // Failed, CrashLoopBackOff, ImagePullBackOff, Error, OOMKilled, ...
}

} // namespace

PodModel::PodModel(QObject* parent) : ResourceModel(ResourceType::pods(), parent) {}

RecordPtr PodModel::decode(const QJsonObject& object) {
    auto pod = std::make_shared<PodRecord>();
    pod->fillMeta(object);
    QJsonObject spec = object.value(QLatin1String("spec")).toObject();
    QJsonObject status = object.value(QLatin1String("status")).toObject();
    pod->phase = StringPool::intern(status.value(QLatin1String("phase")).toString());
    pod->node = StringPool::intern(spec.value(QLatin1String("nodeName")).toString());
    pod->podIp = status.value(QLatin1String("podIP")).toString();
    pod->images = imagesOf(spec);
    pod->containers = int(spec.value(QLatin1String("containers")).toArray().size());
    auto [ownerKind, ownerName] = controllerOf(object);
    pod->ownerKind = ownerKind;
    pod->ownerName = ownerName;

    // kubectl's printPod logic (pkg/printers/internalversion), condensed.
    QString reason = status.value(QLatin1String("reason")).toString();
    if (reason.isEmpty()) {
        reason = pod->phase;
    }
    bool initializing = false;
    const QJsonArray initStatuses = status.value(QLatin1String("initContainerStatuses")).toArray();
    int initCount = int(spec.value(QLatin1String("initContainers")).toArray().size());
    for (int i = 0; i < initStatuses.size(); ++i) {
        QJsonObject container = initStatuses.at(i).toObject();
        pod->restarts += container.value(QLatin1String("restartCount")).toInt();
        QJsonObject state = container.value(QLatin1String("state")).toObject();
        QJsonObject terminated = state.value(QLatin1String("terminated")).toObject();
        QString waiting = state.value(QLatin1String("waiting"))
                              .toObject()
                              .value(QLatin1String("reason"))
                              .toString();
        if (!terminated.isEmpty() && terminated.value(QLatin1String("exitCode")).toInt() == 0) {
            continue;
        }
        if (!terminated.isEmpty()) {
            reason = QStringLiteral("Init:") + terminatedReason(terminated);
        } else if (!waiting.isEmpty() && waiting != QLatin1String("PodInitializing")) {
            reason = QStringLiteral("Init:") + waiting;
        } else {
            reason = QStringLiteral("Init:%1/%2").arg(i).arg(initCount);
        }
        initializing = true;
        break;
    }
    if (!initializing) {
        pod->restarts = 0;
        bool hasRunning = false;
        const QJsonArray statuses = status.value(QLatin1String("containerStatuses")).toArray();
        for (qsizetype i = statuses.size() - 1; i >= 0; --i) {
            QJsonObject container = statuses.at(i).toObject();
            pod->restarts += container.value(QLatin1String("restartCount")).toInt();
            QJsonObject state = container.value(QLatin1String("state")).toObject();
            QString waiting = state.value(QLatin1String("waiting"))
                                  .toObject()
                                  .value(QLatin1String("reason"))
                                  .toString();
            QJsonObject terminated = state.value(QLatin1String("terminated")).toObject();
            if (!waiting.isEmpty()) {
                reason = waiting;
            } else if (!terminated.isEmpty()) {
                reason = terminatedReason(terminated);
            } else if (container.value(QLatin1String("ready")).toBool() &&
                       state.contains(QLatin1String("running"))) {
                hasRunning = true;
                ++pod->ready;
            }
        }
        if (reason == QLatin1String("Completed") && hasRunning) {
            reason = conditionStatus(object, QStringLiteral("Ready")) == QLatin1String("True")
                         ? QStringLiteral("Running")
                         : QStringLiteral("NotReady");
        }
    }
    if (pod->deletingMs > 0) {
        reason = status.value(QLatin1String("reason")).toString() == QLatin1String("NodeLost")
                     ? QStringLiteral("Unknown")
                     : QStringLiteral("Terminating");
    }
    pod->status = StringPool::intern(reason);
    pod->health = healthOf(*pod);
    return pod;
}

Health PodModel::health(const ObjectRecord& record) const {
    return static_cast<const PodRecord&>(record).health;
}

QString PodModel::columnTitle(int column) const {
    switch (column) {
    case Name:
        return tr("Name");
    case Namespace:
        return tr("Namespace");
    case Ready:
        return tr("Ready");
    case Status:
        return tr("Status");
    case Restarts:
        return tr("Restarts");
    case Age:
        return tr("Age");
    case Ip:
        return tr("IP");
    case Node:
        return tr("Node");
    default:
        return {};
    }
}

QVariant PodModel::cell(const ObjectRecord& record, int column) const {
    const auto& pod = static_cast<const PodRecord&>(record);
    switch (column) {
    case Name:
        return pod.name;
    case Namespace:
        return pod.namespaceName;
    case Ready:
        return QStringLiteral("%1/%2").arg(pod.ready).arg(pod.containers);
    case Status:
        return pod.status;
    case Restarts:
        return pod.restarts;
    case Age:
        return ageSince(pod.createdMs);
    case Ip:
        return pod.podIp;
    case Node:
        return pod.node;
    default:
        return {};
    }
}

QVariant PodModel::sortKey(const ObjectRecord& record, int column) const {
    const auto& pod = static_cast<const PodRecord&>(record);
    if (column == Ready) {
        return pod.containers ? double(pod.ready) / pod.containers : 0.0;
    }
    return ResourceModel::sortKey(record, column);
}

Qt::Alignment PodModel::alignment(int column) const {
    if (column == Restarts || column == Ready) {
        return Qt::AlignRight | Qt::AlignVCenter;
    }
    return ResourceModel::alignment(column);
}

QString PodModel::searchText(const ObjectRecord& record) const {
    const auto& pod = static_cast<const PodRecord&>(record);
    return ResourceModel::searchText(record) + QLatin1Char(' ') + pod.node + QLatin1Char(' ') +
           pod.podIp;
}

} // namespace pilot::gui
