#include "gui/integration/clientapplier.h"

#include "gui/models/clustersession.h"
#include "kube/jsonutil.h"
#include "kube/yaml.h"

#include <boost/json/serialize.hpp>

#include <QTimer>

namespace pilot::gui {

namespace json = boost::json;

namespace {

constexpr auto WriteQuery = "fieldManager=pilothouse&fieldValidation=Strict";

QByteArray bodyOf(const json::object& object) {
    return QByteArray::fromStdString(json::serialize(object));
}

/// The kinds the console knows without discovery (discovery may still be loading).
std::optional<ResourceType> builtinType(const QString& group, const QString& kind) {
    ResourceType controllerRevisions;
    controllerRevisions.group = QStringLiteral("apps");
    controllerRevisions.version = QStringLiteral("v1");
    controllerRevisions.kind = QStringLiteral("ControllerRevision");
    controllerRevisions.plural = QStringLiteral("controllerrevisions");
    ResourceType hpas;
    hpas.group = QStringLiteral("autoscaling");
    hpas.version = QStringLiteral("v2");
    hpas.kind = QStringLiteral("HorizontalPodAutoscaler");
    hpas.plural = QStringLiteral("horizontalpodautoscalers");
    for (const ResourceType& type :
         {ResourceType::pods(), ResourceType::deployments(), ResourceType::statefulSets(),
          ResourceType::daemonSets(), ResourceType::replicaSets(), ResourceType::jobs(),
          ResourceType::cronJobs(), ResourceType::services(), ResourceType::ingresses(),
          ResourceType::configMaps(), ResourceType::secrets(),
          ResourceType::persistentVolumeClaims(), ResourceType::persistentVolumes(),
          ResourceType::storageClasses(), ResourceType::nodes(), ResourceType::namespaces(),
          ResourceType::events(), controllerRevisions, hpas}) {
        if (type.group == group && type.kind == kind) {
            return type;
        }
    }
    return std::nullopt;
}

} // namespace

ClientApplier::ClientApplier(ClusterSession* session) : QObject(session), m_session(session) {
    setObjectName(QStringLiteral("clientApplier"));
}

ClientApplier* ClientApplier::of(ClusterSession* session) {
    if (auto* existing = session->findChild<ClientApplier*>(QStringLiteral("clientApplier"),
                                                            Qt::FindDirectChildrenOnly)) {
        return existing;
    }
    return new ClientApplier(session);
}

KubeClient* ClientApplier::client() const {
    return m_session ? m_session->client() : nullptr;
}

std::optional<ResourceType> ClientApplier::typeOf(const QString& apiVersion,
                                                  const QString& kind) const {
    const qsizetype slash = apiVersion.indexOf(QLatin1Char('/'));
    const QString group = slash >= 0 ? apiVersion.left(slash) : QString();
    const QString version = slash >= 0 ? apiVersion.mid(slash + 1) : apiVersion;
    std::optional<ResourceType> type;
    if (m_session) {
        ResourceType found = m_session->discovery()->findKind(group, kind);
        if (found.isValid()) {
            type = found;
        }
    }
    if (!type) {
        type = builtinType(group, kind);
    }
    if (type && !version.isEmpty()) {
        type->version = version; // the object's own version, not the preferred one
    }
    return type;
}

ObjectResult ClientApplier::toResult(const ApiResponse& response) {
    if (response.status == 0) {
        return std::unexpected(StatusError::noResponse(response.error));
    }
    if (!response.ok()) {
        return std::unexpected(StatusError::fromResponse(response.status, response.body));
    }
    auto parsed =
        kube::parseJson(std::string_view(response.body.constData(), size_t(response.body.size())));
    if (!parsed || !parsed->is_object()) {
        return std::unexpected(StatusError::noResponse(tr("the response is not an object")));
    }
    return std::move(parsed->as_object());
}

void ClientApplier::failLater(QObject* context, ObjectCallback done, StatusError error) {
    QTimer::singleShot(0, context, [done = std::move(done), error = std::move(error)] {
        done(std::unexpected(error));
    });
}

void ClientApplier::get(const ApiObjectRef& ref, QObject* context, ObjectCallback done) {
    auto type = typeOf(ref.apiVersion, ref.kind);
    KubeClient* http = client();
    if (!type || !http) {
        failLater(context, std::move(done),
                  StatusError::noResponse(tr("%1: this cluster does not serve %2 %3")
                                              .arg(ref.display(), ref.apiVersion, ref.kind)));
        return;
    }
    http->get(type->objectPath(ref.namespaceName, ref.name), context,
              [done = std::move(done)](const ApiResponse& response) { done(toResult(response)); });
}

void ClientApplier::dryRun(const json::object& object, QObject* context, ObjectCallback done) {
    write(object, true, context, std::move(done));
}

void ClientApplier::apply(const json::object& object, QObject* context, ObjectCallback done) {
    write(object, false, context, std::move(done));
}

void ClientApplier::write(const json::object& object, bool dryRun, QObject* context,
                          ObjectCallback done) {
    const ApiObjectRef ref = ApiObjectRef::of(object);
    auto type = typeOf(ref.apiVersion, ref.kind);
    if (!type || !client()) {
        failLater(context, std::move(done),
                  StatusError::noResponse(tr("%1: this cluster does not serve %2 %3")
                                              .arg(ref.display(), ref.apiVersion, ref.kind)));
        return;
    }
    const QString query =
        QLatin1String(WriteQuery) + (dryRun ? QStringLiteral("&dryRun=All") : QString());
    const QString ns = type->namespaced ? ref.namespaceName : QString();
    QPointer<ClientApplier> self(this);
    // Create or replace, depending on whether the object is there now.
    get(ref, context,
        [self, type = *type, ns, ref, object, query, context,
         done = std::move(done)](const ObjectResult& live) {
            KubeClient* http = self ? self->client() : nullptr;
            if (!http) {
                done(std::unexpected(StatusError::noResponse(tr("the cluster was closed"))));
                return;
            }
            auto finish = [done](const ApiResponse& response) { done(toResult(response)); };
            if (!live && live.error().isNotFound()) {
                http->request("POST", type.collectionPath(ns) + QLatin1Char('?') + query,
                              bodyOf(object), context, finish);
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
            http->request("PUT", type.objectPath(ns, ref.name) + QLatin1Char('?') + query,
                          bodyOf(update), context, finish);
        });
}

void ClientApplier::patch(const ApiObjectRef& ref, PatchKind kind, const QByteArray& body,
                          QObject* context, ObjectCallback done) {
    auto type = typeOf(ref.apiVersion, ref.kind);
    KubeClient* http = client();
    if (!type || !http) {
        failLater(context, std::move(done),
                  StatusError::noResponse(tr("%1: this cluster does not serve %2 %3")
                                              .arg(ref.display(), ref.apiVersion, ref.kind)));
        return;
    }
    QByteArray contentType = QByteArrayLiteral("application/json-patch+json");
    if (kind == PatchKind::Merge) {
        contentType = QByteArrayLiteral("application/merge-patch+json");
    } else if (kind == PatchKind::StrategicMerge) {
        contentType = QByteArrayLiteral("application/strategic-merge-patch+json");
    }
    http->patch(
        type->objectPath(ref.namespaceName, ref.name) + QStringLiteral("?fieldManager=pilothouse"),
        body, contentType, context,
        [done = std::move(done)](const ApiResponse& response) { done(toResult(response)); });
}

} // namespace pilot::gui
