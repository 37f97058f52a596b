// Subresources beyond status: scale, pods/binding, pods/eviction, namespaces/finalize.
#include "engine/apiserver/apihandler.h"
#include "engine/apiserver/eviction.h"
#include "engine/apiserver/verbs.h"

#include "kube/jsonpatch.h"
#include "kube/mergepatch.h"
#include "kube/yaml.h"

#include "kube/jsonutil.h"
#include "kube/labelselector.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>

#include <algorithm>
#include <fmt/format.h>

namespace pilot::apiserver {
namespace json = boost::json;
using kube::eraseIf;
using kube::objectAt;
using kube::stringAt;

namespace {

/// The `Status` Success (201) that binding answers with.
HandlerResult createdStatus() {
    json::object status{{"kind", "Status"},
                        {"apiVersion", "v1"},
                        {"metadata", json::object()},
                        {"status", "Success"},
                        {"code", 201}};
    return jsonResponse(201, json::serialize(status));
}

/// Scale `status.selector`: the label selector in its canonical string form.
std::string selectorString(const json::object* selector) {
    if (!selector) {
        return {};
    }
    json::value value = *selector;
    auto parsed = kube::LabelSelector::fromJson(&value);
    return parsed ? parsed->toString() : std::string();
}

/// Where a kind keeps what Scale shows: built-ins use spec.replicas, status.replicas and the
/// spec.selector object; CRDs declare paths (`subresources.scale`), their selector a string.
struct ScalePaths {
    std::vector<std::string> specReplicas{"spec", "replicas"};
    std::vector<std::string> statusReplicas{"status", "replicas"};
    std::vector<std::string> selector;
    bool selectorIsString = false;
};

std::vector<std::string> splitPath(const std::string& path) {
    std::vector<std::string> parts;
    size_t start = path.starts_with(".") ? 1 : 0;
    while (start < path.size()) {
        size_t dot = path.find('.', start);
        parts.push_back(path.substr(start, dot == std::string::npos ? dot : dot - start));
        if (dot == std::string::npos) {
            break;
        }
        start = dot + 1;
    }
    return parts;
}

ScalePaths scalePathsOf(const kube::ResourceType& type) {
    ScalePaths paths;
    const kube::Subresource* scale = type.subresource("scale");
    if (!type.custom || !scale) {
        paths.selector = {"spec", "selector"};
        return paths;
    }
    paths.specReplicas = splitPath(scale->specReplicasPath);
    paths.statusReplicas = splitPath(scale->statusReplicasPath);
    paths.selector = splitPath(scale->labelSelectorPath);
    paths.selectorIsString = true;
    return paths;
}

const json::value* valueAt(const json::object& object, const std::vector<std::string>& path) {
    const json::object* node = &object;
    for (size_t i = 0; i < path.size(); ++i) {
        const json::value* v = node->if_contains(path[i]);
        if (!v || i + 1 == path.size()) {
            return v;
        }
        node = v->if_object();
        if (!node) {
            return nullptr;
        }
    }
    return nullptr;
}

void setAt(json::object& object, const std::vector<std::string>& path, json::value value) {
    json::object* node = &object;
    for (size_t i = 0; i + 1 < path.size(); ++i) {
        node = kube::ensureObject(*node, path[i]);
        if (!node) {
            return;
        }
    }
    if (!path.empty()) {
        (*node)[path.back()] = std::move(value);
    }
}

json::object scaleOf(const kube::ResourceType& type, const json::object& object) {
    ScalePaths paths = scalePathsOf(type);
    const json::object* meta = objectAt(&object, "metadata");
    json::object scaleMeta;
    for (std::string_view key :
         {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"}) {
        if (meta) {
            if (const json::value* v = meta->if_contains(key)) {
                scaleMeta[key] = *v;
            }
        }
    }
    auto integer = [&](const std::vector<std::string>& path) -> int64_t {
        const json::value* v = valueAt(object, path);
        return v && v->is_int64() ? v->get_int64() : 0;
    };
    std::string selector;
    if (const json::value* v = paths.selector.empty() ? nullptr : valueAt(object, paths.selector)) {
        if (paths.selectorIsString && v->is_string()) {
            selector = std::string(v->get_string());
        } else if (!paths.selectorIsString && v->is_object()) {
            selector = selectorString(&v->get_object());
        }
    }
    json::object status{{"replicas", integer(paths.statusReplicas)}};
    if (!selector.empty() || !paths.selectorIsString) {
        status["selector"] = selector;
    }
    return json::object{{"kind", "Scale"},
                        {"apiVersion", "autoscaling/v1"},
                        {"metadata", std::move(scaleMeta)},
                        {"spec", json::object{{"replicas", integer(paths.specReplicas)}}},
                        {"status", std::move(status)}};
}

HandlerResult handleScale(VerbContext& ctx) {
    const std::string& verb = ctx.info.verb;
    if (verb == "get") {
        auto object = ctx.service.get(*ctx.type, ctx.info.ns, ctx.info.name);
        if (!object) {
            return errorResponse(object.error());
        }
        return jsonResponse(200, json::serialize(scaleOf(*ctx.type, parseObject(**object))));
    }
    if (verb != "update" && verb != "patch") {
        return errorResponse(methodNotSupported("scale", verb));
    }
    auto options = writeOptionsOf(ctx.request);
    if (!options) {
        return errorResponse(options.error());
    }
    options->subresource = "scale";
    Result<json::value> body = ctx.request.body.empty()
                                   ? fail(ErrorCode::InvalidArgument, "empty body")
                                   : kube::parseJson(ctx.request.body);
    if (!body) {
        return errorResponse(badRequest(body.error().message));
    }
    std::string contentType = ctx.request.contentType;
    ResourceService::Mutator mutate = [&](const json::object& current) -> ApiResult<json::object> {
        json::value scale = scaleOf(*ctx.type, current);
        json::value desired;
        if (verb == "update") {
            desired = *body;
        } else if (contentType.starts_with("application/json-patch+json")) {
            auto patched = kube::applyJsonPatch(scale, *body);
            if (!patched) {
                return apiFail(badRequest(patched.error().message));
            }
            desired = std::move(*patched);
        } else {
            desired = kube::applyMergePatch(scale, *body);
        }
        const json::object* d = desired.if_object();
        std::string rv = stringAt(objectAt(d, "metadata"), "resourceVersion");
        if (!rv.empty() && rv != stringAt(objectAt(&current, "metadata"), "resourceVersion")) {
            return apiFail(conflict(ctx.type->plural, ctx.type->gvk.group, ctx.info.name,
                                    "the object has been modified; please apply your changes "
                                    "to the latest version and try again"));
        }
        const json::value* replicas =
            objectAt(d, "spec") ? objectAt(d, "spec")->if_contains("replicas") : nullptr;
        if (!replicas || !replicas->is_int64() || replicas->get_int64() < 0) {
            return apiFail(invalid("Scale", "autoscaling", ctx.info.name,
                                   {{"FieldValueInvalid", "spec.replicas",
                                     "Invalid value: must be greater than or equal to 0"}}));
        }
        json::object updated = current;
        setAt(updated, scalePathsOf(*ctx.type).specReplicas, replicas->get_int64());
        return updated;
    };
    auto result =
        ctx.service.guaranteedUpdate(*ctx.type, ctx.info.ns, ctx.info.name, mutate, *options);
    if (!result) {
        return errorResponse(result.error());
    }
    return jsonResponse(200, json::serialize(scaleOf(*ctx.type, *result)));
}

HandlerResult handleBinding(VerbContext& ctx) {
    auto body = kube::parseJson(ctx.request.body);
    if (!body || !body->is_object()) {
        return errorResponse(badRequest("the body must be a Binding object"));
    }
    const json::object* target = objectAt(&body->as_object(), "target");
    std::string node = stringAt(target, "name");
    if (node.empty()) {
        return errorResponse(invalid("Binding", "", ctx.info.name,
                                     {{"FieldValueRequired", "target.name", "Required value"}}));
    }
    WriteOptions options;
    ResourceService::Mutator mutate = [&](const json::object& current) -> ApiResult<json::object> {
        json::object pod = current;
        json::object& spec = pod["spec"].as_object();
        std::string existing = stringAt(&spec, "nodeName");
        if (!existing.empty()) {
            return apiFail(conflict(
                "pods", "", ctx.info.name,
                fmt::format("pod {} is already assigned to node \"{}\"", ctx.info.name, existing)));
        }
        if (kube::hasDeletionTimestamp(pod)) {
            return apiFail(conflict("pods", "", ctx.info.name,
                                    "pod is being deleted, cannot be assigned to a host"));
        }
        spec["nodeName"] = node;
        return pod;
    };
    auto bound =
        ctx.service.guaranteedUpdate(*ctx.type, ctx.info.ns, ctx.info.name, mutate, options);
    if (!bound) {
        return errorResponse(bound.error());
    }
    // The PodScheduled condition lives in status: a separate status write.
    WriteOptions statusWrite;
    statusWrite.part = Part::Status;
    std::string now = formatTime(ctx.service.clock().now());
    ResourceService::Mutator condition =
        [&](const json::object& current) -> ApiResult<json::object> {
        json::object pod = current;
        json::value& statusValue = pod["status"];
        if (!statusValue.is_object()) {
            statusValue = json::object();
        }
        json::value& conditions = statusValue.as_object()["conditions"];
        if (!conditions.is_array()) {
            conditions = json::array();
        }
        json::array& list = conditions.as_array();
        eraseIf(list, [](const json::value& c) {
            return c.is_object() && stringAt(&c.get_object(), "type") == "PodScheduled";
        });
        list.push_back(json::object{{"type", "PodScheduled"},
                                    {"status", "True"},
                                    {"lastProbeTime", nullptr},
                                    {"lastTransitionTime", now}});
        return pod;
    };
    (void)ctx.service.guaranteedUpdate(*ctx.type, ctx.info.ns, ctx.info.name, condition,
                                       statusWrite);
    return createdStatus();
}

HandlerResult handleEviction(VerbContext& ctx) {
    auto body = kube::parseJson(ctx.request.body);
    if (!body || !body->is_object()) {
        return errorResponse(badRequest("the body must be an Eviction object"));
    }
    auto options = writeOptionsOf(ctx.request);
    if (!options) {
        return errorResponse(options.error());
    }
    return evictPod(ctx.service, *ctx.type, ctx.info.ns, ctx.info.name, body->as_object(),
                    options->dryRun);
}

HandlerResult handleFinalize(VerbContext& ctx) {
    auto body = kube::parseJson(ctx.request.body);
    if (!body || !body->is_object()) {
        return errorResponse(badRequest("the body must be a Namespace object"));
    }
    json::value finalizers = json::array();
    if (const json::object* spec = objectAt(&body->as_object(), "spec")) {
        if (const json::value* f = spec->if_contains("finalizers"); f && f->is_array()) {
            finalizers = *f;
        }
    }
    WriteOptions options;
    ResourceService::Mutator mutate = [&](const json::object& current) -> ApiResult<json::object> {
        json::object ns = current;
        json::value& spec = ns["spec"];
        if (!spec.is_object()) {
            spec = json::object();
        }
        spec.as_object()["finalizers"] = finalizers;
        return ns;
    };
    auto result =
        ctx.service.guaranteedUpdate(*ctx.type, ctx.info.ns, ctx.info.name, mutate, options);
    if (!result) {
        return errorResponse(result.error());
    }
    // With no finalizers left on a terminating namespace, it goes away now.
    if (finalizers.as_array().empty() && kube::hasDeletionTimestamp(*result)) {
        auto removed = ctx.service.remove(*ctx.type, "", ctx.info.name, DeleteOptions{});
        if (removed) {
            return jsonResponse(200, json::serialize(removed->object));
        }
    }
    return jsonResponse(200, json::serialize(*result));
}

} // namespace

HandlerResult handleSubresource(VerbContext& ctx) {
    const std::string& sub = ctx.info.subresource;
    if (sub == "scale") {
        return handleScale(ctx);
    }
    if (sub == "binding" && ctx.info.verb == "create") {
        return handleBinding(ctx);
    }
    if (sub == "eviction" && ctx.info.verb == "create") {
        return handleEviction(ctx);
    }
    if (sub == "finalize" && ctx.info.verb == "update") {
        return handleFinalize(ctx);
    }
    ApiError e = badRequest(fmt::format("the {} subresource of {} is served by the node agent, "
                                        "which has not reported for this pod",
                                        sub, ctx.type->plural));
    if (sub != "log" && sub != "exec" && sub != "attach" && sub != "portforward") {
        e = methodNotSupported(ctx.type->plural + "/" + sub, ctx.info.verb);
    }
    return errorResponse(e);
}

} // namespace pilot::apiserver
