#pragma once

#include "gui/client/objectrecord.h"
#include "gui/client/resourcetype.h"
#include "gui/models/health.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

namespace pilot::gui {

/// The base of every per-kind table model: rows are immutable records keyed by
/// `namespace/name`, changed only through `applyBatch` (insert/remove/dataChanged, never a
/// reset per event). Subclasses declare a `Column` enum and render cells; the base provides the
/// roles every view and proxy relies on. Never makes a network call. GUI thread only.
class ResourceModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Role {
        RecordRole = Qt::UserRole + 1, ///< RecordPtr (as QVariant).
        RawObjectRole,                 ///< The whole object as QJsonObject.
        KeyRole,                       ///< `namespace/name`.
        NameRole,
        NamespaceRole,
        UidRole,
        LabelsRole,     ///< QVariantMap of labels.
        HealthRole,     ///< pilot::gui::Health.
        CreatedRole,    ///< QDateTime of creation.
        SortRole,       ///< The value a column sorts by.
        StatusTextRole, ///< The status column's text, for delegates and tests.
    };
    Q_ENUM(Role)

    explicit ResourceModel(ResourceType type, QObject* parent = nullptr);

    [[nodiscard]] const ResourceType& resourceType() const { return m_type; }
    /// Decodes API objects into this model's records; pure, runs on worker threads.
    [[nodiscard]] virtual RecordDecoder decoder() const = 0;
    /// Whether the informer should ask for server-side Tables.
    [[nodiscard]] virtual bool wantsTable() const { return false; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    /// Applies one batch of row operations (see RecordBatch).
    void applyBatch(const RecordBatch& batch);
    /// Removes every row (when a cluster is closed).
    void clear();

    [[nodiscard]] RecordPtr record(int row) const;
    [[nodiscard]] RecordPtr recordByKey(const QString& key) const;
    [[nodiscard]] int rowOfKey(const QString& key) const { return m_index.value(key, -1); }
    [[nodiscard]] const QList<RecordPtr>& records() const { return m_rows; }

    /// Compares two rows by `column` without going through QVariant display strings.
    [[nodiscard]] bool lessThan(int leftRow, int rightRow, int column) const;
    /// Text a free-text filter searches in (name, namespace and the model's text columns).
    [[nodiscard]] virtual QString searchText(const ObjectRecord& record) const;
    [[nodiscard]] virtual Health health(const ObjectRecord& record) const;
    /// The column showing the status (coloured by health), -1 if none.
    [[nodiscard]] virtual int statusColumn() const { return -1; }
    /// Columns whose text changes with time (ages), refreshed by views.
    [[nodiscard]] virtual int ageColumn() const { return -1; }

Q_SIGNALS:
    /// Emitted after every applied batch (dashboards recount on it).
    void contentChanged();

protected:
    [[nodiscard]] virtual int columns() const = 0;
    [[nodiscard]] virtual QString columnTitle(int column) const = 0;
    /// The display text of a cell.
    [[nodiscard]] virtual QVariant cell(const ObjectRecord& record, int column) const = 0;
    /// The value a column sorts by; the display text unless overridden.
    [[nodiscard]] virtual QVariant sortKey(const ObjectRecord& record, int column) const;
    /// Tooltip of a cell; none by default.
    [[nodiscard]] virtual QVariant toolTip(const ObjectRecord& record, int column) const;
    [[nodiscard]] virtual Qt::Alignment alignment(int column) const;

    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void rebuildIndex();

    ResourceType m_type;
    QList<RecordPtr> m_rows;
    QHash<QString, int> m_index;
};

} // namespace pilot::gui

Q_DECLARE_METATYPE(pilot::gui::RecordPtr)
