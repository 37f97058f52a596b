#include "engine/registry/management/retention.h"

#include "engine/registry/management/harborschedule.h"
#include "engine/registry/management/managementdb.h"

#include "core/log.h"
#include "kube/jsonutil.h"

#include <boost/json/serialize.hpp>

#include <fmt/format.h>

namespace pilot::registry::management {

namespace json = boost::json;

namespace {

Result<std::optional<PolicyRecord>> readPolicy(Query& query) {
    auto row = query.next();
    if (!row) {
        return std::unexpected(row.error());
    }
    if (!*row) {
        return std::optional<PolicyRecord>();
    }
    int64_t id = query.integer(0);
    std::string projectName(query.text(1));
    auto policy = parseRetentionPolicy(kube::parseJsonText(query.text(2)));
    if (!policy) {
        return std::unexpected(policy.error());
    }
    policy->id = id;
    return std::optional<PolicyRecord>(PolicyRecord{std::move(*policy), std::move(projectName)});
}

RetentionExecution readExecution(const Query& query) {
    return RetentionExecution{query.integer(0),
                              query.integer(1),
                              query.integer(2) != 0,
                              std::string(query.text(3)),
                              std::string(query.text(4)),
                              query.integer(5),
                              query.integer(6)};
}

std::string shortTime(int64_t unixSeconds) {
    if (unixSeconds == 0) {
        return "-";
    }
    return formatTime(TimePoint(std::chrono::seconds(unixSeconds)));
}

/// The task log: a table of every artifact with its verdict, as Harbor's retention job logs.
std::string taskLogText(std::span<const Artifact> artifacts, const RetentionVerdict& verdict,
                        bool dryRun) {
    std::string out = fmt::format("{:<73}|{:<24}|{:<22}|{:<22}|{}\n", "Digest", "Tag", "PushedTime",
                                  "PulledTime", "Retention");
    for (size_t i = 0; i < artifacts.size(); ++i) {
        const Artifact& artifact = artifacts[i];
        std::string tags;
        for (const std::string& tag : artifact.tags) {
            tags += (tags.empty() ? "" : ",") + tag;
        }
        out += fmt::format("{:<73}|{:<24}|{:<22}|{:<22}|{}\n", artifact.digest,
                           tags.empty() ? "<none>" : tags, shortTime(artifact.pushed),
                           shortTime(artifact.pulled), verdict.retain[i] ? "RETAIN" : "DEL");
    }
    if (dryRun) {
        out += "dry run: nothing was deleted\n";
    }
    return out;
}

template <typename T, typename Read>
Result<ListPage<T>> readPage(DbConnection& db, std::string_view countSql, std::string_view sql,
                             int64_t key, int64_t offset, int64_t limit, Read read) {
    ListPage<T> page;
    auto count = db.queryOne(countSql, key);
    if (!count) {
        return std::unexpected(count.error());
    }
    page.total = *count ? (*count)->integer(0) : 0;
    auto query = db.query(sql);
    if (!query) {
        return std::unexpected(query.error());
    }
    query->bind(key).bind(limit).bind(offset);
    for (;;) {
        auto row = query->next();
        if (!row) {
            return std::unexpected(row.error());
        }
        if (!*row) {
            return page;
        }
        page.items.push_back(read(*query));
    }
}

} // namespace

Status Retention::recoverInterrupted() {
    int64_t now = unixSeconds(m_clock.now());
    return m_storage.db().write([&](DbConnection& db) -> Status {
        for (std::string_view table : {"retention_executions", "retention_tasks"}) {
            std::string sql = fmt::format(
                "UPDATE {} SET status = 'Error', end_time = ? WHERE status = 'Running'", table);
            if (auto ok = db.execute(sql, now); !ok) {
                return ok;
            }
        }
        return {};
    });
}

Result<int64_t> Retention::create(RetentionPolicy policy, std::string_view projectName) {
    int64_t now = unixSeconds(m_clock.now());
    policy.id = 0;
    std::string text = json::serialize(retentionPolicyJson(policy));
    return m_storage.db().write([&](DbConnection& db) -> Result<int64_t> {
        auto existing =
            db.queryOne("SELECT id FROM retention_policies WHERE project_id = ?", policy.projectId);
        if (!existing) {
            return std::unexpected(existing.error());
        }
        if (*existing) {
            return fail(ErrorCode::Conflict,
                        fmt::format("project {} already has retention policy {}", projectName,
                                    (*existing)->integer(0)));
        }
        if (auto ok = db.execute("INSERT INTO retention_policies(project_id, project_name, policy, "
                                 "created, updated) VALUES(?, ?, ?, ?, ?)",
                                 policy.projectId, projectName, text, now, now);
            !ok) {
            return std::unexpected(ok.error());
        }
        return db.lastInsertRowId();
    });
}

Result<std::optional<PolicyRecord>> Retention::get(int64_t id) {
    return m_storage.db().read([&](DbConnection& db) -> Result<std::optional<PolicyRecord>> {
        auto query =
            db.query("SELECT id, project_name, policy FROM retention_policies WHERE id = ?");
        if (!query) {
            return std::unexpected(query.error());
        }
        query->bind(id);
        return readPolicy(*query);
    });
}

Result<std::optional<PolicyRecord>> Retention::forProject(int64_t projectId) {
    return m_storage.db().read([&](DbConnection& db) -> Result<std::optional<PolicyRecord>> {
        auto query = db.query(
            "SELECT id, project_name, policy FROM retention_policies WHERE project_id = ?");
        if (!query) {
            return std::unexpected(query.error());
        }
        query->bind(projectId);
        return readPolicy(*query);
    });
}

Status Retention::update(int64_t id, RetentionPolicy policy) {
    auto current = get(id);
    if (!current) {
        return std::unexpected(current.error());
    }
    if (!*current) {
        return fail(ErrorCode::NotFound, fmt::format("retention policy {} not found", id));
    }
    policy.id = id;
    policy.projectId = (*current)->policy.projectId;
    std::string text = json::serialize(retentionPolicyJson(policy));
    int64_t now = unixSeconds(m_clock.now());
    return m_storage.db().write([&](DbConnection& db) -> Status {
        return db.execute("UPDATE retention_policies SET policy = ?, updated = ? WHERE id = ?",
                          text, now, id);
    });
}

Result<bool> Retention::remove(int64_t id) {
    return m_storage.db().write([&](DbConnection& db) -> Result<bool> {
        if (auto ok = db.execute("DELETE FROM retention_policies WHERE id = ?", id); !ok) {
            return std::unexpected(ok.error());
        }
        bool removed = db.changes() > 0;
        for (std::string_view sql : {"DELETE FROM retention_tasks WHERE execution_id IN "
                                     "(SELECT id FROM retention_executions WHERE policy_id = ?)",
                                     "DELETE FROM retention_executions WHERE policy_id = ?"}) {
            if (auto ok = db.execute(sql, id); !ok) {
                return std::unexpected(ok.error());
            }
        }
        return removed;
    });
}

Result<int64_t> Retention::execute(int64_t policyId, bool dryRun, std::string_view trigger) {
    auto record = get(policyId);
    if (!record) {
        return std::unexpected(record.error());
    }
    if (!*record) {
        return fail(ErrorCode::NotFound, fmt::format("retention policy {} not found", policyId));
    }
    int64_t now = unixSeconds(m_clock.now());
    auto id = m_storage.db().write([&](DbConnection& db) -> Result<int64_t> {
        auto running = db.queryOne("SELECT id FROM retention_executions WHERE policy_id = ? AND "
                                   "status = 'Running' LIMIT 1",
                                   policyId);
        if (!running) {
            return std::unexpected(running.error());
        }
        if (*running) {
            return fail(ErrorCode::Conflict,
                        fmt::format("retention execution {} of policy {} is still running",
                                    (*running)->integer(0), policyId));
        }
        if (auto ok = db.execute("INSERT INTO retention_executions(policy_id, dry_run, trigger, "
                                 "status, start_time, end_time) VALUES(?, ?, ?, 'Running', ?, 0)",
                                 policyId, int64_t{dryRun ? 1 : 0}, trigger, now);
            !ok) {
            return std::unexpected(ok.error());
        }
        return db.lastInsertRowId();
    });
    if (!id) {
        return id;
    }
    m_runner.post([this, executionId = *id, policy = std::move(**record), dryRun] {
        run(executionId, policy, dryRun);
    });
    return id;
}

Result<ListPage<RetentionExecution>> Retention::executions(int64_t policyId, int64_t offset,
                                                           int64_t limit) {
    return m_storage.db().read([&](DbConnection& db) {
        return readPage<RetentionExecution>(
            db, "SELECT COUNT(*) FROM retention_executions WHERE policy_id = ?",
            "SELECT id, policy_id, dry_run, trigger, status, start_time, end_time FROM "
            "retention_executions WHERE policy_id = ? ORDER BY id DESC LIMIT ? OFFSET ?",
            policyId, offset, limit, readExecution);
    });
}

Result<std::optional<RetentionExecution>> Retention::execution(int64_t policyId,
                                                               int64_t executionId) {
    return m_storage.db().read([&](DbConnection& db) -> Result<std::optional<RetentionExecution>> {
        auto row = db.queryOne("SELECT id, policy_id, dry_run, trigger, status, start_time, "
                               "end_time FROM retention_executions WHERE id = ? AND policy_id = ?",
                               executionId, policyId);
        if (!row) {
            return std::unexpected(row.error());
        }
        return *row ? std::optional<RetentionExecution>(readExecution(**row)) : std::nullopt;
    });
}

Result<ListPage<RetentionTask>> Retention::tasks(int64_t executionId, int64_t offset,
                                                 int64_t limit) {
    return m_storage.db().read([&](DbConnection& db) {
        return readPage<RetentionTask>(
            db, "SELECT COUNT(*) FROM retention_tasks WHERE execution_id = ?",
            "SELECT id, execution_id, repository, status, start_time, end_time, total, retained "
            "FROM retention_tasks WHERE execution_id = ? ORDER BY id LIMIT ? OFFSET ?",
            executionId, offset, limit, [](const Query& query) {
                return RetentionTask{query.integer(0),           query.integer(1),
                                     std::string(query.text(2)), std::string(query.text(3)),
                                     query.integer(4),           query.integer(5),
                                     query.integer(6),           query.integer(7)};
            });
    });
}

Result<std::optional<std::string>> Retention::taskLog(int64_t executionId, int64_t taskId) {
    return m_storage.db().read([&](DbConnection& db) -> Result<std::optional<std::string>> {
        auto row = db.queryOne("SELECT log FROM retention_tasks WHERE id = ? AND execution_id = ?",
                               taskId, executionId);
        if (!row) {
            return std::unexpected(row.error());
        }
        return *row ? std::optional<std::string>(std::string((*row)->text(0))) : std::nullopt;
    });
}

Result<std::vector<PolicyRecord>> Retention::scheduled() {
    return m_storage.db().read([&](DbConnection& db) -> Result<std::vector<PolicyRecord>> {
        auto query =
            db.query("SELECT id, project_name, policy FROM retention_policies ORDER BY id");
        if (!query) {
            return std::unexpected(query.error());
        }
        std::vector<PolicyRecord> out;
        for (;;) {
            auto record = readPolicy(*query);
            if (!record) {
                return std::unexpected(record.error());
            }
            if (!*record) {
                return out;
            }
            if (!(*record)->policy.cron.empty()) {
                out.push_back(std::move(**record));
            }
        }
    });
}

void Retention::runIfDue(TimePoint previous, TimePoint now) {
    auto policies = scheduled();
    if (!policies) {
        log::warn("registry", "retention schedules unreadable: {}", policies.error().message);
        return;
    }
    for (const PolicyRecord& record : *policies) {
        auto schedule = HarborSchedule::make("Custom", record.policy.cron);
        if (!schedule) {
            continue;
        }
        std::optional<TimePoint> next = schedule->next(previous);
        if (!next || *next > now) {
            continue;
        }
        if (auto started = execute(record.policy.id, false, "SCHEDULE"); !started) {
            log::warn("registry", "scheduled retention of {} not started: {}", record.projectName,
                      started.error().message);
        }
    }
}

Status Retention::stop(int64_t policyId, int64_t executionId) {
    auto current = execution(policyId, executionId);
    if (!current) {
        return std::unexpected(current.error());
    }
    if (!*current) {
        return fail(
            ErrorCode::NotFound,
            fmt::format("retention execution {} of policy {} not found", executionId, policyId));
    }
    if ((*current)->status != "Running") {
        return {}; // finished: as in Harbor, stopping it changes nothing
    }
    bool queued = false;
    {
        std::lock_guard lock(m_runMutex);
        m_stops.request(executionId);
        queued = m_running != executionId;
    }
    if (!queued) {
        return {}; // the run stops at its next cancellation point
    }
    // Not started yet (or just finished): it ends here; run() sees the request and skips it.
    int64_t now = unixSeconds(m_clock.now());
    auto changed = m_storage.db().write([&](DbConnection& db) -> Result<int64_t> {
        if (auto ok = db.execute("UPDATE retention_executions SET status = 'Stopped', "
                                 "end_time = ? WHERE id = ? AND status = 'Running'",
                                 now, executionId);
            !ok) {
            return std::unexpected(ok.error());
        }
        return db.changes();
    });
    if (!changed) {
        return std::unexpected(changed.error());
    }
    if (*changed == 0) {
        m_stops.forget(executionId); // it had finished
    }
    return {};
}

void Retention::finishExecution(int64_t executionId, std::string_view status) {
    int64_t end = unixSeconds(m_clock.now());
    auto ok = m_storage.db().write([&](DbConnection& db) -> Status {
        return db.execute("UPDATE retention_executions SET status = ?, end_time = ? "
                          "WHERE id = ? AND status = 'Running'",
                          status, end, executionId);
    });
    if (!ok) {
        log::warn("registry", "retention execution {}: {}", executionId, ok.error().message);
    }
}

Status Retention::deleteArtifact(std::string_view repository, const Artifact& artifact) {
    auto digest = Digest::parse(artifact.digest);
    if (!digest) {
        return std::unexpected(digest.error());
    }
    auto removed = m_storage.manifests().remove(repository, *digest);
    if (!removed) {
        return std::unexpected(removed.error());
    }
    if (*removed) {
        m_audit.record(
            AuditEntry{0, std::string(projectOf(repository)), std::string(RetentionOperator),
                       fmt::format("{}:{}", repository, artifact.digest), "artifact", "delete", 0});
    }
    return {};
}

void Retention::run(int64_t executionId, const PolicyRecord& record, bool dryRun) {
    {
        std::lock_guard lock(m_runMutex);
        m_running = executionId;
    }
    std::string_view status = runTasks(executionId, record, dryRun);
    finishExecution(executionId, status);
    std::lock_guard lock(m_runMutex);
    m_running = 0;
    m_stops.forget(executionId);
}

std::string_view Retention::runTasks(int64_t executionId, const PolicyRecord& record, bool dryRun) {
    if (m_stops.requested(executionId)) {
        return "Stopped";
    }
    auto repositories = m_artifacts.repositories(record.projectName);
    if (!repositories) {
        log::warn("registry", "retention execution {}: {}", executionId,
                  repositories.error().message);
        return "Error";
    }
    bool failed = false;
    bool stopped = false;
    for (const std::string& repository : *repositories) {
        if (m_stops.requested(executionId)) {
            stopped = true;
            break;
        }
        int64_t start = unixSeconds(m_clock.now());
        auto artifacts = m_artifacts.list(repository);
        if (!artifacts) {
            failed = true;
            continue;
        }
        RetentionVerdict verdict =
            evaluateRetention(record.policy, pathInProject(repository), *artifacts, start);
        if (!verdict.covered) {
            continue;
        }
        std::string status = "Success";
        std::string logText = taskLogText(*artifacts, verdict, dryRun);
        int64_t retained = 0;
        size_t kept = 0;
        for (size_t i = 0; i < artifacts->size(); ++i) {
            if (verdict.retain[i]) {
                ++retained;
                continue;
            }
            if (dryRun) {
                continue;
            }
            if (stopped || m_stops.requested(executionId)) {
                stopped = true;
                ++kept;
                continue;
            }
            if (auto ok = deleteArtifact(repository, (*artifacts)[i]); !ok) {
                status = "Error";
                logText +=
                    fmt::format("deleting {}: {}\n", (*artifacts)[i].digest, ok.error().message);
            }
        }
        if (stopped) {
            status = "Stopped";
            logText += fmt::format("stopped: the execution was asked to stop; {} artifact(s) "
                                   "marked DEL were kept\n",
                                   kept);
        }
        failed = failed || status == "Error";
        int64_t end = unixSeconds(m_clock.now());
        auto total = static_cast<int64_t>(artifacts->size());
        auto ok = m_storage.db().write([&](DbConnection& db) -> Status {
            return db.execute("INSERT INTO retention_tasks(execution_id, repository, status, "
                              "start_time, end_time, total, retained, log) "
                              "VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
                              executionId, repository, status, start, end, total, retained,
                              logText);
        });
        if (!ok) {
            log::warn("registry", "retention execution {}: {}", executionId, ok.error().message);
            failed = true;
        }
        if (stopped) {
            break;
        }
    }
    if (stopped || m_stops.requested(executionId)) {
        return "Stopped";
    }
    return failed ? "Error" : "Success";
}

} // namespace pilot::registry::management
