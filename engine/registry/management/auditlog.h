#pragma once

#include "core/clock.h"
#include "core/error.h"
#include "engine/registry/access/accesscontroller.h"
#include "engine/registry/storage/registrydb.h"

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace pilot::registry::management {

/// One audit log entry, Harbor's AuditLog (its event types before v2.13's extended log):
/// `operation` `create`, `pull` or `delete`; `resource_type` and `resource`:
/// - `artifact`, `project/repo:tag` (a push or pull by tag) or `project/repo:digest` (by
///   digest; deletes always name the digest);
/// - `tag`, `project/repo:tag` (created or deleted through the API, or deleted through /v2/);
/// - `repository`, `project/repo` (deleted through the API, after its artifacts' entries);
/// - `project`, the project's name (created or deleted).
struct AuditEntry {
    int64_t id = 0;
    /// The project the resource belongs to (Harbor's project_id; here its name).
    std::string project;
    std::string username;
    std::string resource;
    std::string resourceType;
    std::string operation;
    int64_t opTime = 0; ///< Unix seconds
};

/// The username Harbor's audit log shows for what `who` did: `anonymous` for anonymous callers.
[[nodiscard]] std::string auditUsername(const Identity& who);
/// The operator Harbor's audit log names for artifacts that tag retention deletes: retention
/// runs in its job service, which deletes through the core API with its secret-based identity.
inline constexpr std::string_view RetentionOperator = "harbor-jobservice";

/// A filter over the audit log: each set field must match; `*Fuzzy` fields match anywhere in
/// the value (Harbor's `k=~v`); `from`/`to` bound op_time (inclusive).
struct AuditQuery {
    std::optional<std::string> project;
    std::optional<std::string> username;
    bool usernameFuzzy = false;
    std::optional<std::string> resource;
    bool resourceFuzzy = false;
    std::optional<std::string> resourceType;
    /// Any of these operations (Harbor's `operation={create pull}` union, or one value).
    std::vector<std::string> operations;
    std::optional<int64_t> from;
    std::optional<int64_t> to;
    bool oldestFirst = false;
    int64_t offset = 0;
    int64_t limit = 10;
};

struct AuditPage {
    int64_t total = 0;
    std::vector<AuditEntry> items;
};

/// The registry's audit log in the registry database. Entries are recorded in memory and
/// written in batches (`flush`, which the management service runs every second and every query
/// runs first), so a pull never waits for a disk sync; a crash may lose the last second of
/// entries. Old entries are purged by age. Thread-safe.
class AuditLog {
public:
    AuditLog(RegistryDb& db, const Clock& clock) : m_db(db), m_clock(clock) {}

    /// Queues an entry; `opTime` 0 means now.
    void record(AuditEntry entry);
    /// Writes queued entries.
    [[nodiscard]] Status flush();
    [[nodiscard]] Result<AuditPage> query(const AuditQuery& query);
    /// Deletes entries older than `cutoff`; returns how many.
    [[nodiscard]] Result<int64_t> purge(TimePoint cutoff);

private:
    RegistryDb& m_db;
    const Clock& m_clock;
    std::mutex m_mutex;
    std::vector<AuditEntry> m_pending;
};

} // namespace pilot::registry::management
