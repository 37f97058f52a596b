#include "engine/apiserver/protobufanswer.h"

#include "engine/apiserver/mediatype.h"
#include "engine/apiserver/resourceservice.h"
#include "kube/jsonutil.h"
#include "kube/types/conversion.h"
#include "kube/types/protobuf.h"
#include "kube/types/protowire.h"
#include "kube/yaml.h"

#include <boost/json.hpp>
#include <boost/json/monotonic_resource.hpp>

#include <algorithm>
#include <array>
#include <cctype>

namespace pilot::apiserver {
namespace json = boost::json;

bool prefersProtobuf(const Request& request) {
    // Most requests (kubectl get, the Python client, the console) never mention protobuf.
    static constexpr std::string_view Word = "protobuf";
    auto sameLetter = [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == b;
    };
    if (std::search(request.accept.begin(), request.accept.end(), Word.begin(), Word.end(),
                    sameLetter) == request.accept.end()) {
        return false;
    }
    return negotiate(request.accept, true).protobuf;
}

HandlerResult protobufAnswer(HandlerResult result,
                             std::shared_ptr<const kube::TypeRegistry> types) {
    if (result.deferred) {
        result.deferred = [inner = std::move(result.deferred), types](Resume resume) {
            inner([resume = std::move(resume), types](Continuation next) {
                resume([next = std::move(next), types] { return protobufAnswer(next(), types); });
            });
        };
        return result;
    }
    Response& response = result.response;
    if (result.stream || result.tunnel || response.status < 200 || response.status > 299 ||
        response.contentType != "application/json" || !response.body.starts_with('{')) {
        return result;
    }
    boost::system::error_code ec;
    json::value parsed = json::parse(response.body, ec);
    if (ec || !parsed.is_object()) {
        return result;
    }
    auto encoded = kube::encodeProtobufObject(parsed.get_object(), *types);
    if (!encoded) {
        return result; // no protobuf form (a custom resource, a Table): JSON is accepted next
    }
    response.body = std::move(*encoded);
    response.contentType = std::string(ProtobufMediaType);
    return result;
}

namespace {

/// A cached object as `type` serves it, parsed into `arena`: the parse is most of an encoding's
/// cost, and its values live only until the encoding is written.
Result<json::object> parseServed(const kube::ResourceType& type,
                                 const watchcache::CachedObject& object,
                                 json::monotonic_resource& arena) {
    boost::system::error_code ec;
    json::parse_options options;
    options.max_depth = kube::MaxJsonDepth;
    json::value parsed = json::parse(object.json.str(), ec, &arena, options);
    if (ec || !parsed.is_object()) {
        return fail(ErrorCode::Internal, "a cached object is not a JSON object");
    }
    if (type.storageVersion) {
        return std::move(parsed.get_object());
    }
    return kube::convertObject(json::object(parsed.get_object()), type.gvk.apiVersion());
}

/// Appends an item's message (no envelope): its watch encoding when it has one, else encoded
/// here and not kept (a LIST of every pod would otherwise hold them all twice).
bool appendServedMessage(const kube::ResourceType& type, const watchcache::CachedObject& object,
                         std::string& out, std::string& error) {
    if (std::shared_ptr<const std::string> cached = object.protobuf.get()) {
        std::string_view envelope = *cached;
        out += kube::protowire::Reader(envelope.substr(kube::ProtobufMagic.size())).find(2);
        return true;
    }
    std::array<unsigned char, 16384> buffer;
    json::monotonic_resource arena(buffer.data(), buffer.size());
    auto served = parseServed(type, object, arena);
    if (!served) {
        error = served.error().message;
        return false;
    }
    return kube::appendProtobufMessage(*served, *type.schema, type.schemaSet, out, error);
}

} // namespace

Result<std::shared_ptr<const std::string>> servedProtobuf(const kube::ResourceType& type,
                                                          const watchcache::CachedObject& object) {
    if (type.storageVersion) {
        if (std::shared_ptr<const std::string> cached = object.protobuf.get()) {
            return cached;
        }
    }
    std::array<unsigned char, 16384> buffer;
    json::monotonic_resource arena(buffer.data(), buffer.size());
    auto served = parseServed(type, object, arena);
    if (!served) {
        return std::unexpected(served.error());
    }
    auto encoded =
        kube::encodeProtobufObject(*served, kube::ProtobufSchema{type.schema, type.schemaSet, {}});
    if (!encoded) {
        return std::unexpected(encoded.error());
    }
    auto shared = std::make_shared<const std::string>(std::move(*encoded));
    return type.storageVersion ? object.protobuf.offer(std::move(shared)) : shared;
}

Result<std::string> protobufList(const kube::ResourceType& type, std::string_view listKind,
                                 const json::object& listMeta,
                                 const std::vector<watchcache::ObjectPtr>& items) {
    kube::ProtobufListWriter list(type.gvk.apiVersion(), listKind, listMeta);
    std::string error;
    for (const watchcache::ObjectPtr& item : items) {
        if (!list.item(
                [&](std::string& out) { return appendServedMessage(type, *item, out, error); })) {
            return fail(ErrorCode::Internal, error);
        }
    }
    return std::move(list).finish();
}

} // namespace pilot::apiserver
