#pragma once

#include "gui/models/resourcemodel.h"

#include <QJsonArray>

namespace pilot::gui {

/// A row of a server-side Table (`Accept: application/json;as=Table;g=meta.k8s.io`).
struct TableRowRecord : ObjectRecord {
    QStringList cells;
};

/// Any resource, custom resources included, with the columns the server prints for it
/// (kubectl's columns: priority-0 column definitions of the Table). A Namespace column is added
/// for namespaced resources; "Age" is recomputed live from the creation time. Rows keep only
/// metadata; detail views fetch the object itself.
class TableModel : public ResourceModel {
    Q_OBJECT
public:
    explicit TableModel(ResourceType type, QObject* parent = nullptr);
    [[nodiscard]] RecordDecoder decoder() const override { return &decode; }
    [[nodiscard]] bool wantsTable() const override { return true; }
    [[nodiscard]] static RecordPtr decode(const QJsonObject& row);

    /// Sets the server's column definitions (from the informer); resets the model only when
    /// the columns really change.
    void setColumnDefinitions(const QJsonArray& definitions);
    [[nodiscard]] int ageColumn() const override { return m_ageColumn; }

protected:
    [[nodiscard]] int columns() const override;
    [[nodiscard]] QString columnTitle(int column) const override;
    [[nodiscard]] QVariant cell(const ObjectRecord& record, int column) const override;

private:
    struct ColumnDef {
        QString name;
        QString description;
        int cellIndex = -1; ///< -1: the namespace column we add.
    };
    QList<ColumnDef> m_columns;
    QJsonArray m_definitions;
    int m_ageColumn = -1;
};

} // namespace pilot::gui
