#include "gui/views/navigationview.h"

#include "gui/models/navigationmodel.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QPushButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace pilot::gui {

NavigationView::NavigationView(NavigationModel* model, QWidget* parent)
    : QWidget(parent), m_model(model) {
    setObjectName(QStringLiteral("navigation"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 0, 4);
    m_tree = new QTreeView(this);
    m_tree->setObjectName(QStringLiteral("navigationTree"));
    m_tree->setModel(model);
    m_tree->header()->hide();
    m_tree->setUniformRowHeights(true);
    m_tree->setExpandsOnDoubleClick(true);
    m_tree->setMinimumWidth(230);
    layout->addWidget(m_tree, 1);
    auto* buttons = new QHBoxLayout;
    m_open = new QPushButton(this);
    m_open->setObjectName(QStringLiteral("openContext"));
    m_close = new QPushButton(this);
    m_close->setObjectName(QStringLiteral("closeContext"));
    buttons->addWidget(m_open);
    buttons->addWidget(m_close);
    layout->addLayout(buttons);

    connect(m_open, &QPushButton::clicked, this, [this] {
        if (QString context = currentContext(); !context.isEmpty()) {
            Q_EMIT openRequested(context);
        }
    });
    connect(m_close, &QPushButton::clicked, this, [this] {
        if (QString context = currentContext(); !context.isEmpty()) {
            Q_EMIT closeRequested(context);
        }
    });
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& current) {
                updateButtons();
                if (current.isValid()) {
                    Q_EMIT pageRequested(current);
                }
            });
    connect(m_tree, &QTreeView::activated, this, [this](const QModelIndex& index) {
        auto type = NavigationModel::NodeType(index.data(NavigationModel::NodeTypeRole).toInt());
        if (type == NavigationModel::NodeType::Context &&
            !index.data(NavigationModel::IsOpenRole).toBool()) {
            Q_EMIT openRequested(index.data(NavigationModel::ContextRole).toString());
        }
    });
    connect(model, &QAbstractItemModel::dataChanged, this, &NavigationView::updateButtons);
    connect(model, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex& where) {
        // Expand an opened context so that its overview and namespaces show.
        auto type = NavigationModel::NodeType(where.data(NavigationModel::NodeTypeRole).toInt());
        if (where.isValid() && type == NavigationModel::NodeType::Context) {
            m_tree->expand(where);
        }
    });
    retranslate();
    updateButtons();
}

QString NavigationView::currentContext() const {
    return m_tree->currentIndex().data(NavigationModel::ContextRole).toString();
}

void NavigationView::select(const QModelIndex& index) {
    if (index.isValid()) {
        m_tree->expand(index.parent());
        m_tree->setCurrentIndex(index);
        m_tree->scrollTo(index);
    }
}

void NavigationView::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) {
        retranslate();
    }
    QWidget::changeEvent(event);
}

void NavigationView::retranslate() {
    m_open->setText(tr("Open"));
    m_close->setText(tr("Close"));
    m_open->setToolTip(tr("Connect to the selected context"));
    m_close->setToolTip(tr("Disconnect from the selected context"));
}

void NavigationView::updateButtons() {
    QModelIndex current = m_tree->currentIndex();
    QModelIndex context =
        m_model->contextIndex(current.data(NavigationModel::ContextRole).toString());
    bool open = context.data(NavigationModel::IsOpenRole).toBool();
    m_open->setEnabled(context.isValid() && !open);
    m_close->setEnabled(context.isValid() && open);
}

} // namespace pilot::gui
