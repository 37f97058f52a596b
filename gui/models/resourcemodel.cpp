#include "gui/models/resourcemodel.h"

#include "gui/models/modelutil.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QEvent>

#include <algorithm>

namespace pilot::gui {

ResourceModel::ResourceModel(ResourceType type, QObject* parent)
    : QAbstractTableModel(parent), m_type(std::move(type)) {
    // Column titles are translated: follow language switches.
    if (QCoreApplication::instance()) {
        QCoreApplication::instance()->installEventFilter(this);
    }
}

bool ResourceModel::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::LanguageChange && watched == QCoreApplication::instance()) {
        if (columnCount() > 0) {
            Q_EMIT headerDataChanged(Qt::Horizontal, 0, columnCount() - 1);
        }
    }
    return QAbstractTableModel::eventFilter(watched, event);
}

int ResourceModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ResourceModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : columns();
}

QVariant ResourceModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const ObjectRecord& record = *m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return cell(record, index.column());
    case Qt::ToolTipRole:
        return toolTip(record, index.column());
    case Qt::TextAlignmentRole:
        return QVariant::fromValue(alignment(index.column()));
    case Qt::ForegroundRole:
        if (index.column() == statusColumn()) {
            return healthColor(health(record));
        }
        return {};
    case RecordRole:
        return QVariant::fromValue(m_rows.at(index.row()));
    case RawObjectRole:
        return record.json();
    case KeyRole:
        return record.key();
    case NameRole:
        return record.name;
    case NamespaceRole:
        return record.namespaceName;
    case UidRole:
        return record.uid;
    case LabelsRole: {
        QVariantMap labels;
        for (const auto& [key, value] : record.labels) {
            labels.insert(key, value);
        }
        return labels;
    }
    case HealthRole:
        return QVariant::fromValue(health(record));
    case CreatedRole:
        return record.createdMs > 0 ? QDateTime::fromMSecsSinceEpoch(record.createdMs, Qt::UTC)
                                    : QVariant();
    case SortRole:
        return sortKey(record, index.column());
    case StatusTextRole:
        return statusColumn() >= 0 ? cell(record, statusColumn()) : QVariant();
    default:
        return {};
    }
}

QVariant ResourceModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || section < 0 || section >= columns()) {
        return {};
    }
    if (role == Qt::DisplayRole) {
        return columnTitle(section);
    }
    if (role == Qt::TextAlignmentRole) {
        return QVariant::fromValue(alignment(section) | Qt::AlignVCenter);
    }
    return {};
}

QHash<int, QByteArray> ResourceModel::roleNames() const {
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(RecordRole, "record");
    names.insert(RawObjectRole, "rawObject");
    names.insert(KeyRole, "key");
    names.insert(NameRole, "name");
    names.insert(NamespaceRole, "namespace");
    names.insert(UidRole, "uid");
    names.insert(LabelsRole, "labels");
    names.insert(HealthRole, "health");
    names.insert(CreatedRole, "created");
    names.insert(SortRole, "sortKey");
    names.insert(StatusTextRole, "statusText");
    return names;
}

QVariant ResourceModel::sortKey(const ObjectRecord& record, int column) const {
    if (column == ageColumn()) {
        // Youngest first reads naturally for ascending "age".
        return -record.createdMs;
    }
    return cell(record, column);
}

QVariant ResourceModel::toolTip(const ObjectRecord&, int) const {
    return {};
}

Qt::Alignment ResourceModel::alignment(int) const {
    return Qt::AlignLeft | Qt::AlignVCenter;
}

Health ResourceModel::health(const ObjectRecord&) const {
    return Health::Unknown;
}

QString ResourceModel::searchText(const ObjectRecord& record) const {
    QString text = record.namespaceName + QLatin1Char(' ') + record.name;
    if (int status = statusColumn(); status >= 0) {
        text += QLatin1Char(' ') + cell(record, status).toString();
    }
    return text;
}

bool ResourceModel::lessThan(int leftRow, int rightRow, int column) const {
    const ObjectRecord& left = *m_rows.at(leftRow);
    const ObjectRecord& right = *m_rows.at(rightRow);
    QVariant a = sortKey(left, column);
    QVariant b = sortKey(right, column);
    QPartialOrdering order = QVariant::compare(a, b);
    if (order == QPartialOrdering::Unordered) {
        order = QVariant::compare(a.toString(), b.toString());
    }
    if (order == QPartialOrdering::Equivalent) {
        // Stable and predictable: ties fall back to namespace/name.
        if (left.namespaceName != right.namespaceName) {
            return left.namespaceName < right.namespaceName;
        }
        return left.name < right.name;
    }
    return order == QPartialOrdering::Less;
}

RecordPtr ResourceModel::record(int row) const {
    return row >= 0 && row < m_rows.size() ? m_rows.at(row) : RecordPtr();
}

RecordPtr ResourceModel::recordByKey(const QString& key) const {
    return record(rowOfKey(key));
}

void ResourceModel::rebuildIndex() {
    m_index.clear();
    m_index.reserve(m_rows.size());
    for (int i = 0; i < m_rows.size(); ++i) {
        m_index.insert(m_rows.at(i)->key(), i);
    }
}

void ResourceModel::clear() {
    if (m_rows.isEmpty()) {
        return;
    }
    beginRemoveRows({}, 0, int(m_rows.size()) - 1);
    m_rows.clear();
    m_index.clear();
    endRemoveRows();
    Q_EMIT contentChanged();
}

void ResourceModel::applyBatch(const RecordBatch& batch) {
    // 1. Removals: explicit deletes, and rows a completed list no longer holds.
    QList<int> gone;
    for (const QString& key : batch.removed) {
        if (int row = m_index.value(key, -1); row >= 0) {
            gone.append(row);
        }
    }
    if (batch.listComplete) {
        for (int row = 0; row < m_rows.size(); ++row) {
            if (!batch.listComplete->contains(m_rows.at(row)->key())) {
                gone.append(row);
            }
        }
    }
    if (!gone.isEmpty()) {
        std::sort(gone.begin(), gone.end());
        gone.erase(std::unique(gone.begin(), gone.end()), gone.end());
        // Contiguous runs from the bottom up, so earlier row numbers stay valid.
        int end = int(gone.size()) - 1;
        while (end >= 0) {
            int start = end;
            while (start > 0 && gone.at(start - 1) == gone.at(start) - 1) {
                --start;
            }
            int first = gone.at(start);
            int last = gone.at(end);
            beginRemoveRows({}, first, last);
            m_rows.remove(first, last - first + 1);
            endRemoveRows();
            end = start - 1;
        }
        rebuildIndex();
    }

    // 2. Updates in place and appends.
    QList<int> changed;
    QList<RecordPtr> added;
    QHash<QString, int> addedIndex;
    for (const RecordPtr& record : batch.upserts) {
        QString key = record->key();
        if (int row = m_index.value(key, -1); row >= 0) {
            m_rows[row] = record;
            changed.append(row);
        } else if (auto it = addedIndex.constFind(key); it != addedIndex.constEnd()) {
            added[*it] = record;
        } else {
            addedIndex.insert(key, int(added.size()));
            added.append(record);
        }
    }
    if (!changed.isEmpty()) {
        std::sort(changed.begin(), changed.end());
        int lastColumn = columns() - 1;
        int start = 0;
        for (int i = 1; i <= changed.size(); ++i) {
            if (i == changed.size() || changed.at(i) > changed.at(i - 1) + 1) {
                Q_EMIT dataChanged(index(changed.at(start), 0),
                                   index(changed.at(i - 1), lastColumn));
                start = i;
            }
        }
    }
    if (!added.isEmpty()) {
        int first = int(m_rows.size());
        beginInsertRows({}, first, first + int(added.size()) - 1);
        m_rows.append(added);
        for (int i = first; i < m_rows.size(); ++i) {
            m_index.insert(m_rows.at(i)->key(), i);
        }
        endInsertRows();
    }
    Q_EMIT contentChanged();
}

} // namespace pilot::gui
