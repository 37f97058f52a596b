#include "gui/models/namespacemodel.h"

#include "gui/models/modelutil.h"

namespace pilot::gui {

NamespaceModel::NamespaceModel(QObject* parent)
    : ResourceModel(ResourceType::namespaces(), parent) {}

RecordPtr NamespaceModel::decode(const QJsonObject& object) {
    auto n = std::make_shared<NamespaceRecord>();
    n->fillMeta(object);
    n->phase = StringPool::intern(stringAt(object, u"status.phase"));
    return n;
}

Health NamespaceModel::health(const ObjectRecord& record) const {
    return static_cast<const NamespaceRecord&>(record).phase == QLatin1String("Terminating")
               ? Health::Progressing
               : Health::Ok;
}

QString NamespaceModel::columnTitle(int column) const {
    switch (column) {
    case Name:
        return tr("Name");
    case Status:
        return tr("Status");
    case Age:
        return tr("Age");
    default:
        return {};
    }
}

QVariant NamespaceModel::cell(const ObjectRecord& record, int column) const {
    const auto& n = static_cast<const NamespaceRecord&>(record);
    switch (column) {
    case Name:
        return n.name;
    case Status:
        return n.phase;
    case Age:
        return ageSince(n.createdMs);
    default:
        return {};
    }
}

} // namespace pilot::gui
