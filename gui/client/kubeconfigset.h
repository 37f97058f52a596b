#pragma once

#include "gui/client/connectionconfig.h"
#include "gui/client/expected.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace pilot::gui {

/// One context as listed to the user (nothing resolved yet).
struct ContextInfo {
    QString name;
    QString cluster;
    QString user;
    QString namespaceName;
    QString server;
    QString sourceFile; ///< The kubeconfig file that defined the context.
};

/// The merged view of one or more kubeconfig files, following kubectl's rules: files from
/// `--kubeconfig`, else `$KUBECONFIG` (colon-separated, missing files skipped), else
/// `~/.kube/config`; for clusters, users and contexts the first file that defines a name wins,
/// and `current-context` comes from the first file that sets it. Relative file references
/// resolve against the directory of the file that holds them. Plain data; not a QObject.
class KubeconfigSet {
public:
    /// The files kubectl would read: `explicitFile` if given, else `KUBECONFIG` entries (taken
    /// from `kubeconfigEnv`), else `home/.kube/config`.
    [[nodiscard]] static QStringList
    defaultFiles(const QString& explicitFile, const QString& kubeconfigEnv, const QString& home);

    /// Loads and merges `files`. A file that does not exist is skipped unless `required`; a file
    /// that exists but does not parse is an error naming it.
    [[nodiscard]] static Expected<KubeconfigSet> load(const QStringList& files,
                                                      bool required = false);

    /// Parses one document (for tests and in-memory configs); relative paths resolve against
    /// `baseDir`.
    [[nodiscard]] static Expected<KubeconfigSet>
    fromText(const QByteArray& yaml, const QString& baseDir, const QString& origin);

    [[nodiscard]] const QList<ContextInfo>& contexts() const { return m_contexts; }
    [[nodiscard]] QString currentContext() const { return m_currentContext; }
    [[nodiscard]] QStringList files() const { return m_files; }
    [[nodiscard]] bool isEmpty() const { return m_contexts.isEmpty(); }
    [[nodiscard]] bool hasContext(const QString& name) const;

    /// Resolves a context (empty: the current one) into connection settings: `*-data` decoded,
    /// files read, exec plugin settings copied. Errors name the file, entry and field.
    [[nodiscard]] Expected<ConnectionConfig> resolve(const QString& context = {}) const;

private:
    struct Entry {
        QJsonObject body;
        QString baseDir;
        QString origin;
    };
    void merge(const QJsonObject& root, const QString& baseDir, const QString& origin);
    void listContexts();
    [[nodiscard]] static Expected<QByteArray> dataOrFile(const Entry& entry, const QString& key,
                                                         const QString& what);

    QList<QPair<QString, Entry>> m_clusters;
    QList<QPair<QString, Entry>> m_users;
    QList<QPair<QString, Entry>> m_contextEntries;
    QList<ContextInfo> m_contexts;
    QString m_currentContext;
    QStringList m_files;
};

} // namespace pilot::gui
