#include "gui/models/tablemodel.h"

#include "gui/models/modelutil.h"

#include <QJsonDocument>

namespace pilot::gui {

TableModel::TableModel(ResourceType type, QObject* parent)
    : ResourceModel(std::move(type), parent) {}

RecordPtr TableModel::decode(const QJsonObject& row) {
    auto r = std::make_shared<TableRowRecord>();
    r->fillMeta(row.value(QLatin1String("object")).toObject(), false);
    const QJsonArray cells = row.value(QLatin1String("cells")).toArray();
    r->cells.reserve(cells.size());
    for (const QJsonValue& cell : cells) {
        switch (cell.type()) {
        case QJsonValue::String:
            r->cells << cell.toString();
            break;
        case QJsonValue::Double:
            r->cells << QString::number(cell.toDouble());
            break;
        case QJsonValue::Bool:
            r->cells << (cell.toBool() ? QStringLiteral("true") : QStringLiteral("false"));
            break;
        case QJsonValue::Null:
        case QJsonValue::Undefined:
            r->cells << QStringLiteral("<none>");
            break;
        default:
            r->cells << QString::fromUtf8(
                QJsonDocument(cell.toArray()).toJson(QJsonDocument::Compact));
        }
    }
    return r;
}

void TableModel::setColumnDefinitions(const QJsonArray& definitions) {
    if (definitions == m_definitions) {
        return;
    }
    beginResetModel();
    m_definitions = definitions;
    m_columns.clear();
    m_ageColumn = -1;
    for (int i = 0; i < definitions.size(); ++i) {
        QJsonObject def = definitions.at(i).toObject();
        if (def.value(QLatin1String("priority")).toInt() != 0) {
            continue;
        }
        m_columns.append({def.value(QLatin1String("name")).toString(),
                          def.value(QLatin1String("description")).toString(), i});
        if (m_columns.size() == 1 && resourceType().namespaced) {
            // After the name, as kubectl does with --all-namespaces... but readable.
            m_columns.append({QString(), QString(), -1});
        }
        if (m_columns.last().name == QLatin1String("Age")) {
            m_ageColumn = int(m_columns.size()) - 1;
        }
    }
    endResetModel();
}

int TableModel::columns() const {
    if (m_columns.isEmpty()) {
        return resourceType().namespaced ? 2 : 1; // Name (+ Namespace) until the server answers
    }
    return int(m_columns.size());
}

QString TableModel::columnTitle(int column) const {
    if (m_columns.isEmpty()) {
        return column == 0 ? tr("Name") : tr("Namespace");
    }
    const ColumnDef& def = m_columns.at(column);
    if (def.cellIndex < 0) {
        return tr("Namespace");
    }
    if (def.name == QLatin1String("Name")) {
        return tr("Name");
    }
    if (def.name == QLatin1String("Age")) {
        return tr("Age");
    }
    return def.name; // server-defined column names are data, shown as served
}

QVariant TableModel::cell(const ObjectRecord& record, int column) const {
    const auto& row = static_cast<const TableRowRecord&>(record);
    if (m_columns.isEmpty()) {
        return column == 0 ? row.name : row.namespaceName;
    }
    const ColumnDef& def = m_columns.at(column);
    if (def.cellIndex < 0) {
        return row.namespaceName;
    }
    if (column == m_ageColumn && row.createdMs > 0) {
        return ageSince(row.createdMs);
    }
    return row.cells.value(def.cellIndex);
}

} // namespace pilot::gui
