#pragma once

#include "core/clock.h"
#include "core/error.h"

#include <openssl/types.h>

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::auth {

class ServiceAccountTokens;

/// Who made a request, as RBAC and `SelfSubjectReview` see it.
struct UserInfo {
    std::string name;
    std::string uid;
    std::vector<std::string> groups;

    bool operator==(const UserInfo&) const = default;
};

/// Turns a request's credentials into a `UserInfo`: a client certificate the TLS layer already
/// verified against the CA (CN is the user, each O a group), or a bearer token from the static
/// token file (kube-apiserver's `--token-auth-file` format) or added at run time. Every
/// authenticated user also gets the group `system:authenticated`, as in kube-apiserver.
///
/// Tokens are kept only as SHA-256 digests and looked up in constant time with respect to their
/// content. All members are thread-safe.
class Authenticator {
public:
    static constexpr std::string_view AuthenticatedGroup = "system:authenticated";
    static constexpr std::string_view ServiceAccountsGroup = "system:serviceaccounts";

    /// The uid of the object `resource` (`serviceaccounts`, `pods`, `secrets`; `nodes`, whose
    /// `ns` is ignored) `ns/name` as the API has it now; nullopt when it does not exist.
    using ObjectUidLookup = std::function<std::optional<std::string>(
        std::string_view resource, std::string_view ns, std::string_view name)>;

    Authenticator() = default;
    Authenticator(const Authenticator&) = delete;
    Authenticator& operator=(const Authenticator&) = delete;

    /// Replaces the tokens read from a file earlier with those in `path`, CSV records
    /// `token,user,uid[,"group1,group2"]`; run-time tokens stay. A missing file means no file
    /// tokens. InvalidArgument naming the line for malformed CSV or a record with fewer than three
    /// fields (then nothing changes). Records with an empty token are skipped; on duplicates the
    /// last record wins.
    [[nodiscard]] Status loadTokenFile(const std::string& path);
    /// Accepts `token` for `user` from now on (replacing an earlier run-time entry for it).
    void addToken(std::string_view token, UserInfo user);
    /// Stops accepting a run-time token; false when it was not there.
    bool removeToken(std::string_view token);

    /// Accepts ServiceAccount tokens signed by `tokens` from now on (set before serving): valid
    /// at `clock.now()`, for the issuer's audience, naming a ServiceAccount (and a bound pod or
    /// Secret, and the bound pod's node) that `lookup` still finds with the same uid. The user is
    /// `system:serviceaccount:NS:NAME` (uid: the ServiceAccount's) in the groups
    /// `system:serviceaccounts`, `system:serviceaccounts:NS` and `system:authenticated`.
    void setServiceAccountTokens(std::shared_ptr<const ServiceAccountTokens> tokens,
                                 ObjectUidLookup lookup, const Clock& clock);

    /// The user named by a verified peer certificate; nullopt for null or a certificate without CN.
    [[nodiscard]] std::optional<UserInfo> fromClientCertificate(X509* peerCert) const;
    /// The user of a finished server-side handshake: its peer certificate when one was presented
    /// and verified, otherwise nullopt (an anonymous connection).
    [[nodiscard]] std::optional<UserInfo> fromSsl(const SSL* ssl) const;
    /// The user owning `token`; run-time tokens take precedence over file tokens, which take
    /// precedence over ServiceAccount tokens.
    [[nodiscard]] std::optional<UserInfo> fromBearerToken(std::string_view token) const;
    /// As `fromBearerToken` for an HTTP `Authorization` header value `Bearer <token>` (scheme
    /// case-insensitive); nullopt for other schemes.
    [[nodiscard]] std::optional<UserInfo> fromAuthorizationHeader(std::string_view header) const;

private:
    using Digest = std::array<unsigned char, 32>;
    struct TokenEntry {
        Digest digest;
        UserInfo user;
    };

    [[nodiscard]] std::optional<UserInfo> fromServiceAccountToken(std::string_view token) const;
    static std::optional<Digest> digestOf(std::string_view token);
    static std::optional<UserInfo> find(const std::vector<TokenEntry>& entries,
                                        const Digest& digest);

    mutable std::shared_mutex m_mutex;
    std::vector<TokenEntry> m_fileTokens;
    std::vector<TokenEntry> m_runtimeTokens;
    std::shared_ptr<const ServiceAccountTokens> m_serviceAccountTokens;
    ObjectUidLookup m_lookup;
    const Clock* m_clock = nullptr;
};

} // namespace pilot::auth
