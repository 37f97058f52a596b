#include "gui/models/navigationmodel.h"

#include "gui/models/clustersession.h"
#include "gui/models/namespacemodel.h"

#include <QCoreApplication>
#include <QEvent>
#include <QFont>
#include <QSet>

namespace pilot::gui {

struct NavigationModel::Node {
    NodeType type = NodeType::Context;
    Node* parent = nullptr;
    std::vector<std::unique_ptr<Node>> children;
    ContextInfo context;
    QString ns;
    bool allNamespaces = false;
    Category category = Category::Workloads;
    ResourceType kind;
    QPointer<ClusterSession> session; // context nodes only
    QList<QMetaObject::Connection> connections;

    [[nodiscard]] int row() const {
        if (!parent) {
            return 0;
        }
        for (size_t i = 0; i < parent->children.size(); ++i) {
            if (parent->children[i].get() == this) {
                return int(i);
            }
        }
        return 0;
    }
    [[nodiscard]] Node* contextNode() {
        Node* n = this;
        while (n && n->type != NodeType::Context) {
            n = n->parent;
        }
        return n;
    }
};

NavigationModel::NavigationModel(QObject* parent)
    : QAbstractItemModel(parent), m_root(std::make_unique<Node>()) {
    if (QCoreApplication::instance()) {
        QCoreApplication::instance()->installEventFilter(this);
    }
}

NavigationModel::~NavigationModel() {
    for (auto& context : m_root->children) {
        for (const auto& connection : context->connections) {
            disconnect(connection);
        }
    }
}

bool NavigationModel::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::LanguageChange && watched == QCoreApplication::instance()) {
        emitAllChanged(m_root.get());
    }
    return QAbstractItemModel::eventFilter(watched, event);
}

void NavigationModel::emitAllChanged(Node* node) {
    if (!node->children.empty()) {
        QModelIndex parentIndex = indexOf(node);
        Q_EMIT dataChanged(index(0, 0, parentIndex),
                           index(int(node->children.size()) - 1, 0, parentIndex));
        for (auto& child : node->children) {
            emitAllChanged(child.get());
        }
    }
}

QList<ResourceType> NavigationModel::kindsOf(Category category) {
    switch (category) {
    case Category::Workloads:
        return {ResourceType::deployments(), ResourceType::statefulSets(),
                ResourceType::daemonSets(),  ResourceType::jobs(),
                ResourceType::cronJobs(),    ResourceType::pods()};
    case Category::Network:
        return {ResourceType::services(), ResourceType::ingresses()};
    case Category::Config:
        return {ResourceType::configMaps(), ResourceType::secrets()};
    case Category::Storage:
        return {ResourceType::persistentVolumeClaims(), ResourceType::persistentVolumes(),
                ResourceType::storageClasses()};
    case Category::Cluster:
        return {ResourceType::nodes(), ResourceType::namespaces(), ResourceType::events()};
    case Category::Custom:
        break;
    }
    return {};
}

QString NavigationModel::categoryTitle(Category category) {
    switch (category) {
    case Category::Workloads:
        return tr("Workloads");
    case Category::Network:
        return tr("Services & Ingress");
    case Category::Config:
        return tr("Config");
    case Category::Storage:
        return tr("Storage");
    case Category::Cluster:
        return tr("Cluster");
    case Category::Custom:
        return tr("Custom resources");
    }
    return {};
}

QString NavigationModel::kindTitle(const ResourceType& type) {
    const QString id = type.id();
    if (id == ResourceType::deployments().id()) {
        return tr("Deployments");
    }
    if (id == ResourceType::statefulSets().id()) {
        return tr("StatefulSets");
    }
    if (id == ResourceType::daemonSets().id()) {
        return tr("DaemonSets");
    }
    if (id == ResourceType::jobs().id()) {
        return tr("Jobs");
    }
    if (id == ResourceType::cronJobs().id()) {
        return tr("CronJobs");
    }
    if (id == ResourceType::pods().id()) {
        return tr("Pods");
    }
    if (id == ResourceType::services().id()) {
        return tr("Services");
    }
    if (id == ResourceType::ingresses().id()) {
        return tr("Ingresses");
    }
    if (id == ResourceType::configMaps().id()) {
        return tr("ConfigMaps");
    }
    if (id == ResourceType::secrets().id()) {
        return tr("Secrets");
    }
    if (id == ResourceType::persistentVolumeClaims().id()) {
        return tr("Persistent volume claims");
    }
    if (id == ResourceType::persistentVolumes().id()) {
        return tr("Persistent volumes");
    }
    if (id == ResourceType::storageClasses().id()) {
        return tr("Storage classes");
    }
    if (id == ResourceType::nodes().id()) {
        return tr("Nodes");
    }
    if (id == ResourceType::namespaces().id()) {
        return tr("Namespaces");
    }
    if (id == ResourceType::events().id()) {
        return tr("Events");
    }
    return type.kind; // custom resources: the kind as its authors named it
}

NavigationModel::Node* NavigationModel::nodeOf(const QModelIndex& index) const {
    return index.isValid() ? static_cast<Node*>(index.internalPointer()) : m_root.get();
}

QModelIndex NavigationModel::indexOf(Node* node) const {
    if (!node || node == m_root.get()) {
        return {};
    }
    return createIndex(node->row(), 0, node);
}

QModelIndex NavigationModel::index(int row, int column, const QModelIndex& parent) const {
    Node* p = nodeOf(parent);
    if (column != 0 || row < 0 || row >= int(p->children.size())) {
        return {};
    }
    return createIndex(row, 0, p->children[size_t(row)].get());
}

QModelIndex NavigationModel::parent(const QModelIndex& child) const {
    if (!child.isValid()) {
        return {};
    }
    return indexOf(nodeOf(child)->parent);
}

int NavigationModel::rowCount(const QModelIndex& parent) const {
    if (parent.isValid() && parent.column() != 0) {
        return 0;
    }
    return int(nodeOf(parent)->children.size());
}

int NavigationModel::columnCount(const QModelIndex&) const {
    return 1;
}

QVariant NavigationModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid()) {
        return {};
    }
    Node* node = nodeOf(index);
    switch (role) {
    case Qt::DisplayRole:
        switch (node->type) {
        case NodeType::Context:
            return node->context.name;
        case NodeType::Overview:
            return tr("Overview");
        case NodeType::Namespace:
            return node->allNamespaces ? tr("All namespaces") : node->ns;
        case NodeType::Category:
            return categoryTitle(node->category);
        case NodeType::Kind:
            return kindTitle(node->kind);
        }
        return {};
    case Qt::ToolTipRole:
        if (node->type == NodeType::Context) {
            return tr("%1 (%2)").arg(node->context.server, node->context.sourceFile);
        }
        if (node->type == NodeType::Kind) {
            return QString(node->kind.apiVersion() + QLatin1Char(' ') + node->kind.kind);
        }
        return {};
    case Qt::FontRole:
        if (node->type == NodeType::Context && node->session) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case NodeTypeRole:
        return int(node->type);
    case ContextRole: {
        Node* context = node->contextNode();
        return context ? context->context.name : QString();
    }
    case NamespaceRole: {
        Node* n = node;
        while (n && n->type != NodeType::Namespace) {
            n = n->parent;
        }
        return n ? n->ns : QString();
    }
    case CategoryRole:
        return node->type == NodeType::Category || node->type == NodeType::Kind
                   ? QVariant(int(node->type == NodeType::Kind ? node->parent->category
                                                               : node->category))
                   : QVariant();
    case ResourceTypeRole:
        return node->type == NodeType::Kind ? QVariant::fromValue(node->kind) : QVariant();
    case IsOpenRole:
        return node->type == NodeType::Context && !node->session.isNull();
    default:
        return {};
    }
}

NavigationModel::Node* NavigationModel::contextNode(const QString& context) const {
    for (auto& child : m_root->children) {
        if (child->context.name == context) {
            return child.get();
        }
    }
    return nullptr;
}

void NavigationModel::insertChild(Node* parent, int row, std::unique_ptr<Node> child) {
    beginInsertRows(indexOf(parent), row, row);
    child->parent = parent;
    parent->children.insert(parent->children.begin() + row, std::move(child));
    endInsertRows();
}

void NavigationModel::removeChildren(Node* parent, int first, int last) {
    if (first > last) {
        return;
    }
    beginRemoveRows(indexOf(parent), first, last);
    parent->children.erase(parent->children.begin() + first, parent->children.begin() + last + 1);
    endRemoveRows();
}

void NavigationModel::setContexts(const QList<ContextInfo>& contexts) {
    // Contexts no longer listed go (unless open); new ones are appended in order.
    QSet<QString> wanted;
    for (const ContextInfo& context : contexts) {
        wanted.insert(context.name);
    }
    for (int row = int(m_root->children.size()) - 1; row >= 0; --row) {
        Node* node = m_root->children[size_t(row)].get();
        if (!wanted.contains(node->context.name) && !node->session) {
            removeChildren(m_root.get(), row, row);
        }
    }
    for (const ContextInfo& context : contexts) {
        if (Node* existing = contextNode(context.name)) {
            existing->context = context;
            continue;
        }
        addContext(context);
    }
}

void NavigationModel::addContext(const ContextInfo& context) {
    if (contextNode(context.name)) {
        return;
    }
    auto node = std::make_unique<Node>();
    node->type = NodeType::Context;
    node->context = context;
    insertChild(m_root.get(), int(m_root->children.size()), std::move(node));
}

std::unique_ptr<NavigationModel::Node> NavigationModel::makeNamespace(Node* context,
                                                                      const QString& ns) {
    auto node = std::make_unique<Node>();
    node->type = NodeType::Namespace;
    node->ns = ns;
    node->allNamespaces = ns.isEmpty();
    for (Category category : {Category::Workloads, Category::Network, Category::Config,
                              Category::Storage, Category::Cluster, Category::Custom}) {
        auto cat = std::make_unique<Node>();
        cat->type = NodeType::Category;
        cat->category = category;
        cat->parent = node.get();
        QList<ResourceType> kinds = kindsOf(category);
        if (category == Category::Custom && context->session &&
            context->session->discovery()->isLoaded()) {
            kinds = context->session->discovery()->customResources();
        }
        for (const ResourceType& type : kinds) {
            auto kind = std::make_unique<Node>();
            kind->type = NodeType::Kind;
            kind->kind = type;
            kind->parent = cat.get();
            cat->children.push_back(std::move(kind));
        }
        node->children.push_back(std::move(cat));
    }
    return node;
}

void NavigationModel::setSession(const QString& context, ClusterSession* session) {
    Node* node = contextNode(context);
    if (!node) {
        return;
    }
    for (const auto& connection : node->connections) {
        disconnect(connection);
    }
    node->connections.clear();
    removeChildren(node, 0, int(node->children.size()) - 1);
    node->session = session;
    QModelIndex index = indexOf(node);
    Q_EMIT dataChanged(index, index);
    if (!session) {
        return;
    }
    fillSession(node);
}

void NavigationModel::fillSession(Node* context) {
    auto overview = std::make_unique<Node>();
    overview->type = NodeType::Overview;
    insertChild(context, 0, std::move(overview));
    insertChild(context, 1, makeNamespace(context, QString()));
    syncNamespaces(context);
    ClusterSession* session = context->session;
    NamespaceModel* namespaces = session->namespaces();
    auto sync = [this, context] { syncNamespaces(context); };
    context->connections << connect(namespaces, &QAbstractItemModel::rowsInserted, this, sync)
                         << connect(namespaces, &QAbstractItemModel::rowsRemoved, this, sync)
                         << connect(namespaces, &QAbstractItemModel::modelReset, this, sync)
                         << connect(session, &ClusterSession::discoveryUpdated, this,
                                    [this, context] { syncCustomResources(context); });
}

void NavigationModel::syncNamespaces(Node* context) {
    if (!context->session) {
        return;
    }
    QStringList names;
    NamespaceModel* model = context->session->namespaces();
    for (const RecordPtr& record : model->records()) {
        names << record->name;
    }
    names.sort();
    // Children: Overview, All namespaces, then namespaces sorted by name.
    constexpr int First = 2;
    int row = First;
    int i = 0;
    while (i < names.size() || row < int(context->children.size())) {
        Node* existing =
            row < int(context->children.size()) ? context->children[size_t(row)].get() : nullptr;
        if (i < names.size() && (!existing || names.at(i) < existing->ns)) {
            insertChild(context, row, makeNamespace(context, names.at(i)));
            ++row;
            ++i;
        } else if (existing && (i >= names.size() || existing->ns < names.at(i))) {
            removeChildren(context, row, row);
        } else {
            ++row;
            ++i;
        }
    }
}

void NavigationModel::syncCustomResources(Node* context) {
    if (!context->session) {
        return;
    }
    QList<ResourceType> custom = context->session->discovery()->customResources();
    for (auto& nsNode : context->children) {
        if (nsNode->type != NodeType::Namespace) {
            continue;
        }
        for (auto& cat : nsNode->children) {
            if (cat->category != Category::Custom) {
                continue;
            }
            QList<ResourceType> current;
            for (auto& kind : cat->children) {
                current << kind->kind;
            }
            if (current == custom) {
                continue;
            }
            removeChildren(cat.get(), 0, int(cat->children.size()) - 1);
            for (const ResourceType& type : custom) {
                auto kind = std::make_unique<Node>();
                kind->type = NodeType::Kind;
                kind->kind = type;
                insertChild(cat.get(), int(cat->children.size()), std::move(kind));
            }
        }
    }
}

QModelIndex NavigationModel::contextIndex(const QString& context) const {
    return indexOf(contextNode(context));
}

QModelIndex NavigationModel::overviewIndex(const QString& context) const {
    Node* node = contextNode(context);
    if (!node) {
        return {};
    }
    for (auto& child : node->children) {
        if (child->type == NodeType::Overview) {
            return indexOf(child.get());
        }
    }
    return {};
}

QModelIndex NavigationModel::namespaceIndex(const QString& context, const QString& ns) const {
    Node* node = contextNode(context);
    if (!node) {
        return {};
    }
    for (auto& child : node->children) {
        if (child->type == NodeType::Namespace && child->ns == ns) {
            return indexOf(child.get());
        }
    }
    return {};
}

QModelIndex NavigationModel::kindIndex(const QString& context, const QString& ns,
                                       const ResourceType& type) const {
    Node* nsNode = nodeOf(namespaceIndex(context, ns));
    if (!nsNode || nsNode == m_root.get()) {
        return {};
    }
    for (auto& cat : nsNode->children) {
        for (auto& kind : cat->children) {
            if (kind->kind == type) {
                return indexOf(kind.get());
            }
        }
    }
    return {};
}

} // namespace pilot::gui
