#pragma once

#include "gui/client/connectionconfig.h"
#include "gui/client/kubeconfigset.h"
#include "gui/cluster/localcluster.h"

#include <QHash>
#include <QObject>
#include <QPointer>

namespace pilot::gui {

class ClusterSession;

/// What clusters the console knows and which are open: the merged kubeconfig contexts (plus
/// files opened later and the local cluster), one ClusterSession per open context, and the
/// bundled local cluster's lifecycle. Several contexts can be open at once.
class ClusterManager : public QObject {
    Q_OBJECT
public:
    /// `files` as KubeconfigSet::defaultFiles gives them; `required` when the user named one.
    ClusterManager(QStringList files, bool required, LocalCluster::Options local,
                   QObject* parent = nullptr);
    ~ClusterManager() override;

    /// (Re)reads the kubeconfig files; the error (if any) is kept in loadError().
    void reload();
    [[nodiscard]] QString loadError() const { return m_loadError; }
    /// Every context, the local cluster's included once it has started.
    [[nodiscard]] QList<ContextInfo> contexts() const;
    [[nodiscard]] QString currentContext() const { return m_kubeconfig.currentContext(); }
    /// Adds a kubeconfig file chosen by the user and re-reads.
    void addFile(const QString& path);

    /// Opens a context; returns the session, or nullptr with `error` set.
    ClusterSession* open(const QString& context, QString* error = nullptr);
    void close(const QString& context);
    [[nodiscard]] ClusterSession* session(const QString& context) const;
    [[nodiscard]] QStringList openContexts() const { return m_sessions.keys(); }

    [[nodiscard]] LocalCluster* localCluster() const { return m_local; }
    void startLocal();
    void stopLocal();

Q_SIGNALS:
    void contextsChanged();
    void sessionOpened(const QString& context, pilot::gui::ClusterSession* session);
    void sessionClosed(const QString& context);
    /// The local cluster's API is up and its context has been opened.
    void localOpened(const QString& context);

private:
    void onLocalEngineStarted(const QString& kubeconfig);

    QStringList m_files;
    bool m_required;
    KubeconfigSet m_kubeconfig;
    QString m_loadError;
    std::optional<ConnectionConfig> m_localConfig;
    QHash<QString, ClusterSession*> m_sessions;
    LocalCluster* m_local = nullptr;
};

} // namespace pilot::gui
