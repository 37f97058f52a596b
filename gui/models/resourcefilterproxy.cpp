#include "gui/models/resourcefilterproxy.h"

namespace pilot::gui {

ResourceFilterProxy::ResourceFilterProxy(QObject* parent) : QSortFilterProxyModel(parent) {
    setDynamicSortFilter(true);
    setSortRole(ResourceModel::SortRole);
}

void ResourceFilterProxy::setSourceModel(QAbstractItemModel* model) {
    m_model = qobject_cast<ResourceModel*>(model);
    QSortFilterProxyModel::setSourceModel(model);
}

void ResourceFilterProxy::setNamespaceFilter(const QString& ns) {
    if (ns == m_namespace) {
        return;
    }
    m_namespace = ns;
    invalidateFilter();
}

void ResourceFilterProxy::setTextFilter(const QString& text) {
    QString trimmed = text.trimmed();
    if (trimmed == m_text) {
        return;
    }
    m_text = trimmed;
    invalidateFilter();
}

QString ResourceFilterProxy::setLabelFilter(const QString& selector) {
    auto parsed = LabelFilter::parse(selector);
    if (!parsed) {
        return parsed.error();
    }
    m_labels = *parsed;
    invalidateFilter();
    return {};
}

void ResourceFilterProxy::setPredicate(std::function<bool(const ObjectRecord&)> predicate) {
    m_predicate = std::move(predicate);
    invalidateFilter();
}

RecordPtr ResourceFilterProxy::recordAt(int proxyRow) const {
    if (!m_model) {
        return {};
    }
    QModelIndex source = mapToSource(index(proxyRow, 0));
    return m_model->record(source.row());
}

bool ResourceFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex&) const {
    if (!m_model) {
        return true;
    }
    RecordPtr record = m_model->record(sourceRow);
    if (!record) {
        return false;
    }
    if (!m_namespace.isEmpty() && m_model->resourceType().namespaced &&
        record->namespaceName != m_namespace) {
        return false;
    }
    if (!m_labels.isEmpty() && !m_labels.matches(record->labels)) {
        return false;
    }
    if (m_predicate && !m_predicate(*record)) {
        return false;
    }
    if (!m_text.isEmpty() && !m_model->searchText(*record).contains(m_text, Qt::CaseInsensitive)) {
        return false;
    }
    return true;
}

bool ResourceFilterProxy::lessThan(const QModelIndex& left, const QModelIndex& right) const {
    if (!m_model) {
        return QSortFilterProxyModel::lessThan(left, right);
    }
    return m_model->lessThan(left.row(), right.row(), left.column());
}

} // namespace pilot::gui
