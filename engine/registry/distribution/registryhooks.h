#pragma once

#include "engine/registry/access/accesscontroller.h"
#include "engine/registry/distribution/ocierror.h"
#include "engine/registry/storage/digest.h"
#include "engine/registry/storage/manifestdocument.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pilot::registry {

/// Why a hook refused an operation: sent to the client as an OCI error response.
struct HookRefusal {
    int status = 403;
    OciError code = OciError::Denied;
    std::string message;
};

/// What the registry's management layer (quotas, audit log, pull times) wants to see of the
/// distribution API: `admit*` run before a blob or manifest becomes part of a repository and
/// may refuse it; the rest are told after an operation succeeded. The distribution handlers
/// call them with the request's identity; none is called for a request that failed. Every
/// method has a no-op default. Implementations are thread-safe, may block briefly (a database
/// read) and must never throw.
class RegistryHooks {
public:
    virtual ~RegistryHooks() = default;

    /// A blob of `size` bytes is about to be added to `repository`: an upload completes or
    /// another repository's blob is mounted.
    [[nodiscard]] virtual std::optional<HookRefusal> admitBlob(const Identity& /*who*/,
                                                               std::string_view /*repository*/,
                                                               const Digest& /*digest*/,
                                                               uint64_t /*size*/) {
        return std::nullopt;
    }
    /// A manifest of `size` bytes (already parsed and verified) is about to be stored.
    [[nodiscard]] virtual std::optional<HookRefusal>
    admitManifest(const Identity& /*who*/, std::string_view /*repository*/,
                  const Digest& /*digest*/, const ManifestDocument& /*document*/,
                  uint64_t /*size*/) {
        return std::nullopt;
    }

    /// A manifest was stored, with `tags` pointed at it (empty: pushed by digest).
    virtual void manifestPushed(const Identity& /*who*/, std::string_view /*repository*/,
                                const Digest& /*digest*/, std::span<const std::string> /*tags*/) {}
    /// A manifest was fetched with GET (not HEAD), by `tag` (empty: by digest).
    virtual void manifestPulled(const Identity& /*who*/, std::string_view /*repository*/,
                                const Digest& /*digest*/, std::string_view /*tag*/) {}
    /// A manifest and every tag on it were deleted.
    virtual void manifestDeleted(const Identity& /*who*/, std::string_view /*repository*/,
                                 const Digest& /*digest*/) {}
    /// Only the tag was deleted.
    virtual void tagDeleted(const Identity& /*who*/, std::string_view /*repository*/,
                            std::string_view /*tag*/) {}
};

} // namespace pilot::registry
