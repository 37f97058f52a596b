// create, update, patch, delete and deletecollection.
#include "engine/apiserver/apihandler.h"
#include "engine/apiserver/mediatype.h"
#include "engine/apiserver/selectors.h"
#include "engine/apiserver/verbs.h"

#include "kube/fieldmanager/fieldmanager.h"

#include "core/clock.h"
#include "kube/jsonpatch.h"
#include "kube/mergepatch.h"
#include "kube/strategicmerge.h"
#include "kube/types/protobuf.h"
#include "kube/yaml.h"

#include "kube/jsonutil.h"

#include <boost/json.hpp>
#include <fmt/format.h>

namespace pilot::apiserver {
namespace json = boost::json;
using kube::eraseIf;
using kube::objectAt;
using kube::stringAt;

namespace {

HandlerResult writeResponse(int status, std::string objectJson,
                            const std::vector<std::string>& warnings) {
    HandlerResult result = jsonResponse(status, std::move(objectJson));
    for (const std::string& w : warnings) {
        result.response.headers.emplace_back("Warning", fmt::format("299 - \"{}\"", w));
    }
    return result;
}

HandlerResult writeResponse(int status, const json::object& object,
                            const std::vector<std::string>& warnings) {
    HandlerResult result = jsonResponse(status, json::serialize(object));
    for (const std::string& w : warnings) {
        result.response.headers.emplace_back("Warning", fmt::format("299 - \"{}\"", w));
    }
    return result;
}

} // namespace

ApiResult<WriteOptions> writeOptionsOf(const Request& request) {
    WriteOptions options;
    for (const std::string& dryRun : request.params("dryRun")) {
        if (dryRun != "All") {
            return apiFail(badRequest(fmt::format(
                "dryRun: Unsupported value: \"{}\": supported values: \"All\"", dryRun)));
        }
        options.dryRun = true;
    }
    if (const std::string* manager = request.param("fieldManager")) {
        if (manager->size() > 128) {
            return apiFail(badRequest("fieldManager: Too long: may not be more than 128 bytes"));
        }
        options.fieldManager = *manager;
    }
    if (options.fieldManager.empty()) {
        // As upstream: the User-Agent's product ("OpenAPI-Generator/22.6.0/python").
        const std::string* agent = request.header("User-Agent");
        std::string product = agent ? agent->substr(0, agent->find('/')) : std::string();
        options.fieldManager = product.empty() ? "unknown" : product.substr(0, 128);
    }
    if (const std::string* v = request.param("fieldValidation"); v && !v->empty()) {
        if (*v == "Strict") {
            options.validation = FieldValidation::Strict;
        } else if (*v == "Warn") {
            options.validation = FieldValidation::Warn;
        } else if (*v == "Ignore") {
            options.validation = FieldValidation::Ignore;
        } else {
            return apiFail(badRequest(fmt::format(
                "fieldValidation: Unsupported value: \"{}\": supported values: \"Ignore\", "
                "\"Strict\", \"Warn\"",
                *v)));
        }
    }
    return options;
}

/// 409 for a server-side apply that would change fields other managers own, as upstream.
ApiError applyConflict(const std::vector<kube::fieldmanager::Conflict>& conflicts) {
    ApiError e;
    e.code = 409;
    e.reason = "Conflict";
    e.message = kube::fieldmanager::conflictsMessage(conflicts);
    for (const kube::fieldmanager::Conflict& c : conflicts) {
        e.causes.push_back({"FieldManagerConflict", c.field(), c.message()});
    }
    return e;
}

ApiResult<json::object> decodeBody(const Request& request, const kube::TypeRegistry& types) {
    MediaType media = parseMediaType(request.contentType);
    if (request.body.empty()) {
        return apiFail(badRequest("the request body is empty"));
    }
    if (media.type == "application/vnd.kubernetes.protobuf") {
        auto decoded = kube::decodeProtobufObject(request.body, types);
        if (!decoded) {
            return apiFail(badRequest(decoded.error().message));
        }
        return std::move(*decoded);
    }
    Result<json::value> parsed = fail(ErrorCode::InvalidArgument, "");
    if (media.type == "application/json" || media.type.empty()) {
        parsed = kube::parseJson(request.body);
    } else if (media.type == "application/yaml" || media.type == "application/apply-patch+yaml") {
        parsed = kube::parseYaml(request.body);
    } else {
        return apiFail(unsupportedMediaType(request.contentType));
    }
    if (!parsed) {
        return apiFail(badRequest(parsed.error().message));
    }
    if (!parsed->is_object()) {
        return apiFail(badRequest("the request body must be a JSON object"));
    }
    return std::move(parsed->as_object());
}

namespace {

/// A create that holds no thread while its write commits: the response is built once the
/// store has made it durable. A generated name the store finds taken is drawn again, up to
/// eight times (as upstream's RetryGenerateName).
HandlerResult deferredCreate(ResourceService& service, kube::ResourceTypePtr type, std::string ns,
                             json::object body, WriteOptions options, int attempt) {
    constexpr int Attempts = 8;
    std::shared_ptr<json::object> original;
    if (ResourceService::generatesName(body)) {
        original = std::make_shared<json::object>(body);
    }
    std::vector<std::string> warnings;
    options.warnings = &warnings;
    auto prepared = service.prepareCreate(*type, ns, std::move(body), options);
    options.warnings = nullptr;
    if (!prepared) {
        return errorResponse(prepared.error());
    }
    HandlerResult result;
    result.deferred = [&service, type = std::move(type), ns = std::move(ns),
                       options = std::move(options), attempt, original = std::move(original),
                       prepared = std::make_shared<PreparedCreate>(std::move(*prepared)),
                       warnings = std::move(warnings)](Resume resume) {
        service.commitCreate(std::move(*prepared), [&service, type, ns, options, attempt, original,
                                                    resume = std::move(resume),
                                                    warnings](ApiResult<std::string> created) {
            resume([&service, type, ns, options, attempt, original, created = std::move(created),
                    warnings]() mutable {
                if (created) {
                    return writeResponse(201, std::move(*created), warnings);
                }
                if (!original || created.error().reason != "AlreadyExists") {
                    return errorResponse(created.error());
                }
                if (attempt + 1 == Attempts) {
                    return errorResponse(internalError("could not generate a unique name"));
                }
                return deferredCreate(service, type, ns, *original, options, attempt + 1);
            });
        });
    };
    return result;
}

} // namespace

HandlerResult handleCreate(VerbContext& ctx) {
    auto options = writeOptionsOf(ctx.request);
    if (!options) {
        return errorResponse(options.error());
    }
    auto body = decodeBody(ctx.request, ctx.service.types());
    if (!body) {
        return errorResponse(body.error());
    }
    if (options->dryRun) {
        std::vector<std::string> warnings;
        options->warnings = &warnings;
        auto created = ctx.service.create(*ctx.type, ctx.info.ns, std::move(*body), *options);
        if (!created) {
            return errorResponse(created.error());
        }
        return writeResponse(201, *created, warnings);
    }
    return deferredCreate(ctx.service, ctx.type, ctx.info.ns, std::move(*body), *options, 0);
}

HandlerResult handleUpdate(VerbContext& ctx) {
    auto options = writeOptionsOf(ctx.request);
    if (!options) {
        return errorResponse(options.error());
    }
    if (ctx.info.subresource == "status") {
        options->part = Part::Status;
    }
    auto body = decodeBody(ctx.request, ctx.service.types());
    if (!body) {
        return errorResponse(body.error());
    }
    std::string kind = stringAt(*body, "kind");
    if (!kind.empty() && kind != ctx.type->gvk.kind) {
        return errorResponse(badRequest(
            fmt::format("the kind in the data ({}) does not match the expected kind ({})", kind,
                        ctx.type->gvk.kind)));
    }
    std::vector<std::string> warnings;
    options->warnings = &warnings;
    auto updated =
        ctx.service.update(*ctx.type, ctx.info.ns, ctx.info.name, std::move(*body), *options);
    if (!updated) {
        return errorResponse(updated.error());
    }
    return writeResponse(200, *updated, warnings);
}

HandlerResult handlePatch(VerbContext& ctx) {
    auto options = writeOptionsOf(ctx.request);
    if (!options) {
        return errorResponse(options.error());
    }
    if (ctx.info.subresource == "status") {
        options->part = Part::Status;
    }
    MediaType media = parseMediaType(ctx.request.contentType);
    enum class Kind { Json, Merge, Strategic, Apply } kind;
    if (media.type == "application/json-patch+json") {
        kind = Kind::Json;
    } else if (media.type == "application/merge-patch+json") {
        kind = Kind::Merge;
    } else if (media.type == "application/strategic-merge-patch+json") {
        kind = Kind::Strategic;
    } else if (media.type == "application/apply-patch+yaml" ||
               media.type == "application/apply-patch+cbor") {
        kind = Kind::Apply;
    } else {
        ApiError e = unsupportedMediaType(ctx.request.contentType);
        e.message = fmt::format("the body of the request was in an unknown format - accepted "
                                "media types include: application/json-patch+json, "
                                "application/merge-patch+json, application/apply-patch+yaml, "
                                "application/strategic-merge-patch+json");
        return errorResponse(e);
    }
    if (kind == Kind::Strategic && ctx.type->custom) {
        ApiError e = unsupportedMediaType(ctx.request.contentType);
        e.message = "the body of the request was in an unknown format - accepted media types "
                    "include: application/json-patch+json, application/merge-patch+json, "
                    "application/apply-patch+yaml";
        return errorResponse(e);
    }
    Result<json::value> patch =
        kind == Kind::Apply ? kube::parseYaml(ctx.request.body) : kube::parseJson(ctx.request.body);
    if (!patch) {
        return errorResponse(badRequest(patch.error().message));
    }
    if (kind == Kind::Json ? !patch->is_array() : !patch->is_object()) {
        return errorResponse(badRequest(kind == Kind::Json
                                            ? "json: cannot unmarshal object into Go value of "
                                              "type jsonpatch.Patch"
                                            : "the patch body must be a JSON object"));
    }
    if (const std::string* m = ctx.request.param("fieldManager");
        kind == Kind::Apply && (!m || m->empty())) {
        return errorResponse(badRequest(
            "PATCH, application/apply-patch+yaml: fieldManager must be set for apply patches"));
    }
    const kube::ResourceType& type = *ctx.type;
    std::string manager = options->fieldManager;
    const Clock& clock = ctx.service.clock();
    bool force = false;
    if (const std::string* f = ctx.request.param("force"); f && !f->empty()) {
        force = parseBool(*f).value_or(false);
    }
    if (force && kind != Kind::Apply) {
        return errorResponse(badRequest("force: Invalid value: true: may not be specified for "
                                        "non-apply patch"));
    }
    options->managedFieldsSet = kind == Kind::Apply;
    ResourceService::Mutator mutate = [&](const json::object& current) -> ApiResult<json::object> {
        json::value base = current;
        Result<json::value> patched = fail(ErrorCode::Internal, "");
        switch (kind) {
        case Kind::Json:
            patched = kube::applyJsonPatch(base, *patch);
            break;
        case Kind::Merge:
            patched = kube::applyMergePatch(base, *patch);
            break;
        case Kind::Strategic:
            patched = kube::applyStrategicMergePatch(base, *patch, type.schema);
            break;
        case Kind::Apply: {
            // Server-side apply with field ownership (structured-merge-diff semantics).
            kube::fieldmanager::WriteContext context;
            context.manager = manager;
            context.apiVersion = type.gvk.apiVersion();
            context.subresource = ctx.info.subresource;
            context.now = clock.now();
            context.type = type.schema;
            context.statusSubresource = type.hasStatusSubresource;
            auto applied = kube::fieldmanager::apply(current.empty() ? nullptr : &base, *patch,
                                                     context, force);
            if (!applied) {
                return apiFail(badRequest(applied.error().message));
            }
            if (!applied->conflicts.empty()) {
                return apiFail(applyConflict(applied->conflicts));
            }
            patched = std::move(applied->object);
            break;
        }
        }
        if (!patched) {
            return apiFail(kind == Kind::Json
                               ? invalid(type.gvk.kind, type.gvk.group, ctx.info.name,
                                         {{"FieldValueInvalid", "", patched.error().message}})
                               : badRequest(patched.error().message));
        }
        if (!patched->is_object()) {
            return apiFail(badRequest("the patch produced something other than an object"));
        }
        json::object result = std::move(patched->as_object());
        // A resourceVersion in the patch is a precondition.
        const json::value* meta = result.if_contains("metadata");
        const json::value* currentMeta = current.if_contains("metadata");
        if (meta && meta->is_object() && currentMeta && currentMeta->is_object()) {
            std::string rv = stringAt(meta->get_object(), "resourceVersion");
            if (!rv.empty() && rv != stringAt(currentMeta->get_object(), "resourceVersion")) {
                return apiFail(conflict(type.plural, type.gvk.group, ctx.info.name,
                                        "the object has been modified; please apply your "
                                        "changes to the latest version and try again"));
            }
            std::string name = stringAt(meta->get_object(), "name");
            if (!current.empty() && !name.empty() && name != ctx.info.name) {
                return apiFail(badRequest(fmt::format(
                    "the name of the object ({}) does not match the name on the URL ({})", name,
                    ctx.info.name)));
            }
        }
        return result;
    };
    std::vector<std::string> warnings;
    options->warnings = &warnings;
    bool created = false;
    auto result = ctx.service.guaranteedUpdate(type, ctx.info.ns, ctx.info.name, mutate, *options,
                                               kind == Kind::Apply, &created);
    if (!result) {
        return errorResponse(result.error());
    }
    return writeResponse(created ? 201 : 200, *result, warnings);
}

namespace {

ApiResult<DeleteOptions> deleteOptionsOf(const Request& request) {
    DeleteOptions options;
    if (!request.body.empty()) {
        auto parsed = kube::parseJson(request.body);
        if (!parsed || !parsed->is_object()) {
            return apiFail(badRequest("the body of a delete request must be a DeleteOptions "
                                      "object"));
        }
        const json::object& body = parsed->as_object();
        if (const json::value* g = body.if_contains("gracePeriodSeconds"); g && g->is_number()) {
            options.gracePeriodSeconds = g->to_number<int64_t>();
        }
        options.propagationPolicy = stringAt(body, "propagationPolicy");
        if (const json::value* orphan = body.if_contains("orphanDependents");
            orphan && orphan->is_bool() && options.propagationPolicy.empty()) {
            options.propagationPolicy = orphan->get_bool() ? "Orphan" : "Background";
        }
        if (const json::value* p = body.if_contains("preconditions"); p && p->is_object()) {
            options.preconditionUid = stringAt(p->get_object(), "uid");
            options.preconditionResourceVersion = stringAt(p->get_object(), "resourceVersion");
        }
        if (const json::value* d = body.if_contains("dryRun"); d && d->is_array()) {
            options.dryRun = !d->get_array().empty();
        }
    }
    if (const std::string* g = request.param("gracePeriodSeconds"); g && !g->empty()) {
        try {
            options.gracePeriodSeconds = std::stoll(*g);
        } catch (...) {
            return apiFail(badRequest(fmt::format("invalid gracePeriodSeconds: {}", *g)));
        }
    }
    if (const std::string* p = request.param("propagationPolicy"); p && !p->empty()) {
        options.propagationPolicy = *p;
    }
    if (const std::string* d = request.param("dryRun"); d && *d == "All") {
        options.dryRun = true;
    }
    if (!options.propagationPolicy.empty() && options.propagationPolicy != "Orphan" &&
        options.propagationPolicy != "Background" && options.propagationPolicy != "Foreground") {
        return apiFail(badRequest(fmt::format(
            "propagationPolicy: Unsupported value: \"{}\": supported values: \"Foreground\", "
            "\"Background\", \"Orphan\", \"nil\"",
            options.propagationPolicy)));
    }
    return options;
}

HandlerResult deleteResponse(const kube::ResourceType& type, const DeleteOutcome& outcome) {
    bool returnsObject =
        (type.gvk.group.empty() && (type.gvk.kind == "Pod" || type.gvk.kind == "ServiceAccount" ||
                                    type.gvk.kind == "Namespace"));
    if (!outcome.removed || returnsObject) {
        return jsonResponse(200, json::serialize(outcome.object));
    }
    const json::value* meta = outcome.object.if_contains("metadata");
    std::string name = meta ? stringAt(meta->get_object(), "name") : std::string();
    std::string uid = meta ? stringAt(meta->get_object(), "uid") : std::string();
    return jsonResponse(200, successStatusJson(name, type.gvk.group, type.plural, uid));
}

} // namespace

HandlerResult handleDelete(VerbContext& ctx) {
    auto options = deleteOptionsOf(ctx.request);
    if (!options) {
        return errorResponse(options.error());
    }
    auto outcome = ctx.service.remove(*ctx.type, ctx.info.ns, ctx.info.name, *options);
    if (!outcome) {
        return errorResponse(outcome.error());
    }
    return deleteResponse(*ctx.type, *outcome);
}

HandlerResult handleDeleteCollection(VerbContext& ctx) {
    auto options = deleteOptionsOf(ctx.request);
    if (!options) {
        return errorResponse(options.error());
    }
    auto filter = buildFilter(ctx.request, *ctx.type, ctx.info.ns);
    if (!filter) {
        return errorResponse(filter.error());
    }
    watchcache::ListRequest listRequest;
    listRequest.filter = std::move(*filter);
    auto page = ctx.service.cacheFor(*ctx.type)->list(listRequest);
    if (!page) {
        return errorResponse(fromError(page.error()));
    }
    std::string body;
    body += R"({"kind":")" + ctx.type->gvk.kind + R"(List","apiVersion":")" +
            ctx.type->gvk.apiVersion() + R"(","metadata":{},"items":[)";
    bool first = true;
    for (const watchcache::ObjectPtr& item : page->items) {
        auto outcome = ctx.service.remove(*ctx.type, item->ns, item->name, *options);
        if (!outcome) {
            if (outcome.error().code == 404) {
                continue;
            }
            return errorResponse(outcome.error());
        }
        if (!first) {
            body += ',';
        }
        first = false;
        body += json::serialize(outcome->object);
    }
    body += "]}";
    return jsonResponse(200, std::move(body));
}

} // namespace pilot::apiserver
