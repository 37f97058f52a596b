#pragma once

#include "core/clock.h"
#include "core/error.h"
#include "engine/registry/management/artifacts.h"
#include "engine/registry/management/auditlog.h"
#include "engine/registry/management/gcjobs.h"
#include "engine/registry/management/jobrunner.h"
#include "engine/registry/management/managementhooks.h"
#include "engine/registry/management/quotas.h"
#include "engine/registry/management/retention.h"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

namespace pilot::registry {
class RegistryStorage;
}

namespace pilot::registry::management {

struct ManagementOptions {
    /// Garbage collection spares unreferenced blobs uploaded (and untagged artifacts pushed)
    /// more recently than this: Harbor's time window, 2 h. Never less than an hour in
    /// production; tests shorten it with PILOT_REGISTRY_GC_TIME_WINDOW (seconds).
    std::chrono::seconds gcTimeWindow{std::chrono::hours(2)};
    /// Audit log entries older than this are purged.
    std::chrono::seconds auditRetention{std::chrono::hours(24 * 180)};
    /// Run the background thread (buffered writes every second, schedules); off in unit tests,
    /// which call `tick` themselves.
    bool background = true;

    /// The defaults, with PILOT_REGISTRY_GC_TIME_WINDOW (whole seconds) applied when set.
    [[nodiscard]] static ManagementOptions fromEnvironment();
};

/// The registry's management layer (Harbor's quotas, audit log, tag retention and garbage
/// collection) over its storage: owns the parts, the job thread they run long work on, and a
/// background thread that writes the buffered audit entries and pull times every second, starts
/// scheduled GC and retention runs, and purges old audit entries. `hooks()` goes into
/// DistributionOptions. Thread-safe; must outlive the Distribution using its hooks.
class RegistryManagement {
public:
    /// Creates the management tables when missing and marks runs a previous process left
    /// unfinished as failed. `clock` null: the storage's clock.
    [[nodiscard]] static Result<std::unique_ptr<RegistryManagement>>
    open(RegistryStorage& storage, ManagementOptions options = {}, const Clock* clock = nullptr);
    /// Stops the background thread and finishes the job in progress.
    ~RegistryManagement();
    RegistryManagement(const RegistryManagement&) = delete;
    RegistryManagement& operator=(const RegistryManagement&) = delete;

    [[nodiscard]] RegistryHooks& hooks() { return m_hooks; }
    [[nodiscard]] Quotas& quotas() { return m_quotas; }
    [[nodiscard]] AuditLog& audit() { return m_audit; }
    [[nodiscard]] Artifacts& artifacts() { return m_artifacts; }
    [[nodiscard]] Retention& retention() { return m_retention; }
    [[nodiscard]] GcJobs& gc() { return m_gc; }

    /// One pass of the background work as of `now`: writes buffered entries, starts the GC and
    /// retention runs scheduled since the previous pass, purges expired audit entries.
    void tick(TimePoint now);
    /// Blocks until no GC or retention job is queued or running.
    void waitForJobs() { m_runner.waitIdle(); }

private:
    RegistryManagement(RegistryStorage& storage, ManagementOptions options, const Clock& clock);
    void loop();

    ManagementOptions m_options;
    const Clock& m_clock;
    JobRunner m_runner{"registry-jobs"};
    Quotas m_quotas;
    AuditLog m_audit;
    Artifacts m_artifacts;
    ManagementHooks m_hooks;
    GcJobs m_gc;
    Retention m_retention;

    std::mutex m_tickMutex;
    TimePoint m_lastTick;
    TimePoint m_lastPurge;

    std::mutex m_loopMutex;
    std::condition_variable m_loopWake;
    bool m_stopping = false;
    std::thread m_loop;
};

} // namespace pilot::registry::management
