#pragma once

#include "gui/client/kubeconfigset.h"
#include "gui/client/resourcetype.h"

#include <QAbstractItemModel>
#include <QPointer>

#include <memory>

namespace pilot::gui {

class ClusterSession;

/// The navigation tree, like Kuboard's: every kubeconfig context at the top; an open one lists
/// Overview, then "All namespaces" and each namespace, each with the categories Workloads,
/// Services & Ingress, Config, Storage, Cluster and Custom resources, and the kinds under them.
/// Namespaces and custom resources follow the cluster live (rows inserted and removed, never a
/// reset). Titles are translated at data() time and refreshed on language changes.
class NavigationModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum class NodeType { Context, Overview, Namespace, Category, Kind };
    Q_ENUM(NodeType)
    enum class Category { Workloads, Network, Config, Storage, Cluster, Custom };
    Q_ENUM(Category)
    enum Role {
        NodeTypeRole = Qt::UserRole + 1, ///< NodeType (int).
        ContextRole,                     ///< Context name.
        NamespaceRole,                   ///< Namespace; empty for "All namespaces".
        CategoryRole,                    ///< Category (int).
        ResourceTypeRole,                ///< ResourceType (kinds only).
        IsOpenRole,                      ///< Contexts: whether a session is open.
    };

    explicit NavigationModel(QObject* parent = nullptr);
    ~NavigationModel() override;

    void setContexts(const QList<ContextInfo>& contexts);
    /// Adds one context (e.g. the local cluster) unless it is listed already.
    void addContext(const ContextInfo& context);
    /// Attaches an open session to its context (nullptr closes it).
    void setSession(const QString& context, ClusterSession* session);

    [[nodiscard]] QModelIndex contextIndex(const QString& context) const;
    [[nodiscard]] QModelIndex overviewIndex(const QString& context) const;
    /// The kind node under a namespace ("" = All namespaces) of an open context.
    [[nodiscard]] QModelIndex kindIndex(const QString& context, const QString& ns,
                                        const ResourceType& type) const;
    [[nodiscard]] QModelIndex namespaceIndex(const QString& context, const QString& ns) const;

    /// Translated plural title of a kind ("Deployments"); custom resources use their kind.
    [[nodiscard]] static QString kindTitle(const ResourceType& type);
    [[nodiscard]] static QString categoryTitle(Category category);
    /// The built-in kinds of a category, in display order.
    [[nodiscard]] static QList<ResourceType> kindsOf(Category category);

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    struct Node;
    [[nodiscard]] Node* nodeOf(const QModelIndex& index) const;
    [[nodiscard]] QModelIndex indexOf(Node* node) const;
    [[nodiscard]] Node* contextNode(const QString& context) const;
    void fillSession(Node* context);
    void syncNamespaces(Node* context);
    void syncCustomResources(Node* context);
    [[nodiscard]] std::unique_ptr<Node> makeNamespace(Node* context, const QString& ns);
    void insertChild(Node* parent, int row, std::unique_ptr<Node> child);
    void removeChildren(Node* parent, int first, int last);
    void emitAllChanged(Node* node);

    std::unique_ptr<Node> m_root;
};

} // namespace pilot::gui
