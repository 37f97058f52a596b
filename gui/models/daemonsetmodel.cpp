#include "gui/models/daemonsetmodel.h"

#include "gui/models/modelutil.h"

namespace pilot::gui {

DaemonSetModel::DaemonSetModel(QObject* parent)
    : ResourceModel(ResourceType::daemonSets(), parent) {}

RecordPtr DaemonSetModel::decode(const QJsonObject& object) {
    auto d = std::make_shared<DaemonSetRecord>();
    d->fillMeta(object);
    d->desired = intAt(object, u"status.desiredNumberScheduled");
    d->current = intAt(object, u"status.currentNumberScheduled");
    d->readyCount = intAt(object, u"status.numberReady");
    d->updated = intAt(object, u"status.updatedNumberScheduled");
    d->available = intAt(object, u"status.numberAvailable");
    d->nodeSelector =
        formatLabels(labelsFrom(jsonAt(object, u"spec.template.spec.nodeSelector").toObject()));
    d->images = imagesOf(jsonAt(object, u"spec.template.spec").toObject());
    d->selector = labelsFrom(jsonAt(object, u"spec.selector.matchLabels").toObject());
    return d;
}

Health DaemonSetModel::health(const ObjectRecord& record) const {
    const auto& d = static_cast<const DaemonSetRecord&>(record);
    if (d.updated < d.desired) {
        return Health::Progressing;
    }
    if (d.readyCount < d.desired) {
        return d.readyCount == 0 ? Health::Error : Health::Warning;
    }
    return Health::Ok;
}

QString DaemonSetModel::columnTitle(int column) const {
    switch (column) {
    case Name:
        return tr("Name");
    case Namespace:
        return tr("Namespace");
    case Desired:
        return tr("Desired");
    case Current:
        return tr("Current");
    case Ready:
        return tr("Ready");
    case UpToDate:
        return tr("Up-to-date");
    case Available:
        return tr("Available");
    case NodeSelector:
        return tr("Node selector");
    case Age:
        return tr("Age");
    default:
        return {};
    }
}

QVariant DaemonSetModel::cell(const ObjectRecord& record, int column) const {
    const auto& d = static_cast<const DaemonSetRecord&>(record);
    switch (column) {
    case Name:
        return d.name;
    case Namespace:
        return d.namespaceName;
    case Desired:
        return d.desired;
    case Current:
        return d.current;
    case Ready:
        return d.readyCount;
    case UpToDate:
        return d.updated;
    case Available:
        return d.available;
    case NodeSelector:
        return d.nodeSelector;
    case Age:
        return ageSince(d.createdMs);
    default:
        return {};
    }
}

} // namespace pilot::gui
