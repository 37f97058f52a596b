#include "gui/models/configmapmodel.h"

#include "gui/models/modelutil.h"

namespace pilot::gui {

ConfigMapModel::ConfigMapModel(QObject* parent)
    : ResourceModel(ResourceType::configMaps(), parent) {}

RecordPtr ConfigMapModel::decode(const QJsonObject& object) {
    auto c = std::make_shared<ConfigMapRecord>();
    c->fillMeta(object);
    c->dataCount = int(object.value(QLatin1String("data")).toObject().size() +
                       object.value(QLatin1String("binaryData")).toObject().size());
    return c;
}

QString ConfigMapModel::columnTitle(int column) const {
    switch (column) {
    case Name:
        return tr("Name");
    case Namespace:
        return tr("Namespace");
    case Data:
        return tr("Data");
    case Age:
        return tr("Age");
    default:
        return {};
    }
}

QVariant ConfigMapModel::cell(const ObjectRecord& record, int column) const {
    const auto& c = static_cast<const ConfigMapRecord&>(record);
    switch (column) {
    case Name:
        return c.name;
    case Namespace:
        return c.namespaceName;
    case Data:
        return c.dataCount;
    case Age:
        return ageSince(c.createdMs);
    default:
        return {};
    }
}

} // namespace pilot::gui
