#include "engine/apiserver/apierror.h"
#include "engine/apiserver/apihandler.h"
#include "engine/apiserver/verbs.h"

#include <boost/json/serialize.hpp>

namespace pilot::apiserver {

namespace json = boost::json;

HandlerResult handleSelfSubjectReview(VerbContext& ctx) {
    // The body carries nothing the answer depends on, but it must be a SelfSubjectReview.
    auto body = decodeBody(ctx.request, ctx.service.types());
    if (!body) {
        return errorResponse(body.error());
    }
    if (!ctx.request.user) {
        return errorResponse(unauthorized());
    }
    json::object userInfo;
    userInfo["username"] = ctx.request.user->name;
    json::array groups;
    for (const std::string& group : ctx.request.user->groups) {
        groups.emplace_back(group);
    }
    userInfo["groups"] = std::move(groups);
    json::object review;
    review["kind"] = "SelfSubjectReview";
    review["apiVersion"] = ctx.type->gvk.apiVersion();
    review["metadata"] = json::object{{"creationTimestamp", nullptr}};
    review["status"] = json::object{{"userInfo", std::move(userInfo)}};
    return jsonResponse(201, json::serialize(review));
}

} // namespace pilot::apiserver
