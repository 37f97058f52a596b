#pragma once

#include "core/clock.h"
#include "core/error.h"
#include "engine/registry/management/artifacts.h"
#include "engine/registry/management/auditlog.h"
#include "engine/registry/management/jobrunner.h"
#include "engine/registry/management/retentionpolicy.h"
#include "engine/registry/storage/registrystorage.h"

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace pilot::registry::management {

/// A project's retention policy as stored.
struct PolicyRecord {
    RetentionPolicy policy;
    std::string projectName;
};

/// One run of a policy, Harbor's RetentionExecution; `status` Running, Success, Error or
/// Stopped; `trigger` MANUAL or SCHEDULE.
struct RetentionExecution {
    int64_t id = 0;
    int64_t policyId = 0;
    bool dryRun = false;
    std::string trigger;
    std::string status;
    int64_t start = 0; ///< Unix seconds
    int64_t end = 0;   ///< 0 while running
};

/// The part of an execution that handled one repository, Harbor's RetentionExecutionTask:
/// `total` artifacts considered, `retained` of them kept.
struct RetentionTask {
    int64_t id = 0;
    int64_t executionId = 0;
    std::string repository;
    std::string status;
    int64_t start = 0;
    int64_t end = 0;
    int64_t total = 0;
    int64_t retained = 0;
};

template <typename T>
struct ListPage {
    int64_t total = 0;
    std::vector<T> items;
};

/// Tag retention, Harbor's model: one policy per project, executed (for real or as a dry run)
/// on the job thread, one task per repository some rule covers; an artifact no rule retains is
/// deleted with all its tags (a retained tag keeps its artifact and every tag on it), and the
/// audit log records each deletion as Harbor does (operator `harbor-jobservice`). Each task
/// keeps a log listing every artifact with its verdict. Policies with a cron run on schedule.
/// Thread-safe.
class Retention {
public:
    Retention(RegistryStorage& storage, Artifacts& artifacts, AuditLog& audit, JobRunner& runner,
              const Clock& clock)
        : m_storage(storage), m_artifacts(artifacts), m_audit(audit), m_runner(runner),
          m_clock(clock) {}

    /// Marks executions and tasks a previous process left Running as Error.
    [[nodiscard]] Status recoverInterrupted();

    /// Stores a new policy for project `projectName` (id `policy.projectId`) and returns its
    /// id; Conflict when the project has one already.
    [[nodiscard]] Result<int64_t> create(RetentionPolicy policy, std::string_view projectName);
    [[nodiscard]] Result<std::optional<PolicyRecord>> get(int64_t id);
    [[nodiscard]] Result<std::optional<PolicyRecord>> forProject(int64_t projectId);
    /// Replaces policy `id`'s rules and trigger (its project stays); NotFound.
    [[nodiscard]] Status update(int64_t id, RetentionPolicy policy);
    /// Deletes the policy and its history; false when there was none.
    [[nodiscard]] Result<bool> remove(int64_t id);

    /// Starts an execution of policy `policyId`; its id. NotFound; Conflict while another
    /// execution of the policy runs.
    [[nodiscard]] Result<int64_t> execute(int64_t policyId, bool dryRun, std::string_view trigger);
    /// Executions of the policy, newest first.
    [[nodiscard]] Result<ListPage<RetentionExecution>> executions(int64_t policyId, int64_t offset,
                                                                  int64_t limit);
    [[nodiscard]] Result<std::optional<RetentionExecution>> execution(int64_t policyId,
                                                                      int64_t executionId);
    /// Tasks of an execution, in repository order.
    [[nodiscard]] Result<ListPage<RetentionTask>> tasks(int64_t executionId, int64_t offset,
                                                        int64_t limit);
    /// A task's log; nullopt for an unknown task of that execution.
    [[nodiscard]] Result<std::optional<std::string>> taskLog(int64_t executionId, int64_t taskId);

    /// Asks execution `executionId` of policy `policyId` to stop (Harbor's PATCH
    /// /retentions/{id}/executions/{eid} with action `stop`): one still queued behind another
    /// job is Stopped at once and never runs; a running one stops before its next deletion
    /// (the repository in progress gets a Stopped task whose log says what was kept) and ends
    /// Stopped. A finished execution is left as it is. NotFound for an unknown execution.
    [[nodiscard]] Status stop(int64_t policyId, int64_t executionId);
    /// Called with the execution's id at each point where a run may stop (tests pause it there).
    void setCheckpointObserver(std::function<void(int64_t executionId)> observer) {
        m_stops.setObserver(std::move(observer));
    }

    /// Starts executions of scheduled policies whose cron fired in (previous, now].
    void runIfDue(TimePoint previous, TimePoint now);

private:
    void run(int64_t executionId, const PolicyRecord& record, bool dryRun);
    /// Handles every repository the policy covers; the execution's final status.
    [[nodiscard]] std::string_view runTasks(int64_t executionId, const PolicyRecord& record,
                                            bool dryRun);
    /// Deletes `artifact` of `repository` and records the deletion in the audit log.
    [[nodiscard]] Status deleteArtifact(std::string_view repository, const Artifact& artifact);
    /// Sets a Running execution's final status (nothing when it is no longer Running).
    void finishExecution(int64_t executionId, std::string_view status);
    [[nodiscard]] Result<std::vector<PolicyRecord>> scheduled();

    RegistryStorage& m_storage;
    Artifacts& m_artifacts;
    AuditLog& m_audit;
    JobRunner& m_runner;
    const Clock& m_clock;
    StopRequests m_stops;
    /// The execution the job thread is running, 0 when none: others not finished are queued.
    std::mutex m_runMutex;
    int64_t m_running = 0;
};

} // namespace pilot::registry::management
