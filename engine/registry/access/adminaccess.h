#pragma once

#include "core/error.h"
#include "engine/registry/access/accesscontroller.h"

#include <optional>
#include <string>
#include <string_view>

namespace pilot::registry {

/// A username and password.
struct Credential {
    std::string username;
    std::string password;
};

/// The registry's first administrator, kept in `path` (DATA/registry-admin) as one line
/// `username:password`, mode 0600. The first call creates it (`admin` and a random 32-character
/// password, written atomically); later calls read it back. InvalidArgument when the file is
/// not one `user:password` line.
[[nodiscard]] Result<Credential> loadOrCreateAdminCredential(const std::string& path);

/// The `user:password` of an HTTP Basic `Authorization` value, or nullopt when it is not one.
[[nodiscard]] std::optional<Credential> parseBasicAuthorization(std::string_view authorization);

/// Phase-one policy: the administrator (HTTP Basic) may do everything; everyone, anonymous
/// included, may pull and list. Anonymous pushes and deletes get a Basic challenge, and so does
/// an anonymous `/v2/` check, so that clients holding credentials learn to send them.
/// Thread-safe (immutable after construction).
class AdminAccess final : public AccessController {
public:
    explicit AdminAccess(Credential administrator);

    [[nodiscard]] Result<Identity> authenticate(std::string_view authorization) override;
    [[nodiscard]] Decision authorize(const Identity& identity, std::string_view repository,
                                     Action action) override;
    [[nodiscard]] std::string challenge(std::string_view repository, Action action,
                                        std::string_view host) override;

private:
    Credential m_administrator;
    std::string m_passwordDigest;
};

} // namespace pilot::registry
