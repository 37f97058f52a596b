#include "engine/registry/management/managementhooks.h"

#include "engine/registry/management/managementdb.h"

#include "core/log.h"

#include <fmt/format.h>

namespace pilot::registry::management {

namespace {

std::optional<HookRefusal> refusal(Result<std::optional<std::string>> checked,
                                   std::string_view repository) {
    if (!checked) {
        log::warn("registry", "quota of {} unreadable, push allowed: {}", projectOf(repository),
                  checked.error().message);
        return std::nullopt;
    }
    if (!*checked) {
        return std::nullopt;
    }
    return HookRefusal{403, OciError::Denied, std::move(**checked)};
}

} // namespace

std::optional<HookRefusal> ManagementHooks::admitBlob(const Identity& /*who*/,
                                                      std::string_view repository,
                                                      const Digest& digest, uint64_t size) {
    return refusal(m_quotas.checkBlob(repository, digest, size), repository);
}

std::optional<HookRefusal> ManagementHooks::admitManifest(const Identity& /*who*/,
                                                          std::string_view repository,
                                                          const Digest& digest,
                                                          const ManifestDocument& document,
                                                          uint64_t size) {
    return refusal(m_quotas.checkManifest(repository, digest, document, size), repository);
}

void ManagementHooks::manifestPushed(const Identity& who, std::string_view repository,
                                     const Digest& digest, std::span<const std::string> tags) {
    record(who, repository, tags.empty() ? std::string_view(digest.str()) : tags.front(),
           "artifact", "create");
}

void ManagementHooks::manifestPulled(const Identity& who, std::string_view repository,
                                     const Digest& digest, std::string_view tag) {
    m_artifacts.notePulled(repository, digest.str());
    record(who, repository, tag.empty() ? std::string_view(digest.str()) : tag, "artifact", "pull");
}

void ManagementHooks::manifestDeleted(const Identity& who, std::string_view repository,
                                      const Digest& digest) {
    record(who, repository, digest.str(), "artifact", "delete");
}

void ManagementHooks::tagDeleted(const Identity& who, std::string_view repository,
                                 std::string_view tag) {
    record(who, repository, tag, "tag", "delete");
}

void ManagementHooks::record(const Identity& who, std::string_view repository,
                             std::string_view reference, std::string_view resourceType,
                             std::string_view operation) {
    m_audit.record(AuditEntry{0, std::string(projectOf(repository)), auditUsername(who),
                              fmt::format("{}:{}", repository, reference),
                              std::string(resourceType), std::string(operation), 0});
}

} // namespace pilot::registry::management
