#pragma once

#include "gui/client/objectrecord.h"

#include <QTableView>
#include <QTimer>

namespace pilot::gui {

class ResourceFilterProxy;

/// A table of objects tuned for tens of thousands of rows: fixed row heights, no word wrap,
/// interactive column widths sized once, sorting, multi-row selection, the status column painted
/// by StatusDelegate, and ages repainted every few seconds while visible.
class ResourceTableView : public QTableView {
    Q_OBJECT
public:
    explicit ResourceTableView(QWidget* parent = nullptr);

    void setProxy(ResourceFilterProxy* proxy);
    [[nodiscard]] ResourceFilterProxy* proxy() const { return m_proxy; }
    [[nodiscard]] QList<RecordPtr> selectedRecords() const;
    /// Selects the row of `key` (namespace/name) if shown; returns whether it is.
    bool selectKey(const QString& key);
    /// The view row showing `key`, or -1.
    [[nodiscard]] int rowOfKey(const QString& key) const;

Q_SIGNALS:
    void selectionChangedRecords();
    void activatedRecord(const pilot::gui::RecordPtr& record);

protected:
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;

private:
    void sizeColumns();

    ResourceFilterProxy* m_proxy = nullptr;
    QTimer m_ageTimer;
    bool m_sized = false;
};

} // namespace pilot::gui
