#pragma once

#include "engine/registry/distribution/registryhooks.h"
#include "engine/registry/management/artifacts.h"
#include "engine/registry/management/auditlog.h"
#include "engine/registry/management/quotas.h"

namespace pilot::registry::management {

/// The management layer as the distribution API sees it: blob and manifest pushes are checked
/// against the project's storage quota (403 DENIED with Harbor's message when over), and
/// pushes, pulls and deletes go to the audit log (pulls also to the artifact's pull time).
/// A quota that cannot be read (a database error) lets the push through, logged: quotas must
/// not turn a storage hiccup into refused pushes. Thread-safe.
class ManagementHooks final : public RegistryHooks {
public:
    ManagementHooks(Quotas& quotas, AuditLog& audit, Artifacts& artifacts)
        : m_quotas(quotas), m_audit(audit), m_artifacts(artifacts) {}

    [[nodiscard]] std::optional<HookRefusal> admitBlob(const Identity& who,
                                                       std::string_view repository,
                                                       const Digest& digest,
                                                       uint64_t size) override;
    [[nodiscard]] std::optional<HookRefusal>
    admitManifest(const Identity& who, std::string_view repository, const Digest& digest,
                  const ManifestDocument& document, uint64_t size) override;
    void manifestPushed(const Identity& who, std::string_view repository, const Digest& digest,
                        std::span<const std::string> tags) override;
    void manifestPulled(const Identity& who, std::string_view repository, const Digest& digest,
                        std::string_view tag) override;
    void manifestDeleted(const Identity& who, std::string_view repository,
                         const Digest& digest) override;
    void tagDeleted(const Identity& who, std::string_view repository,
                    std::string_view tag) override;

private:
    void record(const Identity& who, std::string_view repository, std::string_view reference,
                std::string_view resourceType, std::string_view operation);

    Quotas& m_quotas;
    AuditLog& m_audit;
    Artifacts& m_artifacts;
};

} // namespace pilot::registry::management
