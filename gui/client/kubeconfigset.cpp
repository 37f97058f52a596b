#include "gui/client/kubeconfigset.h"

#include "kube/yaml.h"

#include <boost/json/serialize.hpp>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

namespace pilot::gui {

namespace {

QString str(const QJsonObject& object, const char* key) {
    return object.value(QLatin1String(key)).toString();
}

QString resolvePath(const QString& file, const QString& baseDir) {
    if (QDir::isAbsolutePath(file) || baseDir.isEmpty()) {
        return file;
    }
    return QDir(baseDir).filePath(file);
}

Expected<QByteArray> readFile(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return failure(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    }
    return file.readAll();
}

template <typename Entry>
const Entry* findNamed(const QList<QPair<QString, Entry>>& list, const QString& name) {
    for (const auto& [key, value] : list) {
        if (key == name) {
            return &value;
        }
    }
    return nullptr;
}

bool boolValue(const QJsonValue& value) {
    if (value.isBool()) {
        return value.toBool();
    }
    return value.toString() == QLatin1String("true");
}

} // namespace

QStringList KubeconfigSet::defaultFiles(const QString& explicitFile, const QString& kubeconfigEnv,
                                        const QString& home) {
    if (!explicitFile.isEmpty()) {
        return {explicitFile};
    }
    if (!kubeconfigEnv.isEmpty()) {
        QStringList files;
        for (const QString& part : kubeconfigEnv.split(QLatin1Char(':'), Qt::SkipEmptyParts)) {
            if (!files.contains(part)) {
                files << part;
            }
        }
        return files;
    }
    return {QDir(home).filePath(QStringLiteral(".kube/config"))};
}

Expected<KubeconfigSet> KubeconfigSet::load(const QStringList& files, bool required) {
    KubeconfigSet set;
    for (const QString& path : files) {
        if (!QFileInfo::exists(path)) {
            if (required) {
                return failure(QStringLiteral("%1: no such file").arg(path));
            }
            continue;
        }
        auto text = readFile(path);
        if (!text) {
            return failure(text.error());
        }
        auto parsed = fromText(*text, QFileInfo(path).absolutePath(), path);
        if (!parsed) {
            return failure(parsed.error());
        }
        set.m_files << path;
        for (const auto& [name, entry] : parsed->m_clusters) {
            if (!findNamed(set.m_clusters, name)) {
                set.m_clusters.append({name, entry});
            }
        }
        for (const auto& [name, entry] : parsed->m_users) {
            if (!findNamed(set.m_users, name)) {
                set.m_users.append({name, entry});
            }
        }
        for (const auto& [name, entry] : parsed->m_contextEntries) {
            if (!findNamed(set.m_contextEntries, name)) {
                set.m_contextEntries.append({name, entry});
            }
        }
        if (set.m_currentContext.isEmpty()) {
            set.m_currentContext = parsed->m_currentContext;
        }
    }
    // The listing is built after merging so that a context's server comes from the winning
    // cluster entry, whichever file defined it.
    set.listContexts();
    return set;
}

Expected<KubeconfigSet> KubeconfigSet::fromText(const QByteArray& yaml, const QString& baseDir,
                                                const QString& origin) {
    KubeconfigSet set;
    if (yaml.trimmed().isEmpty()) {
        return set; // an empty file is a valid, empty kubeconfig (kubectl agrees)
    }
    auto parsed = kube::parseYaml(std::string_view(yaml.constData(), size_t(yaml.size())));
    if (!parsed) {
        return failure(
            QStringLiteral("%1: %2").arg(origin, QString::fromStdString(parsed.error().message)));
    }
    if (!parsed->is_object()) {
        return failure(QStringLiteral("%1: not a kubeconfig").arg(origin));
    }
    std::string json = boost::json::serialize(*parsed);
    QJsonObject root = QJsonDocument::fromJson(QByteArray::fromStdString(json)).object();
    set.merge(root, baseDir, origin);
    set.m_files << origin;
    set.listContexts();
    return set;
}

void KubeconfigSet::merge(const QJsonObject& root, const QString& baseDir, const QString& origin) {
    auto section = [&](const char* list, const char* body, QList<QPair<QString, Entry>>& out) {
        for (const QJsonValue& item : root.value(QLatin1String(list)).toArray()) {
            QJsonObject object = item.toObject();
            QString name = str(object, "name");
            if (name.isEmpty() || findNamed(out, name)) {
                continue;
            }
            out.append(
                {name, Entry{object.value(QLatin1String(body)).toObject(), baseDir, origin}});
        }
    };
    section("clusters", "cluster", m_clusters);
    section("users", "user", m_users);
    section("contexts", "context", m_contextEntries);
    if (m_currentContext.isEmpty()) {
        m_currentContext = str(root, "current-context");
    }
}

void KubeconfigSet::listContexts() {
    m_contexts.clear();
    for (const auto& [name, entry] : m_contextEntries) {
        ContextInfo info;
        info.name = name;
        info.cluster = str(entry.body, "cluster");
        info.user = str(entry.body, "user");
        info.namespaceName = str(entry.body, "namespace");
        info.sourceFile = entry.origin;
        if (const Entry* cluster = findNamed(m_clusters, info.cluster)) {
            info.server = str(cluster->body, "server");
        }
        m_contexts << info;
    }
}

bool KubeconfigSet::hasContext(const QString& name) const {
    return findNamed(m_contextEntries, name) != nullptr;
}

Expected<QByteArray> KubeconfigSet::dataOrFile(const Entry& entry, const QString& key,
                                               const QString& what) {
    QString data = entry.body.value(key + QStringLiteral("-data")).toString();
    if (!data.isEmpty()) {
        auto decoded = QByteArray::fromBase64Encoding(data.toLatin1().trimmed(),
                                                      QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded) {
            return failure(QStringLiteral("%1: %2-data: not valid base64").arg(what, key));
        }
        return *decoded;
    }
    QString file = entry.body.value(key).toString();
    if (file.isEmpty()) {
        return QByteArray();
    }
    auto content = readFile(resolvePath(file, entry.baseDir));
    if (!content) {
        return failure(QStringLiteral("%1: %2: %3").arg(what, key, content.error()));
    }
    return content;
}

Expected<ConnectionConfig> KubeconfigSet::resolve(const QString& context) const {
    ConnectionConfig config;
    config.contextName = context.isEmpty() ? m_currentContext : context;
    if (config.contextName.isEmpty()) {
        return failure(QStringLiteral("current-context is not set"));
    }
    const Entry* contextEntry = findNamed(m_contextEntries, config.contextName);
    if (!contextEntry) {
        return failure(QStringLiteral("context \"%1\" not found").arg(config.contextName));
    }
    config.clusterName = str(contextEntry->body, "cluster");
    config.userName = str(contextEntry->body, "user");
    config.namespaceName = str(contextEntry->body, "namespace");

    const Entry* cluster = findNamed(m_clusters, config.clusterName);
    if (!cluster) {
        return failure(QStringLiteral("%1: context \"%2\": cluster \"%3\" not found")
                           .arg(contextEntry->origin, config.contextName, config.clusterName));
    }
    QString clusterWhat =
        QStringLiteral("%1: cluster \"%2\"").arg(cluster->origin, config.clusterName);
    QString server = str(cluster->body, "server");
    if (server.isEmpty()) {
        return failure(clusterWhat + QStringLiteral(": server: required"));
    }
    config.server = QUrl(server);
    if (!config.server.isValid() || config.server.host().isEmpty()) {
        return failure(clusterWhat + QStringLiteral(": server: not a URL: ") + server);
    }
    config.tlsServerName = str(cluster->body, "tls-server-name");
    config.insecureSkipTlsVerify =
        boolValue(cluster->body.value(QLatin1String("insecure-skip-tls-verify")));
    if (QString proxy = str(cluster->body, "proxy-url"); !proxy.isEmpty()) {
        config.proxyUrl = QUrl(proxy);
        QString scheme = config.proxyUrl.scheme();
        if (scheme != QLatin1String("http") && scheme != QLatin1String("https") &&
            scheme != QLatin1String("socks5")) {
            return failure(clusterWhat +
                           QStringLiteral(": proxy-url: unsupported scheme \"%1\"").arg(scheme));
        }
    }
    auto ca = dataOrFile(*cluster, QStringLiteral("certificate-authority"), clusterWhat);
    if (!ca) {
        return failure(ca.error());
    }
    config.certificateAuthorityPem = *ca;

    if (config.userName.isEmpty()) {
        return config; // anonymous
    }
    const Entry* user = findNamed(m_users, config.userName);
    if (!user) {
        return failure(QStringLiteral("%1: context \"%2\": user \"%3\" not found")
                           .arg(contextEntry->origin, config.contextName, config.userName));
    }
    QString userWhat = QStringLiteral("%1: user \"%2\"").arg(user->origin, config.userName);
    auto cert = dataOrFile(*user, QStringLiteral("client-certificate"), userWhat);
    if (!cert) {
        return failure(cert.error());
    }
    auto key = dataOrFile(*user, QStringLiteral("client-key"), userWhat);
    if (!key) {
        return failure(key.error());
    }
    if (cert->isEmpty() != key->isEmpty()) {
        return failure(userWhat + QStringLiteral(": client certificate and key must both be set"));
    }
    config.clientCertificatePem = *cert;
    config.clientKeyPem = *key;
    config.token = str(user->body, "token");
    if (QString tokenFile = str(user->body, "tokenFile");
        config.token.isEmpty() && !tokenFile.isEmpty()) {
        auto token = readFile(resolvePath(tokenFile, user->baseDir));
        if (!token) {
            return failure(userWhat + QStringLiteral(": tokenFile: ") + token.error());
        }
        config.token = QString::fromUtf8(token->trimmed());
    }
    config.username = str(user->body, "username");
    config.password = str(user->body, "password");

    if (user->body.contains(QLatin1String("exec"))) {
        QJsonObject exec = user->body.value(QLatin1String("exec")).toObject();
        ExecConfig plugin;
        plugin.apiVersion = str(exec, "apiVersion");
        plugin.command = str(exec, "command");
        plugin.installHint = str(exec, "installHint");
        plugin.interactiveMode = str(exec, "interactiveMode");
        plugin.provideClusterInfo = boolValue(exec.value(QLatin1String("provideClusterInfo")));
        plugin.baseDir = user->baseDir;
        for (const QJsonValue& arg : exec.value(QLatin1String("args")).toArray()) {
            plugin.args << arg.toString();
        }
        for (const QJsonValue& env : exec.value(QLatin1String("env")).toArray()) {
            QJsonObject pair = env.toObject();
            plugin.env.append({str(pair, "name"), str(pair, "value")});
        }
        if (plugin.command.isEmpty()) {
            return failure(userWhat + QStringLiteral(": exec: command: required"));
        }
        if (plugin.apiVersion != QLatin1String("client.authentication.k8s.io/v1") &&
            plugin.apiVersion != QLatin1String("client.authentication.k8s.io/v1beta1")) {
            return failure(userWhat +
                           QStringLiteral(": exec: apiVersion \"%1\" is not supported (use "
                                          "client.authentication.k8s.io/v1)")
                               .arg(plugin.apiVersion));
        }
        if (plugin.interactiveMode == QLatin1String("Always")) {
            return failure(userWhat +
                           QStringLiteral(": exec: interactiveMode Always needs a terminal"));
        }
        config.exec = plugin;
    } else if (user->body.contains(QLatin1String("auth-provider")) && config.token.isEmpty() &&
               config.clientCertificatePem.isEmpty()) {
        return failure(userWhat +
                       QStringLiteral(": auth-provider plugins are not supported; use exec"));
    }
    return config;
}

} // namespace pilot::gui
