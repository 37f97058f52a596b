#pragma once

#include "gui/models/labelfilter.h"
#include "gui/models/resourcemodel.h"

#include <QSortFilterProxyModel>

#include <functional>

namespace pilot::gui {

/// Filtering and sorting for a ResourceModel: by namespace, free text (case-insensitive, in the
/// model's search text), label selector and an optional predicate (detail views use it for
/// "pods of this deployment"); sorting compares records directly (no display strings).
class ResourceFilterProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit ResourceFilterProxy(QObject* parent = nullptr);

    void setSourceModel(QAbstractItemModel* model) override;
    [[nodiscard]] ResourceModel* resourceModel() const { return m_model; }

    /// Empty: every namespace.
    void setNamespaceFilter(const QString& ns);
    [[nodiscard]] QString namespaceFilter() const { return m_namespace; }
    void setTextFilter(const QString& text);
    [[nodiscard]] QString textFilter() const { return m_text; }
    /// Returns the parse error (and keeps the previous selector) for invalid text.
    QString setLabelFilter(const QString& selector);
    void setPredicate(std::function<bool(const ObjectRecord&)> predicate);

    /// The record behind a proxy row.
    [[nodiscard]] RecordPtr recordAt(int proxyRow) const;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    ResourceModel* m_model = nullptr;
    QString m_namespace;
    QString m_text;
    LabelFilter m_labels;
    std::function<bool(const ObjectRecord&)> m_predicate;
};

} // namespace pilot::gui
