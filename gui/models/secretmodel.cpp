#include "gui/models/secretmodel.h"

#include "gui/models/modelutil.h"

namespace pilot::gui {

SecretModel::SecretModel(QObject* parent) : ResourceModel(ResourceType::secrets(), parent) {}

RecordPtr SecretModel::decode(const QJsonObject& object) {
    auto s = std::make_shared<SecretRecord>();
    // The whole secret is kept like any object: the detail view decides what to reveal.
    s->fillMeta(object);
    s->type = StringPool::intern(object.value(QLatin1String("type")).toString());
    s->dataCount = int(object.value(QLatin1String("data")).toObject().size());
    return s;
}

QString SecretModel::columnTitle(int column) const {
    switch (column) {
    case Name:
        return tr("Name");
    case Namespace:
        return tr("Namespace");
    case Type:
        return tr("Type");
    case Data:
        return tr("Data");
    case Age:
        return tr("Age");
    default:
        return {};
    }
}

QVariant SecretModel::cell(const ObjectRecord& record, int column) const {
    const auto& s = static_cast<const SecretRecord&>(record);
    switch (column) {
    case Name:
        return s.name;
    case Namespace:
        return s.namespaceName;
    case Type:
        return s.type;
    case Data:
        return s.dataCount;
    case Age:
        return ageSince(s.createdMs);
    default:
        return {};
    }
}

} // namespace pilot::gui
