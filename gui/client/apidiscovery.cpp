#include "gui/client/apidiscovery.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSet>

namespace pilot::gui {

ApiDiscovery::ApiDiscovery(KubeClient* client, QObject* parent)
    : QObject(parent), m_client(client) {}

bool ApiDiscovery::isBuiltinGroup(const QString& group) {
    static const QSet<QString> builtin = {
        QString(),
        QStringLiteral("apps"),
        QStringLiteral("batch"),
        QStringLiteral("autoscaling"),
        QStringLiteral("policy"),
        QStringLiteral("networking.k8s.io"),
        QStringLiteral("storage.k8s.io"),
        QStringLiteral("rbac.authorization.k8s.io"),
        QStringLiteral("coordination.k8s.io"),
        QStringLiteral("discovery.k8s.io"),
        QStringLiteral("events.k8s.io"),
        QStringLiteral("apiextensions.k8s.io"),
        QStringLiteral("scheduling.k8s.io"),
        QStringLiteral("node.k8s.io"),
        QStringLiteral("certificates.k8s.io"),
        QStringLiteral("admissionregistration.k8s.io"),
        QStringLiteral("flowcontrol.apiserver.k8s.io"),
        QStringLiteral("authentication.k8s.io"),
        QStringLiteral("authorization.k8s.io"),
        QStringLiteral("apiregistration.k8s.io"),
        QStringLiteral("resource.k8s.io"),
        QStringLiteral("storagemigration.k8s.io"),
        QStringLiteral("internal.apiserver.k8s.io"),
        QStringLiteral("metrics.k8s.io"),
    };
    return builtin.contains(group);
}

void ApiDiscovery::refresh() {
    if (!m_client || m_outstanding > 0) {
        return;
    }
    delete m_context;
    m_context = new QObject(this);
    m_pending.clear();
    m_outstanding = 2;
    m_client->get(QStringLiteral("/api"), m_context, [this](const ApiResponse& response) {
        if (!response.ok()) {
            m_lastError = response.error;
        } else {
            for (const QJsonValue& version :
                 response.object().value(QLatin1String("versions")).toArray()) {
                if (version.toString() == QLatin1String("v1")) {
                    fetchGroupVersion(QStringLiteral("/api/v1"), QString(), QStringLiteral("v1"));
                }
            }
        }
        finishOne();
    });
    m_client->get(QStringLiteral("/apis"), m_context, [this](const ApiResponse& response) {
        if (!response.ok()) {
            m_lastError = response.error;
        } else {
            for (const QJsonValue& value :
                 response.object().value(QLatin1String("groups")).toArray()) {
                QJsonObject group = value.toObject();
                QString name = group.value(QLatin1String("name")).toString();
                QJsonObject preferred = group.value(QLatin1String("preferredVersion")).toObject();
                QString version = preferred.value(QLatin1String("version")).toString();
                if (name.isEmpty() || version.isEmpty()) {
                    continue;
                }
                fetchGroupVersion(QStringLiteral("/apis/") + name + QLatin1Char('/') + version,
                                  name, version);
            }
        }
        finishOne();
    });
}

void ApiDiscovery::fetchGroupVersion(const QString& path, const QString& group,
                                     const QString& version) {
    ++m_outstanding;
    m_client->get(path, m_context, [this, group, version](const ApiResponse& response) {
        if (response.ok()) {
            for (const QJsonValue& value :
                 response.object().value(QLatin1String("resources")).toArray()) {
                QJsonObject resource = value.toObject();
                QString plural = resource.value(QLatin1String("name")).toString();
                if (plural.contains(QLatin1Char('/'))) {
                    continue; // subresource
                }
                ResourceType type;
                type.group = group;
                type.version = version;
                type.plural = plural;
                type.kind = resource.value(QLatin1String("kind")).toString();
                type.namespaced = resource.value(QLatin1String("namespaced")).toBool();
                for (const QJsonValue& verb : resource.value(QLatin1String("verbs")).toArray()) {
                    type.verbs << verb.toString();
                }
                for (const QJsonValue& name :
                     resource.value(QLatin1String("shortNames")).toArray()) {
                    type.shortNames << name.toString();
                }
                m_pending.append(type);
            }
        }
        finishOne();
    });
}

void ApiDiscovery::finishOne() {
    if (--m_outstanding > 0) {
        return;
    }
    if (m_pending.isEmpty()) {
        Q_EMIT failed(m_lastError);
        return;
    }
    m_resources = std::exchange(m_pending, {});
    m_loaded = true;
    m_lastError.clear();
    Q_EMIT updated();
}

QList<ResourceType> ApiDiscovery::customResources() const {
    QList<ResourceType> out;
    for (const ResourceType& type : m_resources) {
        if (!isBuiltinGroup(type.group) && type.supports(QStringLiteral("list")) &&
            type.supports(QStringLiteral("watch"))) {
            out.append(type);
        }
    }
    std::sort(out.begin(), out.end(), [](const ResourceType& a, const ResourceType& b) {
        return a.kind == b.kind ? a.group < b.group : a.kind < b.kind;
    });
    return out;
}

bool ApiDiscovery::servesGroup(const QString& group) const {
    return std::any_of(m_resources.begin(), m_resources.end(),
                       [&](const ResourceType& type) { return type.group == group; });
}

ResourceType ApiDiscovery::find(const QString& group, const QString& plural) const {
    for (const ResourceType& type : m_resources) {
        if (type.group == group && type.plural == plural) {
            return type;
        }
    }
    return {};
}

ResourceType ApiDiscovery::findKind(const QString& group, const QString& kind) const {
    for (const ResourceType& type : m_resources) {
        if (type.group == group && type.kind == kind) {
            return type;
        }
    }
    return {};
}

} // namespace pilot::gui
