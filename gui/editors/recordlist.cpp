#include "gui/editors/recordlist.h"

#include "gui/editors/objectdocument.h"

#include <boost/json/array.hpp>

#include <QEvent>
#include <QFrame>
#include <QHBoxLayout>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

namespace pilot::gui {

namespace json = boost::json;

namespace {

/// The frame around one row, with its Remove button.
class RowFrame : public QFrame {
public:
    RowFrame(bool framed, QWidget* parent) : QFrame(parent), m_remove(new QToolButton(this)) {
        if (framed) {
            setFrameShape(QFrame::StyledPanel);
        }
        m_remove->setObjectName(QStringLiteral("removeRow"));
        m_remove->setText(QStringLiteral("\u2715"));
        retranslate();
    }
    [[nodiscard]] QToolButton* removeButton() const { return m_remove; }

protected:
    void changeEvent(QEvent* event) override {
        if (event->type() == QEvent::LanguageChange) {
            retranslate();
        }
        QFrame::changeEvent(event);
    }

private:
    void retranslate() { m_remove->setToolTip(RecordList::tr("Remove")); }

    QToolButton* m_remove;
};

} // namespace

RecordList::RecordList(ObjectDocument* document, RowFactory makeRow, ItemFactory makeItem,
                       TextFunction addText, QWidget* parent)
    : FormSection(document, parent), m_makeRow(std::move(makeRow)), m_makeItem(std::move(makeItem)),
      m_rowsLayout(new QVBoxLayout), m_add(new QPushButton(this)) {
    m_add->setObjectName(QStringLiteral("add"));
    m_rowsLayout->setContentsMargins(0, 0, 0, 0);
    m_rowsLayout->setSpacing(4);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(m_rowsLayout);
    layout->addWidget(m_add, 0, Qt::AlignLeft);
    translated([this, addText] { m_add->setText(addText()); });
    connect(m_add, &QPushButton::clicked, this, &RecordList::addItem);
}

void RecordList::addItem() {
    const int index = count();
    const json::value* current = valueAt({});
    json::value item = m_makeItem(index);
    document()->edit(
        [&](json::object& object) {
            json::value* list = base().ensure(object);
            if (list == nullptr) {
                return;
            }
            if (!list->is_array()) {
                *list = json::array();
            }
            list->as_array().push_back(std::move(item));
        },
        this);
    Q_UNUSED(current);
}

void RecordList::removeItem(int index) {
    const json::value* list = valueAt({});
    if (list == nullptr || !list->is_array()) {
        return;
    }
    if (list->as_array().size() <= 1) {
        document()->remove(base(), this, base().size() - 1);
        return;
    }
    document()->remove(base() / index, this, base().size());
}

void RecordList::load(QObject* origin) {
    const json::value* list = valueAt({});
    const int n = list != nullptr && list->is_array() ? int(list->as_array().size()) : 0;
    syncRows(n);
    FormSection::load(origin);
}

void RecordList::syncRows(int n) {
    const int before = count();
    while (count() > n) {
        FormSection* row = m_rows.takeLast();
        QWidget* frame = m_frames.takeLast();
        removeSection(row);
        frame->deleteLater();
        frame->hide();
    }
    while (count() < n) {
        const int index = count();
        auto* frame = new RowFrame(m_framed, this);
        auto* layout = new QHBoxLayout(frame);
        layout->setContentsMargins(m_framed ? 6 : 0, m_framed ? 6 : 0, m_framed ? 6 : 0,
                                   m_framed ? 6 : 0);
        FormSection* row = m_makeRow(document(), frame);
        QToolButton* remove = frame->removeButton();
        layout->addWidget(row, 1);
        layout->addWidget(remove, 0, Qt::AlignTop);
        connect(remove, &QToolButton::clicked, this, [this, row] {
            const int at = int(m_rows.indexOf(row));
            if (at >= 0) {
                removeItem(at);
            }
        });
        m_rows.append(row);
        m_frames.append(frame);
        addSection(row, FieldPath{index});
        m_rowsLayout->addWidget(frame);
        frame->show();
    }
    if (before != n) {
        Q_EMIT countChanged(n);
    }
}

} // namespace pilot::gui
