#pragma once

#include "core/error.h"
#include "engine/auth/authenticator.h"

#include <string>
#include <string_view>
#include <vector>

namespace pilot::auth {

/// One record of a static token file.
struct StaticToken {
    std::string token;
    UserInfo user;
};

/// Parses kube-apiserver's `--token-auth-file` format: CSV (RFC 4180 quoting, CRLF or LF, blank
/// lines ignored) with records `token,user,uid[,groups]` where `groups` is one comma-separated
/// field, usually quoted. Records with an empty token are dropped; empty group names are dropped.
/// InvalidArgument `<origin>:<line>: ...` for broken quoting or fewer than three fields.
[[nodiscard]] Result<std::vector<StaticToken>> parseTokenFile(std::string_view content,
                                                              std::string_view origin);

} // namespace pilot::auth
