#include "gui/views/statusdelegate.h"

#include <QPainter>

namespace pilot::gui {

void StatusDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                           const QModelIndex& index) const {
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    QColor color = index.data(Qt::ForegroundRole).value<QColor>();
    int dot = opt.fontMetrics.height() / 2;
    int margin = dot / 2 + 2;
    // Background and selection as usual, without the text.
    QString text = opt.text;
    opt.text.clear();
    const QWidget* widget = option.widget;
    QStyle* style = widget ? widget->style() : nullptr;
    if (style) {
        style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);
    }
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    QRect r = option.rect.adjusted(margin, 0, 0, 0);
    if (color.isValid()) {
        painter->setPen(Qt::NoPen);
        painter->setBrush(color);
        painter->drawEllipse(QRect(r.left(), r.center().y() - dot / 2, dot, dot));
    }
    r.setLeft(r.left() + dot + margin);
    bool selected = option.state & QStyle::State_Selected;
    painter->setPen(
        selected || !color.isValid()
            ? option.palette.color(selected ? QPalette::HighlightedText : QPalette::Text)
            : color);
    painter->drawText(r, Qt::AlignVCenter | Qt::AlignLeft,
                      opt.fontMetrics.elidedText(text, Qt::ElideRight, r.width()));
    painter->restore();
}

QSize StatusDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const {
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    return {size.width() + option.fontMetrics.height(), size.height()};
}

} // namespace pilot::gui
