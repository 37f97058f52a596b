#pragma once

#include "core/clock.h"
#include "core/error.h"
#include "engine/registry/management/artifacts.h"
#include "engine/registry/management/harborschedule.h"
#include "engine/registry/management/jobrunner.h"
#include "engine/registry/storage/registrystorage.h"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pilot::registry::management {

/// Harbor's GC job parameters.
struct GcParameters {
    bool dryRun = false;
    /// Delete untagged artifacts first (those pushed within the time window are spared: a
    /// multi-platform push uploads its untagged children just before the tagged index).
    bool deleteUntagged = false;
    int64_t workers = 1;
};

/// One garbage collection run, Harbor's GCHistory.
struct GcJob {
    int64_t id = 0;
    /// `MANUAL` or `SCHEDULE`.
    std::string kind;
    /// The parameters as Harbor reports them: a JSON text.
    std::string parameters;
    /// `Pending`, `Running`, `Success`, `Error` or `Stopped`.
    std::string status;
    int64_t created = 0; ///< Unix seconds
    int64_t updated = 0;
};

struct GcJobPage {
    int64_t total = 0;
    std::vector<GcJob> items;
};

struct GcSchedule {
    HarborSchedule schedule;
    GcParameters parameters;
    int64_t created = 0;
    int64_t updated = 0;
};

/// Garbage collection as Harbor offers it: runs on the job thread while the registry stays
/// online (RegistryStorage::collectGarbage with the time window as grace, so no blob a manifest
/// references or one uploaded within the window is ever deleted), optionally deleting untagged
/// artifacts first, with a history of runs, each with its status and log, and a schedule.
/// Untagged artifacts it deletes are in the run's log, not in the audit log: Harbor's GC job
/// deletes them outside any request, so its audit log has no entry for them either.
/// Thread-safe.
class GcJobs {
public:
    GcJobs(RegistryStorage& storage, Artifacts& artifacts, JobRunner& runner, const Clock& clock,
           std::chrono::seconds timeWindow)
        : m_storage(storage), m_artifacts(artifacts), m_runner(runner), m_clock(clock),
          m_timeWindow(timeWindow) {}

    /// Marks runs a previous process left Pending or Running as Error (interrupted).
    [[nodiscard]] Status recoverInterrupted();

    /// Queues a run; its id. Conflict while another run is pending or running.
    [[nodiscard]] Result<int64_t> start(const GcParameters& parameters, std::string_view kind);
    [[nodiscard]] Result<std::optional<GcJob>> get(int64_t id);
    /// Runs, newest first.
    [[nodiscard]] Result<GcJobPage> list(int64_t offset, int64_t limit);
    /// The run's log so far; nullopt for an unknown run.
    [[nodiscard]] Result<std::optional<std::string>> log(int64_t id);
    /// Asks run `id` to stop (Harbor's PUT /system/gc/{id}): a pending run is Stopped at once
    /// and never starts; a running one stops at its next cancellation point (before each
    /// untagged artifact it deletes, before the blob sweep and after it: the sweep itself, in
    /// storage, runs to its end) and ends Stopped. A finished run is left as it is. NotFound.
    [[nodiscard]] Status stop(int64_t id);
    /// Called with the run's id at each cancellation point (tests pause a run there).
    void setCheckpointObserver(std::function<void(int64_t id)> observer) {
        m_stops.setObserver(std::move(observer));
    }

    [[nodiscard]] Result<GcSchedule> schedule();
    /// Sets the schedule (`Manual` runs once now instead, with these parameters).
    [[nodiscard]] Status setSchedule(const HarborSchedule& schedule,
                                     const GcParameters& parameters);
    /// Starts a scheduled run when the schedule fired in (previous, now].
    void runIfDue(TimePoint previous, TimePoint now);

    [[nodiscard]] std::chrono::seconds timeWindow() const { return m_timeWindow; }

private:
    void run(int64_t id, GcParameters parameters);
    [[nodiscard]] std::string parametersJson(const GcParameters& parameters) const;
    /// Pending -> Running with `log`; false when the run is no longer Pending (stopped).
    [[nodiscard]] Result<bool> markRunning(int64_t id, const std::string& log);
    [[nodiscard]] Status finish(int64_t id, std::string_view status, const std::string& log);

    RegistryStorage& m_storage;
    Artifacts& m_artifacts;
    JobRunner& m_runner;
    const Clock& m_clock;
    std::chrono::seconds m_timeWindow;
    StopRequests m_stops;
};

/// Reads Harbor's `parameters` object (`dry_run`, `delete_untagged`, `workers` 1..5).
[[nodiscard]] Result<GcParameters> parseGcParameters(const boost::json::object* parameters);

} // namespace pilot::registry::management
