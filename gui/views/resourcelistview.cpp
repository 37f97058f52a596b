#include "gui/views/resourcelistview.h"

#include "gui/models/clustersession.h"
#include "gui/models/navigationmodel.h"
#include "gui/models/resourcefilterproxy.h"
#include "gui/views/actioncontroller.h"
#include "gui/views/resourcetableview.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QToolBar>
#include <QVBoxLayout>

namespace pilot::gui {

namespace {

ResourceListView::CreateFlow& createFlow() {
    static ResourceListView::CreateFlow flow;
    return flow;
}

} // namespace

void ResourceListView::setCreateFlow(CreateFlow flow) {
    createFlow() = std::move(flow);
}

ResourceListView::ResourceListView(ClusterSession* session, ResourceType type,
                                   ActionController* controller, QWidget* parent)
    : QWidget(parent), m_session(session), m_type(std::move(type)) {
    setObjectName(QStringLiteral("resourceList_") + m_type.id());
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 4);
    layout->setSpacing(6);

    auto* header = new QHBoxLayout;
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("listTitle"));
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_count = new QLabel(this);
    m_count->setObjectName(QStringLiteral("listCount"));
    m_count->setForegroundRole(QPalette::PlaceholderText);
    header->addWidget(m_title);
    header->addWidget(m_count);
    header->addStretch();
    layout->addLayout(header);

    auto* filters = new QHBoxLayout;
    m_text = new QLineEdit(this);
    m_text->setObjectName(QStringLiteral("textFilter"));
    m_text->setClearButtonEnabled(true);
    m_labels = new QLineEdit(this);
    m_labels->setObjectName(QStringLiteral("labelFilter"));
    m_labels->setClearButtonEnabled(true);
    filters->addWidget(m_text, 2);
    filters->addWidget(m_labels, 3);
    layout->addLayout(filters);
    m_labelError = new QLabel(this);
    m_labelError->setObjectName(QStringLiteral("labelFilterError"));
    QPalette errorPalette = m_labelError->palette();
    errorPalette.setColor(QPalette::WindowText, QColor(0xc0, 0x1c, 0x28));
    m_labelError->setPalette(errorPalette);
    m_labelError->setWordWrap(true);
    m_labelError->hide();
    layout->addWidget(m_labelError);

    m_toolBar = new QToolBar(this);
    m_toolBar->setObjectName(QStringLiteral("listActions"));
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_toolBar->setIconSize(QSize(16, 16));
    layout->addWidget(m_toolBar);

    m_proxy = new ResourceFilterProxy(this);
    m_proxy->setSourceModel(session->model(m_type));
    m_table = new ResourceTableView(this);
    m_table->setProxy(m_proxy);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    layout->addWidget(m_table, 1);

    m_actions = new ResourceActions(controller, this);
    m_actions->setType(m_type);
    if (createFlow() && m_type.supports(QStringLiteral("create"))) {
        m_create = m_toolBar->addAction(
            QString(), this, [this] { createFlow()(m_session, m_type, m_namespace, this); });
        m_create->setObjectName(QStringLiteral("actionCreate"));
        m_toolBar->addSeparator();
    }
    m_toolBar->addActions(m_actions->actions());
    addActions(m_actions->actions()); // shortcuts (Delete) work from the table

    connect(m_text, &QLineEdit::textChanged, m_proxy, &ResourceFilterProxy::setTextFilter);
    connect(m_labels, &QLineEdit::textChanged, this, [this](const QString& text) {
        QString error = m_proxy->setLabelFilter(text);
        m_labelError->setText(error.isEmpty() ? QString() : tr("Label selector: %1").arg(error));
        m_labelError->setVisible(!error.isEmpty());
    });
    connect(m_table, &ResourceTableView::selectionChangedRecords, this,
            [this] { m_actions->setRecords(m_table->selectedRecords()); });
    // Rows change under a selection (status, pause state): keep the actions right.
    connect(m_proxy, &QAbstractItemModel::dataChanged, this,
            [this] { m_actions->setRecords(m_table->selectedRecords()); });
    connect(m_table, &ResourceTableView::activatedRecord, this,
            [this](const RecordPtr& record) { Q_EMIT openDetail(m_type, record); });
    connect(m_table, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        auto* menu = new QMenu(this);
        menu->setAttribute(Qt::WA_DeleteOnClose);
        menu->addActions(m_actions->actions());
        menu->popup(m_table->viewport()->mapToGlobal(pos)); // no nested event loop
    });
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved}) {
        connect(m_proxy, signal, this, &ResourceListView::updateCount);
    }
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &ResourceListView::updateCount);
    // Rows filtered out still change the total.
    connect(m_proxy->resourceModel(), &ResourceModel::contentChanged, this,
            &ResourceListView::updateCount);
    connect(session, &ClusterSession::synced, this, &ResourceListView::updateCount);
    retranslate();
}

void ResourceListView::setNamespace(const QString& ns) {
    m_namespace = ns;
    m_proxy->setNamespaceFilter(ns);
    retranslate();
}

void ResourceListView::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) {
        retranslate();
    }
    QWidget::changeEvent(event);
}

void ResourceListView::retranslate() {
    QString kind = NavigationModel::kindTitle(m_type);
    if (!m_type.namespaced) {
        m_title->setText(kind);
    } else if (m_namespace.isEmpty()) {
        m_title->setText(tr("%1 in all namespaces").arg(kind));
    } else {
        m_title->setText(tr("%1 in namespace %2").arg(kind, m_namespace));
    }
    m_text->setPlaceholderText(tr("Filter by name or text"));
    if (m_create) {
        m_create->setText(tr("Create…"));
    }
    m_labels->setPlaceholderText(tr("Label selector, e.g. app=web,tier!=db"));
    updateCount();
}

void ResourceListView::updateCount() {
    if (m_session && !m_session->hasSynced(m_type)) {
        m_count->setText(tr("loading…"));
        return;
    }
    int shown = m_proxy->rowCount();
    int total = m_proxy->resourceModel() ? m_proxy->resourceModel()->rowCount() : shown;
    m_count->setText(shown == total ? tr("%n object(s)", nullptr, shown)
                                    : tr("%1 of %n object(s)", nullptr, total).arg(shown));
}

} // namespace pilot::gui
