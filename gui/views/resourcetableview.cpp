#include "gui/views/resourcetableview.h"

#include "gui/models/resourcefilterproxy.h"
#include "gui/views/statusdelegate.h"

#include <QHeaderView>

namespace pilot::gui {

namespace {

constexpr int AgeRefreshMs = 5000;

} // namespace

ResourceTableView::ResourceTableView(QWidget* parent) : QTableView(parent) {
    setObjectName(QStringLiteral("resourceTable"));
    setSortingEnabled(true);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setAlternatingRowColors(true);
    setWordWrap(false);
    setShowGrid(false);
    setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    setTextElideMode(Qt::ElideRight);
    verticalHeader()->hide();
    verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    horizontalHeader()->setStretchLastSection(true);
    horizontalHeader()->setHighlightSections(false);
    horizontalHeader()->setSortIndicatorShown(true);
    m_ageTimer.setObjectName(QStringLiteral("ageRefresh"));
    m_ageTimer.setInterval(AgeRefreshMs);
    connect(&m_ageTimer, &QTimer::timeout, viewport(), qOverload<>(&QWidget::update));
    connect(this, &QAbstractItemView::activated, this, [this](const QModelIndex& index) {
        if (m_proxy) {
            if (RecordPtr record = m_proxy->recordAt(index.row())) {
                Q_EMIT activatedRecord(record);
            }
        }
    });
}

void ResourceTableView::setProxy(ResourceFilterProxy* proxy) {
    m_proxy = proxy;
    setModel(proxy);
    m_sized = false;
    if (ResourceModel* model = proxy ? proxy->resourceModel() : nullptr) {
        int status = model->statusColumn();
        for (int c = 0; c < model->columnCount(); ++c) {
            setItemDelegateForColumn(c, nullptr);
        }
        if (status >= 0) {
            setItemDelegateForColumn(status, new StatusDelegate(this));
        }
        connect(model, &QAbstractItemModel::modelReset, this, [this] {
            m_sized = false;
            sizeColumns();
        });
    }
    connect(selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &ResourceTableView::selectionChangedRecords);
    sortByColumn(0, Qt::AscendingOrder);
    sizeColumns();
}

void ResourceTableView::sizeColumns() {
    if (m_sized || !model()) {
        return;
    }
    // Widths from the header text and a sample of rows, once: resizing to the contents of
    // tens of thousands of rows would stall the GUI thread.
    QFontMetrics fm = fontMetrics();
    int columns = model()->columnCount();
    for (int c = 0; c < columns; ++c) {
        int width = fm.horizontalAdvance(model()->headerData(c, Qt::Horizontal).toString()) + 36;
        int rows = std::min(model()->rowCount(), 50);
        for (int r = 0; r < rows; ++r) {
            width =
                std::max(width, fm.horizontalAdvance(model()->index(r, c).data().toString()) + 28);
        }
        setColumnWidth(c, std::clamp(width, 60, 420));
    }
    m_sized = model()->rowCount() > 0;
    if (!m_sized) {
        // Size again when the first rows arrive.
        connect(model(), &QAbstractItemModel::rowsInserted, this, &ResourceTableView::sizeColumns,
                Qt::SingleShotConnection);
    }
}

QList<RecordPtr> ResourceTableView::selectedRecords() const {
    QList<RecordPtr> out;
    if (!m_proxy || !selectionModel()) {
        return out;
    }
    const QModelIndexList rows = selectionModel()->selectedRows();
    for (const QModelIndex& index : rows) {
        if (RecordPtr record = m_proxy->recordAt(index.row())) {
            out.append(record);
        }
    }
    return out;
}

int ResourceTableView::rowOfKey(const QString& key) const {
    if (!m_proxy || !m_proxy->resourceModel()) {
        return -1;
    }
    int sourceRow = m_proxy->resourceModel()->rowOfKey(key);
    if (sourceRow < 0) {
        return -1;
    }
    QModelIndex index = m_proxy->mapFromSource(m_proxy->resourceModel()->index(sourceRow, 0));
    return index.isValid() ? index.row() : -1;
}

bool ResourceTableView::selectKey(const QString& key) {
    int row = rowOfKey(key);
    if (row < 0) {
        return false;
    }
    selectRow(row);
    scrollTo(model()->index(row, 0));
    return true;
}

void ResourceTableView::showEvent(QShowEvent* event) {
    m_ageTimer.start();
    QTableView::showEvent(event);
}

void ResourceTableView::hideEvent(QHideEvent* event) {
    m_ageTimer.stop();
    QTableView::hideEvent(event);
}

} // namespace pilot::gui
