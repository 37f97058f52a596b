#include "gui/rollout/rollouthistory.h"

#include "gui/editors/fieldpath.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace pilot::gui {

namespace json = boost::json;

namespace {

constexpr std::string_view RevisionAnnotation = "deployment.kubernetes.io/revision";
constexpr std::string_view ChangeCause = "kubernetes.io/change-cause";
constexpr std::string_view HashLabel = "pod-template-hash";

/// The annotations `kubectl rollout undo` keeps from the Deployment instead of taking the
/// ReplicaSet's (k8s.io/kubectl/pkg/polymorphichelpers/rollback.go annotationsToSkip).
constexpr std::string_view SkippedAnnotations[] = {
    "kubectl.kubernetes.io/last-applied-configuration",
    "deployment.kubernetes.io/revision",
    "deployment.kubernetes.io/revision-history",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
};

bool skipped(std::string_view key) {
    return std::ranges::find(SkippedAnnotations, key) != std::end(SkippedAnnotations);
}

bool isDeployment(const json::object& workload) {
    return kube::kind(workload) == "Deployment";
}

bool controlledBy(const json::object& object, const json::object& workload) {
    const json::object* ref = kube::controllerRef(object);
    return ref != nullptr && kube::stringAt(*ref, "uid") == kube::uid(workload);
}

QStringList imagesOf(const json::object& podTemplate) {
    QStringList images;
    const json::value* containers =
        FieldPath{QStringLiteral("spec"), QStringLiteral("containers")}.find(podTemplate);
    if (containers && containers->is_array()) {
        for (const json::value& c : containers->as_array()) {
            if (c.is_object()) {
                images.append(toQString(kube::stringAt(c.as_object(), "image")));
            }
        }
    }
    return images;
}

json::object withoutHash(json::object podTemplate) {
    if (json::object* meta = kube::mutableObject(podTemplate, "metadata")) {
        if (json::object* labels = kube::mutableObject(*meta, "labels")) {
            labels->erase(HashLabel);
            if (labels->empty()) {
                meta->erase("labels");
            }
        }
    }
    return podTemplate;
}

/// The pod template a ControllerRevision records (`data.spec.template`, without `$patch`).
json::object controllerRevisionTemplate(const json::object& revision) {
    const json::value* t =
        FieldPath{QStringLiteral("data"), QStringLiteral("spec"), QStringLiteral("template")}.find(
            revision);
    if (t == nullptr || !t->is_object()) {
        return {};
    }
    json::object out = t->as_object();
    out.erase("$patch");
    return out;
}

std::optional<qint64> revisionNumber(const json::object& owned, bool deployment) {
    if (deployment) {
        const auto annotation = kube::annotation(owned, RevisionAnnotation);
        if (!annotation) {
            return std::nullopt;
        }
        bool ok = false;
        const qint64 n = toQString(*annotation).toLongLong(&ok);
        return ok ? std::optional<qint64>(n) : std::nullopt;
    }
    return kube::integerAt(owned, "revision");
}

int intAt(const json::object& object, const char* path, int fallback = 0) {
    const json::value* v = FieldPath::parse(QString::fromLatin1(path)).find(object);
    if (v == nullptr || !(v->is_int64() || v->is_uint64())) {
        return fallback;
    }
    return int(v->to_number<int64_t>());
}

} // namespace

QList<Revision> revisionsOf(const json::object& workload, const QList<json::object>& owned) {
    const bool deployment = isDeployment(workload);
    QList<Revision> revisions;
    for (const json::object& o : owned) {
        if (!controlledBy(o, workload)) {
            continue;
        }
        const std::optional<qint64> number = revisionNumber(o, deployment);
        if (!number) {
            continue;
        }
        Revision r;
        r.number = *number;
        r.created = QDateTime::fromString(toQString(kube::creationTimestamp(o)), Qt::ISODate);
        if (const auto cause = kube::annotation(o, ChangeCause)) {
            r.changeCause = toQString(*cause);
        }
        r.source = toQString(kube::name(o));
        if (deployment) {
            const json::value* t =
                FieldPath{QStringLiteral("spec"), QStringLiteral("template")}.find(o);
            r.podTemplate = withoutHash(t && t->is_object() ? t->as_object() : json::object());
        } else {
            r.podTemplate = controllerRevisionTemplate(o);
        }
        r.images = imagesOf(r.podTemplate);
        revisions.append(std::move(r));
    }
    std::ranges::sort(revisions, {}, &Revision::number);
    if (revisions.isEmpty()) {
        return revisions;
    }
    if (deployment) {
        const auto current = kube::annotation(workload, RevisionAnnotation);
        for (Revision& r : revisions) {
            r.current = current && QString::number(r.number) == toQString(*current);
        }
    } else {
        revisions.last().current = true; // the controllers give the live template the top number
    }
    return revisions;
}

std::expected<RollbackRequest, RollbackRefusal>
rollbackTo(const json::object& workload, const QList<json::object>& owned, qint64 revision) {
    const bool deployment = isDeployment(workload);
    const json::object* source = nullptr;
    for (const json::object& o : owned) {
        if (controlledBy(o, workload) && revisionNumber(o, deployment) == revision) {
            source = &o;
        }
    }
    if (source == nullptr) {
        return std::unexpected(RollbackRefusal::UnknownRevision);
    }
    RollbackRequest request;
    request.target = ApiObjectRef::of(workload);
    if (!deployment) {
        json::object podTemplate = controllerRevisionTemplate(*source);
        const json::value* live =
            FieldPath{QStringLiteral("spec"), QStringLiteral("template")}.find(workload);
        if (live && kube::jsonEqual(*live, podTemplate)) {
            return std::unexpected(RollbackRefusal::AlreadyCurrent);
        }
        const json::value* data = source->if_contains("data");
        request.kind = PatchKind::StrategicMerge;
        request.body = QByteArray::fromStdString(
            json::serialize(data != nullptr ? *data : json::value(json::object())));
        return request;
    }
    if (const json::value* paused =
            FieldPath{QStringLiteral("spec"), QStringLiteral("paused")}.find(workload);
        paused && paused->is_bool() && paused->get_bool()) {
        return std::unexpected(RollbackRefusal::Paused);
    }
    const json::value* t =
        FieldPath{QStringLiteral("spec"), QStringLiteral("template")}.find(*source);
    json::object podTemplate = withoutHash(t && t->is_object() ? t->as_object() : json::object());
    const json::value* live =
        FieldPath{QStringLiteral("spec"), QStringLiteral("template")}.find(workload);
    if (live && live->is_object() && kube::jsonEqual(withoutHash(live->as_object()), podTemplate)) {
        return std::unexpected(RollbackRefusal::AlreadyCurrent);
    }
    json::object annotations;
    if (const json::object* mine = kube::annotations(workload)) {
        for (const auto& [key, value] : *mine) {
            if (skipped(key)) {
                annotations[key] = value;
            }
        }
    }
    if (const json::object* theirs = kube::annotations(*source)) {
        for (const auto& [key, value] : *theirs) {
            if (!skipped(key)) {
                annotations[key] = value;
            }
        }
    }
    const json::array patch{
        json::object{{"op", "replace"}, {"path", "/spec/template"}, {"value", podTemplate}},
        json::object{{"op", "replace"}, {"path", "/metadata/annotations"}, {"value", annotations}}};
    request.kind = PatchKind::Json;
    request.body = QByteArray::fromStdString(json::serialize(patch));
    return request;
}

RolloutProgress progressOf(const json::object& workload) {
    RolloutProgress p;
    const std::string_view kind = kube::kind(workload);
    const int64_t generation = kube::generation(workload);
    const int observed = intAt(workload, "status.observedGeneration", -1);
    if (kind == "DaemonSet") {
        p.desired = intAt(workload, "status.desiredNumberScheduled");
        p.updated = intAt(workload, "status.updatedNumberScheduled");
        p.ready = intAt(workload, "status.numberReady");
        p.available = intAt(workload, "status.numberAvailable");
        p.total = intAt(workload, "status.currentNumberScheduled");
    } else {
        p.desired = intAt(workload, "spec.replicas", 1);
        p.updated = intAt(workload, "status.updatedReplicas");
        p.ready = intAt(workload, "status.readyReplicas");
        p.available = intAt(workload, "status.availableReplicas");
        p.total = intAt(workload, "status.replicas");
    }
    if (observed < generation) {
        p.state = RolloutProgress::State::Waiting;
        return p;
    }
    if (kind == "Deployment") {
        const json::value* paused = FieldPath::parse(QStringLiteral("spec.paused")).find(workload);
        if (paused && paused->is_bool() && paused->get_bool()) {
            p.state = RolloutProgress::State::Paused;
            return p;
        }
        if (const json::value* conditions =
                FieldPath::parse(QStringLiteral("status.conditions")).find(workload);
            conditions && conditions->is_array()) {
            for (const json::value& c : conditions->as_array()) {
                if (c.is_object() && kube::stringAt(c.as_object(), "type") == "Progressing" &&
                    kube::stringAt(c.as_object(), "reason") == "ProgressDeadlineExceeded") {
                    p.state = RolloutProgress::State::Stalled;
                    return p;
                }
            }
        }
    }
    const bool complete = p.updated >= p.desired && p.total <= p.updated &&
                          p.available >= p.updated &&
                          (kind != "StatefulSet" || p.ready >= p.desired);
    p.state = complete ? RolloutProgress::State::Complete : RolloutProgress::State::Progressing;
    return p;
}

} // namespace pilot::gui
