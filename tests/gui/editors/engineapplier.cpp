#include "tests/gui/editors/engineapplier.h"

#include "gui/editors/fieldpath.h"
#include "kube/client/kubeconfig.h"
#include "kube/jsonutil.h"
#include "kube/yaml.h"

#include <boost/json/serialize.hpp>

#include <QNetworkReply>
#include <QPointer>
#include <QSslCertificate>
#include <QSslKey>

namespace pilot::gui::test {

namespace json = boost::json;

namespace {

struct KindInfo {
    const char* kind;
    const char* plural;
    bool namespaced;
};

constexpr KindInfo Kinds[] = {
    {"Deployment", "deployments", true},
    {"StatefulSet", "statefulsets", true},
    {"DaemonSet", "daemonsets", true},
    {"ReplicaSet", "replicasets", true},
    {"ControllerRevision", "controllerrevisions", true},
    {"Job", "jobs", true},
    {"CronJob", "cronjobs", true},
    {"Service", "services", true},
    {"ConfigMap", "configmaps", true},
    {"Secret", "secrets", true},
    {"PersistentVolumeClaim", "persistentvolumeclaims", true},
    {"Pod", "pods", true},
    {"Ingress", "ingresses", true},
    {"HorizontalPodAutoscaler", "horizontalpodautoscalers", true},
    {"Namespace", "namespaces", false},
    {"Node", "nodes", false},
};

const KindInfo* kindInfo(const QString& kind) {
    for (const KindInfo& info : Kinds) {
        if (kind == QLatin1String(info.kind)) {
            return &info;
        }
    }
    return nullptr;
}

ObjectResult toObject(int code, const QByteArray& body) {
    if (code < 200 || code >= 300) {
        return std::unexpected(code == 0 ? StatusError::noResponse(QString::fromUtf8(body))
                                         : StatusError::fromResponse(code, body));
    }
    auto parsed = kube::parseJson(std::string_view(body.constData(), size_t(body.size())));
    if (!parsed || !parsed->is_object()) {
        return std::unexpected(
            StatusError::noResponse(QStringLiteral("response is not an object")));
    }
    return parsed->as_object();
}

} // namespace

EngineApplier::EngineApplier(const QString& kubeconfig, QObject* parent) : QObject(parent) {
    auto config = kube::loadKubeconfig(kubeconfig.toStdString());
    if (!config) {
        m_error = QString::fromStdString(config.error().message);
        return;
    }
    m_server = QString::fromStdString(config->server);
    m_ssl = QSslConfiguration::defaultConfiguration();
    m_ssl.setCaCertificates(QSslCertificate::fromData(
        QByteArray::fromStdString(config->certificateAuthorityPem), QSsl::Pem));
    const auto certs = QSslCertificate::fromData(
        QByteArray::fromStdString(config->clientCertificatePem), QSsl::Pem);
    if (!certs.isEmpty()) {
        m_ssl.setLocalCertificate(certs.first());
    }
    const QByteArray keyPem = QByteArray::fromStdString(config->clientKeyPem);
    QSslKey key(keyPem, QSsl::Ec, QSsl::Pem);
    if (key.isNull()) {
        key = QSslKey(keyPem, QSsl::Rsa, QSsl::Pem);
    }
    m_ssl.setPrivateKey(key);
    m_ok = !certs.isEmpty() && !key.isNull();
    if (!m_ok) {
        m_error = QStringLiteral("cannot load the client certificate or key");
    }
}

QUrl EngineApplier::url(const ApiObjectRef& ref, bool collection, const QString& query) const {
    const KindInfo* info = kindInfo(ref.kind);
    QString path = ref.apiVersion.contains(QLatin1Char('/'))
                       ? QStringLiteral("/apis/") + ref.apiVersion
                       : QStringLiteral("/api/") + ref.apiVersion;
    if (info && info->namespaced && !ref.namespaceName.isEmpty()) {
        path += QStringLiteral("/namespaces/") + ref.namespaceName;
    }
    path += QLatin1Char('/') + QLatin1String(info ? info->plural : "unknown");
    if (!collection) {
        path += QLatin1Char('/') + ref.name;
    }
    QUrl u(m_server + path);
    if (!query.isEmpty()) {
        u.setQuery(query);
    }
    return u;
}

void EngineApplier::send(const QByteArray& method, const QUrl& url, const QByteArray& body,
                         const QByteArray& contentType, QObject* context,
                         std::function<void(int, const QByteArray&)> done) {
    ++m_requests;
    QNetworkRequest request(url);
    request.setSslConfiguration(m_ssl);
    request.setTransferTimeout(30000);
    request.setRawHeader("Accept", "application/json");
    if (!contentType.isEmpty()) {
        request.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
    }
    QNetworkReply* reply = m_network.sendCustomRequest(request, method, body);
    QPointer<QObject> guard(context);
    connect(reply, &QNetworkReply::finished, this, [reply, guard, done = std::move(done)] {
        reply->deleteLater();
        if (guard.isNull()) {
            return;
        }
        const int code = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (code == 0) {
            done(0, reply->errorString().toUtf8());
            return;
        }
        done(code, reply->readAll());
    });
}

void EngineApplier::get(const ApiObjectRef& ref, QObject* context, ObjectCallback done) {
    send(
        "GET", url(ref, false), {}, {}, context,
        [done = std::move(done)](int code, const QByteArray& body) { done(toObject(code, body)); });
}

void EngineApplier::dryRun(const json::object& object, QObject* context, ObjectCallback done) {
    write(object, true, context, std::move(done));
}

void EngineApplier::apply(const json::object& object, QObject* context, ObjectCallback done) {
    write(object, false, context, std::move(done));
}

void EngineApplier::write(const json::object& object, bool dryRun, QObject* context,
                          ObjectCallback done) {
    const ApiObjectRef ref = ApiObjectRef::of(object);
    const QString query = QStringLiteral("fieldManager=pilothouse&fieldValidation=Strict") +
                          (dryRun ? QStringLiteral("&dryRun=All") : QString());
    QPointer<EngineApplier> self(this);
    get(ref, context,
        [self, ref, object, query, context, done = std::move(done)](const ObjectResult& live) {
            if (!self) {
                return;
            }
            auto finish = [done](int code, const QByteArray& body) { done(toObject(code, body)); };
            if (!live && live.error().isNotFound()) {
                const QByteArray body = QByteArray::fromStdString(json::serialize(object));
                self->send("POST", self->url(ref, true, query), body, "application/json", context,
                           finish);
                return;
            }
            if (!live) {
                done(std::unexpected(live.error()));
                return;
            }
            json::object update = object;
            json::object* meta = kube::ensureObject(update, "metadata");
            const json::object* liveMeta = kube::objectAt(*live, "metadata");
            if (meta && liveMeta && !kube::has(*meta, "resourceVersion")) {
                (*meta)["resourceVersion"] = kube::stringAt(*liveMeta, "resourceVersion");
            }
            const QByteArray body = QByteArray::fromStdString(json::serialize(update));
            self->send("PUT", self->url(ref, false, query), body, "application/json", context,
                       finish);
        });
}

void EngineApplier::patch(const ApiObjectRef& ref, PatchKind kind, const QByteArray& body,
                          QObject* context, ObjectCallback done) {
    QByteArray type = "application/json-patch+json";
    if (kind == PatchKind::Merge) {
        type = "application/merge-patch+json";
    } else if (kind == PatchKind::StrategicMerge) {
        type = "application/strategic-merge-patch+json";
    }
    send("PATCH", url(ref, false, QStringLiteral("fieldManager=pilothouse")), body, type, context,
         [done = std::move(done)](int code, const QByteArray& response) {
             done(toObject(code, response));
         });
}

void EngineApplier::list(const QString& apiVersion, const QString& kind,
                         const QString& namespaceName, const QString& labelSelector,
                         QObject* context, ListCallback done) {
    ApiObjectRef ref{apiVersion, kind, namespaceName, {}};
    QString query;
    if (!labelSelector.isEmpty()) {
        query = QStringLiteral("labelSelector=") +
                QString::fromLatin1(QUrl::toPercentEncoding(labelSelector));
    }
    send("GET", url(ref, true, query), {}, {}, context,
         [done = std::move(done), apiVersion, kind](int code, const QByteArray& body) {
             const ObjectResult result = toObject(code, body);
             if (!result) {
                 done(std::unexpected(result.error()));
                 return;
             }
             std::vector<json::object> items;
             if (const json::array* array = kube::arrayAt(*result, "items")) {
                 for (const json::value& item : *array) {
                     if (!item.is_object()) {
                         continue;
                     }
                     json::object object = item.as_object();
                     object["apiVersion"] = apiVersion.toStdString();
                     object["kind"] = kind.toStdString();
                     items.push_back(std::move(object));
                 }
             }
             done(items);
         });
}

} // namespace pilot::gui::test
