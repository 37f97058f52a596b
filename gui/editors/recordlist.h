#pragma once

#include "gui/editors/formsection.h"

#include <boost/json/value.hpp>

#include <QList>

#include <functional>

class QPushButton;
class QVBoxLayout;

namespace pilot::gui {

/// A list field edited as rows (containers, ports, env, volumes, tolerations...): one row section
/// per array item, each with a Remove button, and an Add button that appends a new item. Rows are
/// reused by index, so removing item 2 of 4 reloads rows 2 and 3 and drops the last. Removing the
/// last item removes the list field itself.
class RecordList : public FormSection {
    Q_OBJECT
public:
    using RowFactory = std::function<FormSection*(ObjectDocument* document, QWidget* parent)>;
    using ItemFactory = std::function<boost::json::value(int index)>;

    RecordList(ObjectDocument* document, RowFactory makeRow, ItemFactory makeItem,
               TextFunction addText, QWidget* parent = nullptr);

    void load(QObject* origin) override;
    [[nodiscard]] int count() const { return int(m_rows.size()); }
    [[nodiscard]] FormSection* row(int index) const { return m_rows.value(index); }
    [[nodiscard]] QPushButton* addButton() const { return m_add; }
    /// Appends a new item (as the Add button does).
    void addItem();
    void removeItem(int index);
    /// Rows framed as boxes (containers) instead of plain lines.
    void setFramed(bool framed) { m_framed = framed; }

Q_SIGNALS:
    void countChanged(int count);

private:
    void syncRows(int count);

    RowFactory m_makeRow;
    ItemFactory m_makeItem;
    QVBoxLayout* m_rowsLayout;
    QPushButton* m_add;
    QList<FormSection*> m_rows;
    QList<QWidget*> m_frames;
    bool m_framed = false;
};

} // namespace pilot::gui
