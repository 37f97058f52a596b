#pragma once

#include "core/clock.h"
#include "core/error.h"
#include "engine/registry/storage/registrydb.h"

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pilot::registry::management {

/// A top-level artifact of a repository as retention and GC see it: a manifest that no index
/// in the same repository lists and that refers to no subject (children of an index and
/// referrers such as signatures go with their parent).
struct Artifact {
    std::string repository;
    std::string digest;
    std::string mediaType;
    int64_t size = 0;
    /// Sorted.
    std::vector<std::string> tags;
    /// When it was pushed, or a tag was last pointed at it (Unix seconds).
    int64_t pushed = 0;
    /// When it was last pulled; 0 when never.
    int64_t pulled = 0;
};

/// Read access to repositories and their artifacts for the management layer, plus the pull
/// times Harbor keeps per artifact (recorded in memory by `notePulled`, written by `flush`).
/// Thread-safe.
class Artifacts {
public:
    Artifacts(RegistryDb& db, const Clock& clock) : m_db(db), m_clock(clock) {}

    /// Repositories of `project` holding at least one manifest, sorted.
    [[nodiscard]] Result<std::vector<std::string>> repositories(std::string_view project);
    /// Every repository holding at least one manifest, sorted.
    [[nodiscard]] Result<std::vector<std::string>> allRepositories();
    /// The top-level artifacts of `repository`, in the order their manifests were stored.
    [[nodiscard]] Result<std::vector<Artifact>> list(std::string_view repository);

    /// Remembers that `digest` was pulled from `repository` now.
    void notePulled(std::string_view repository, std::string_view digest);
    /// Writes remembered pull times.
    [[nodiscard]] Status flush();

private:
    RegistryDb& m_db;
    const Clock& m_clock;
    std::mutex m_mutex;
    std::map<std::pair<std::string, std::string>, int64_t> m_pulls;
};

} // namespace pilot::registry::management
