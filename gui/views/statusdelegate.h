#pragma once

#include <QStyledItemDelegate>

namespace pilot::gui {

/// Paints a status cell as a coloured dot followed by the text in the health colour (the model
/// provides the colour through Qt::ForegroundRole and the health through HealthRole).
class StatusDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

} // namespace pilot::gui
