// get, list and watch: served from the watch cache.
#include "core/base64.h"
#include "core/log.h"
#include "engine/apiserver/apihandler.h"
#include "engine/apiserver/mediatype.h"
#include "engine/apiserver/protobufanswer.h"
#include "engine/apiserver/selectors.h"
#include "engine/apiserver/verbs.h"
#include "engine/apiserver/watchstream.h"
#include "engine/printers/tableprinter.h"
#include "kube/jsonutil.h"
#include "kube/types/protobuf.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <random>

namespace pilot::apiserver {
namespace json = boost::json;

namespace {

/// The representation a read answers with; protobuf only for built-in kinds (whose JSON answer
/// the handler turns into protobuf, see protobufAnswer).
Negotiated negotiateFor(const VerbContext& ctx) {
    return negotiate(ctx.request.accept,
                     ctx.type->schema != nullptr && kube::protobufEncodable(*ctx.type->schema));
}

std::string listKind(const kube::ResourceType& type) {
    return type.gvk.kind + "List";
}

struct ContinueToken {
    int64_t revision = 0;
    std::string afterKey;
};

std::string encodeContinue(int64_t revision, const std::string& afterKey) {
    json::object token{{"v", "meta.k8s.io/v1"}, {"rv", revision}, {"start", afterKey}};
    return base64Encode(json::serialize(token));
}

ApiResult<ContinueToken> decodeContinue(const std::string& text) {
    boost::system::error_code ec;
    std::string decoded = base64Decode(text).value_or(std::string());
    json::value v = kube::parseJsonText(decoded, ec);
    const json::object* o = ec ? nullptr : v.if_object();
    const json::value* rv = o ? o->if_contains("rv") : nullptr;
    const json::value* start = o ? o->if_contains("start") : nullptr;
    if (!rv || !rv->is_int64() || !start || !start->is_string()) {
        return apiFail(badRequest("continue key is not valid: the continue token is malformed"));
    }
    return ContinueToken{rv->get_int64(), std::string(start->get_string())};
}

ApiResult<int64_t> parseRevision(const std::string* text) {
    if (!text || text->empty()) {
        return 0;
    }
    int64_t value = 0;
    for (char c : *text) {
        if (c < '0' || c > '9' || value > (INT64_MAX / 10)) {
            return apiFail(badRequest(fmt::format("invalid resource version: {}", *text)));
        }
        value = value * 10 + (c - '0');
    }
    return value;
}

json::array columnDefinitions(const printers::TablePrinter& printer) {
    json::array defs;
    for (const printers::ColumnDefinition& c : printer.columns()) {
        defs.push_back(json::object{{"name", c.name},
                                    {"type", c.type},
                                    {"format", c.format},
                                    {"description", c.description},
                                    {"priority", c.priority}});
    }
    return defs;
}

std::string includeObjectOf(const Request& request) {
    const std::string* p = request.param("includeObject");
    return p && (*p == "None" || *p == "Object") ? *p : std::string("Metadata");
}

HandlerResult tableResponse(VerbContext& ctx, const std::vector<watchcache::ObjectPtr>& items,
                            json::object listMeta, const std::string& tableVersion) {
    auto printer = printers::printerFor(*ctx.type);
    std::string includeObject = includeObjectOf(ctx.request);
    TimePoint now = ctx.service.clock().now();
    json::array rows;
    for (const watchcache::ObjectPtr& item : items) {
        rows.push_back(tableRow(*ctx.type, *printer, *item, includeObject, tableVersion, now));
    }
    json::object table{{"kind", "Table"},
                       {"apiVersion", "meta.k8s.io/" + tableVersion},
                       {"metadata", std::move(listMeta)},
                       {"columnDefinitions", columnDefinitions(*printer)},
                       {"rows", std::move(rows)}};
    return jsonResponse(200, json::serialize(table));
}

} // namespace

HandlerResult handleGet(VerbContext& ctx) {
    auto object = ctx.service.get(*ctx.type, ctx.info.ns, ctx.info.name);
    if (!object) {
        return errorResponse(object.error());
    }
    Negotiated negotiated = negotiateFor(ctx);
    if (!negotiated.acceptable) {
        return errorResponse(notAcceptable("only the following media types are accepted: "
                                           "application/json, application/yaml"));
    }
    if (negotiated.representation == Representation::Table) {
        return tableResponse(
            ctx, {*object},
            json::object{{"resourceVersion", std::to_string((*object)->modRevision)}},
            negotiated.tableVersion);
    }
    if (negotiated.representation == Representation::PartialObjectMetadata) {
        return jsonResponse(200, json::serialize(partialObjectMetadata(*ctx.type, **object,
                                                                       negotiated.tableVersion)));
    }
    std::string scratch;
    return jsonResponse(200, servedJson(*ctx.type, **object, scratch));
}

HandlerResult handleList(VerbContext& ctx) {
    Negotiated negotiated = negotiateFor(ctx);
    if (!negotiated.acceptable) {
        return errorResponse(notAcceptable("only the following media types are accepted: "
                                           "application/json, application/yaml"));
    }
    auto filter = buildFilter(ctx.request, *ctx.type, ctx.info.ns);
    if (!filter) {
        return errorResponse(filter.error());
    }
    auto revision = parseRevision(ctx.request.param("resourceVersion"));
    if (!revision) {
        return errorResponse(revision.error());
    }
    watchcache::ListRequest listRequest;
    listRequest.filter = std::move(*filter);
    const std::string* match = ctx.request.param("resourceVersionMatch");
    if (match && !match->empty()) {
        if (*match != "NotOlderThan" && *match != "Exact") {
            return errorResponse(badRequest(
                fmt::format("resourceVersionMatch: Unsupported value: \"{}\": supported values: "
                            "\"Exact\", \"NotOlderThan\"",
                            *match)));
        }
        if (*revision == 0 && *match == "Exact") {
            return errorResponse(badRequest("resourceVersionMatch \"Exact\" is forbidden for "
                                            "resourceVersion \"0\""));
        }
        if (*match == "Exact") {
            listRequest.atRevision = *revision;
        }
    }
    if (const std::string* limit = ctx.request.param("limit"); limit && !limit->empty()) {
        auto parsed = parseRevision(limit);
        if (!parsed) {
            return errorResponse(badRequest(fmt::format("invalid limit: {}", *limit)));
        }
        listRequest.limit = *parsed;
    }
    if (const std::string* token = ctx.request.param("continue"); token && !token->empty()) {
        auto decoded = decodeContinue(*token);
        if (!decoded) {
            return errorResponse(decoded.error());
        }
        listRequest.atRevision = decoded->revision;
        listRequest.afterKey = decoded->afterKey;
    }
    auto page = ctx.service.cacheFor(*ctx.type)->list(listRequest);
    if (!page) {
        if (page.error().code == ErrorCode::Gone) {
            return errorResponse(
                expired("The provided continue parameter is too old to display a consistent list "
                        "result. You can start a new list without the continue parameter."));
        }
        return errorResponse(fromError(page.error()));
    }
    json::object listMeta{{"resourceVersion", std::to_string(page->revision)}};
    if (!page->continueKey.empty()) {
        listMeta["continue"] = encodeContinue(page->revision, page->continueKey);
        listMeta["remainingItemCount"] = page->remainingItems;
    }
    if (negotiated.representation == Representation::Table) {
        return tableResponse(ctx, page->items, std::move(listMeta), negotiated.tableVersion);
    }
    if (negotiated.protobuf) {
        auto body = protobufList(*ctx.type, listKind(*ctx.type), listMeta, page->items);
        if (body) {
            HandlerResult result;
            result.response.contentType = std::string(ProtobufMediaType);
            result.response.body = std::move(*body);
            return result;
        }
        // As a single object without a protobuf form is answered: in JSON, which typed clients
        // accept as well.
        log::warn("apiserver", "list {}: answered in JSON: {}", ctx.type->gvk.kind,
                  body.error().message);
    }
    if (negotiated.representation == Representation::PartialObjectMetadata) {
        // Metadata-only clients (informers of kubectl and controllers) get metadata only.
        json::array items;
        for (const auto& item : page->items) {
            items.push_back(partialObjectMetadata(*ctx.type, *item, negotiated.tableVersion));
        }
        json::object list{{"kind", "PartialObjectMetadataList"},
                          {"apiVersion", "meta.k8s.io/" + negotiated.tableVersion},
                          {"metadata", std::move(listMeta)},
                          {"items", std::move(items)}};
        return jsonResponse(200, json::serialize(list));
    }
    // Items are concatenated from their cached serialization: no re-encoding.
    std::string body;
    size_t size = 128;
    for (const auto& item : page->items) {
        size += item->json.size() + 1;
    }
    body.reserve(size);
    body += R"({"kind":")";
    body += listKind(*ctx.type);
    body += R"(","apiVersion":")";
    body += ctx.type->gvk.apiVersion();
    body += R"(","metadata":)";
    body += json::serialize(listMeta);
    body += R"(,"items":[)";
    bool first = true;
    for (const auto& item : page->items) {
        if (!first) {
            body += ',';
        }
        first = false;
        appendServedJson(*ctx.type, *item, body);
    }
    body += "]}";
    return jsonResponse(200, std::move(body));
}

HandlerResult handleWatch(VerbContext& ctx) {
    Negotiated negotiated = negotiateFor(ctx);
    auto filter = buildFilter(ctx.request, *ctx.type, ctx.info.ns);
    if (!filter) {
        return errorResponse(filter.error());
    }
    if (!ctx.info.name.empty()) {
        filter->name = ctx.info.name;
    }
    auto revision = parseRevision(ctx.request.param("resourceVersion"));
    if (!revision) {
        return errorResponse(revision.error());
    }
    int64_t timeout = 0;
    if (const std::string* t = ctx.request.param("timeoutSeconds"); t && !t->empty()) {
        auto parsed = parseRevision(t);
        if (!parsed) {
            return errorResponse(badRequest(fmt::format("invalid timeoutSeconds: {}", *t)));
        }
        timeout = *parsed;
    }
    if (timeout <= 0) {
        // Like kube-apiserver: a random timeout between 30 and 60 minutes.
        std::random_device rd;
        timeout = 1800 + static_cast<int64_t>(rd() % 1800);
    }
    WatchStreamOptions options;
    options.type = ctx.type;
    options.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout);
    const std::string* bookmarks = ctx.request.param("allowWatchBookmarks");
    options.bookmarks = bookmarks && parseBool(*bookmarks).value_or(false);
    auto cache = ctx.service.cacheFor(*ctx.type);
    options.revision = [cache] { return cache->revision(); };
    options.clock = &ctx.service.clock();
    if (negotiated.representation == Representation::Table) {
        options.printer = printers::printerFor(*ctx.type);
        options.tableVersion = negotiated.tableVersion;
        options.includeObject = includeObjectOf(ctx.request);
    } else if (negotiated.representation == Representation::PartialObjectMetadata) {
        options.metadataOnly = true;
        options.tableVersion = negotiated.tableVersion;
    }
    options.protobuf = negotiated.protobuf;
    auto watcher = cache->watch(std::move(*filter), *revision, 10000);
    if (!watcher) {
        options.errorEvent = errorEvent(expired(watcher.error().message), options.protobuf);
    } else {
        options.watcher = std::move(*watcher);
    }
    HandlerResult result;
    result.stream = std::make_shared<WatchStream>(std::move(options));
    return result;
}

} // namespace pilot::apiserver
