#pragma once

#include "engine/apiserver/http.h"
#include "engine/apiserver/verbs.h"

namespace pilot::auth {
class ServiceAccountTokens;
}

namespace pilot::apiserver {

/// `POST .../serviceaccounts/NAME/token` (authentication.k8s.io/v1 TokenRequest), as
/// kube-apiserver serves it: `spec.expirationSeconds` defaults to 3600 and must be at least 600,
/// empty `spec.audiences` means the issuer, `spec.boundObjectRef` may name a Pod or Secret of the
/// namespace (whose uid, when given, must match). Answers 201 with the request, its audiences
/// filled in and `status.token` / `status.expirationTimestamp` set. `tokens` null: 404 (tokens
/// are not issued by this server).
[[nodiscard]] HandlerResult handleTokenRequest(VerbContext& ctx,
                                               const auth::ServiceAccountTokens* tokens);

} // namespace pilot::apiserver
