#include "engine/registry/management/gcjobs.h"

#include "engine/registry/management/managementdb.h"
#include "engine/registry/management/quotas.h"

#include "core/log.h"
#include "kube/jsonutil.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fmt/format.h>

namespace pilot::registry::management {

namespace json = boost::json;

namespace {

constexpr std::string_view ScheduleSetting = "gc_schedule";

/// Log lines as Harbor's job logs write them: `<time> [INFO] [gc]: message`.
class JobLog {
public:
    explicit JobLog(const Clock& clock) : m_clock(clock) {}
    template <typename... Args>
    void info(fmt::format_string<Args...> format, Args&&... args) {
        line("INFO", fmt::format(format, std::forward<Args>(args)...));
    }
    template <typename... Args>
    void error(fmt::format_string<Args...> format, Args&&... args) {
        line("ERROR", fmt::format(format, std::forward<Args>(args)...));
    }
    [[nodiscard]] const std::string& text() const { return m_text; }

private:
    void line(std::string_view level, const std::string& message) {
        m_text += fmt::format("{} [{}] [garbage_collection]: {}\n", formatTime(m_clock.now()),
                              level, message);
    }
    const Clock& m_clock;
    std::string m_text;
};

GcJob readJob(const Query& query) {
    return GcJob{query.integer(0),           std::string(query.text(1)), std::string(query.text(2)),
                 std::string(query.text(3)), query.integer(4),           query.integer(5)};
}

json::object parametersObject(const GcParameters& parameters) {
    return json::object{{"dry_run", parameters.dryRun},
                        {"delete_untagged", parameters.deleteUntagged},
                        {"workers", parameters.workers}};
}

} // namespace

Result<GcParameters> parseGcParameters(const json::object* parameters) {
    GcParameters out;
    if (parameters == nullptr) {
        return out;
    }
    out.dryRun = kube::boolAt(*parameters, "dry_run").value_or(false);
    out.deleteUntagged = kube::boolAt(*parameters, "delete_untagged").value_or(false);
    out.workers = kube::integerAt(*parameters, "workers").value_or(1);
    if (out.workers < 1 || out.workers > 5) {
        return fail(
            ErrorCode::InvalidArgument,
            fmt::format("parameters.workers: must be between 1 and 5, got {}", out.workers));
    }
    return out;
}

std::string GcJobs::parametersJson(const GcParameters& parameters) const {
    json::object object = parametersObject(parameters);
    object["time_window"] = static_cast<double>(m_timeWindow.count()) / 3600.0;
    return json::serialize(object);
}

Status GcJobs::recoverInterrupted() {
    int64_t now = unixSeconds(m_clock.now());
    return m_storage.db().write([&](DbConnection& db) -> Status {
        return db.execute("UPDATE gc_history SET status = 'Error', updated = ?, log = log || "
                          "'interrupted: the registry stopped during the run' || char(10) "
                          "WHERE status IN ('Pending', 'Running')",
                          now);
    });
}

Result<int64_t> GcJobs::start(const GcParameters& parameters, std::string_view kind) {
    int64_t now = unixSeconds(m_clock.now());
    std::string text = parametersJson(parameters);
    auto id = m_storage.db().write([&](DbConnection& db) -> Result<int64_t> {
        auto busy =
            db.queryOne("SELECT id FROM gc_history WHERE status IN ('Pending', 'Running') LIMIT 1");
        if (!busy) {
            return std::unexpected(busy.error());
        }
        if (*busy) {
            return fail(ErrorCode::Conflict,
                        fmt::format("garbage collection {} is still running", (*busy)->integer(0)));
        }
        if (auto ok = db.execute("INSERT INTO gc_history(job_kind, parameters, status, created, "
                                 "updated, log) VALUES(?, ?, 'Pending', ?, ?, '')",
                                 kind, text, now, now);
            !ok) {
            return std::unexpected(ok.error());
        }
        return db.lastInsertRowId();
    });
    if (!id) {
        return id;
    }
    m_runner.post([this, jobId = *id, parameters] { run(jobId, parameters); });
    return id;
}

Result<std::optional<GcJob>> GcJobs::get(int64_t id) {
    return m_storage.db().read([&](DbConnection& db) -> Result<std::optional<GcJob>> {
        auto row = db.queryOne("SELECT id, job_kind, parameters, status, created, updated "
                               "FROM gc_history WHERE id = ?",
                               id);
        if (!row) {
            return std::unexpected(row.error());
        }
        return *row ? std::optional<GcJob>(readJob(**row)) : std::nullopt;
    });
}

Result<GcJobPage> GcJobs::list(int64_t offset, int64_t limit) {
    return m_storage.db().read([&](DbConnection& db) -> Result<GcJobPage> {
        GcJobPage page;
        auto count = db.queryOne("SELECT COUNT(*) FROM gc_history");
        if (!count) {
            return std::unexpected(count.error());
        }
        page.total = *count ? (*count)->integer(0) : 0;
        auto query = db.query("SELECT id, job_kind, parameters, status, created, updated "
                              "FROM gc_history ORDER BY id DESC LIMIT ? OFFSET ?");
        if (!query) {
            return std::unexpected(query.error());
        }
        query->bind(limit).bind(offset);
        for (;;) {
            auto row = query->next();
            if (!row) {
                return std::unexpected(row.error());
            }
            if (!*row) {
                return page;
            }
            page.items.push_back(readJob(*query));
        }
    });
}

Result<std::optional<std::string>> GcJobs::log(int64_t id) {
    return m_storage.db().read([&](DbConnection& db) -> Result<std::optional<std::string>> {
        auto row = db.queryOne("SELECT log FROM gc_history WHERE id = ?", id);
        if (!row) {
            return std::unexpected(row.error());
        }
        return *row ? std::optional<std::string>(std::string((*row)->text(0))) : std::nullopt;
    });
}

Result<GcSchedule> GcJobs::schedule() {
    auto text = m_storage.db().read([&](DbConnection& db) -> Result<std::string> {
        return readSetting(db, ScheduleSetting, "");
    });
    if (!text) {
        return std::unexpected(text.error());
    }
    GcSchedule out;
    if (text->empty()) {
        return out;
    }
    json::value value = kube::parseJsonText(*text);
    if (!value.is_object()) {
        return out;
    }
    const json::object& object = value.as_object();
    auto schedule =
        HarborSchedule::make(kube::stringAt(object, "type"), kube::stringAt(object, "cron"));
    if (schedule) {
        out.schedule = std::move(*schedule);
    }
    if (auto parameters = parseGcParameters(kube::objectAt(object, "parameters"))) {
        out.parameters = *parameters;
    }
    out.created = kube::integerAt(object, "created").value_or(0);
    out.updated = kube::integerAt(object, "updated").value_or(0);
    return out;
}

Status GcJobs::setSchedule(const HarborSchedule& schedule, const GcParameters& parameters) {
    if (schedule.type == "Manual") {
        auto started = start(parameters, "MANUAL");
        if (!started) {
            return std::unexpected(started.error());
        }
        return {};
    }
    auto current = this->schedule();
    if (!current) {
        return std::unexpected(current.error());
    }
    int64_t now = unixSeconds(m_clock.now());
    json::object object{{"type", schedule.type},
                        {"cron", schedule.cron},
                        {"parameters", parametersObject(parameters)},
                        {"created", current->created != 0 ? current->created : now},
                        {"updated", now}};
    std::string text = json::serialize(object);
    return m_storage.db().write(
        [&](DbConnection& db) -> Status { return writeSetting(db, ScheduleSetting, text); });
}

void GcJobs::runIfDue(TimePoint previous, TimePoint now) {
    auto current = schedule();
    if (!current || !current->schedule.periodic()) {
        return;
    }
    std::optional<TimePoint> next = current->schedule.next(previous);
    if (!next || *next > now) {
        return;
    }
    auto started = start(current->parameters, "SCHEDULE");
    if (!started) {
        log::warn("registry", "scheduled garbage collection not started: {}",
                  started.error().message);
    }
}

Status GcJobs::stop(int64_t id) {
    auto job = get(id);
    if (!job) {
        return std::unexpected(job.error());
    }
    if (!*job) {
        return fail(ErrorCode::NotFound, fmt::format("gc {} not found", id));
    }
    if ((*job)->status != "Pending" && (*job)->status != "Running") {
        return {}; // finished: as in Harbor, stopping it changes nothing
    }
    m_stops.request(id);
    // Still queued: it ends here, and run() leaves a run that is no longer Pending alone.
    JobLog jobLog(m_clock);
    jobLog.info("received the stop signal before the job started, quit GC job.");
    int64_t now = unixSeconds(m_clock.now());
    auto changed = m_storage.db().write([&](DbConnection& db) -> Result<int64_t> {
        if (auto ok = db.execute("UPDATE gc_history SET status = 'Stopped', updated = ?, "
                                 "log = log || ? WHERE id = ? AND status = 'Pending'",
                                 now, jobLog.text(), id);
            !ok) {
            return std::unexpected(ok.error());
        }
        return db.changes();
    });
    if (!changed) {
        return std::unexpected(changed.error());
    }
    if (*changed > 0) {
        m_stops.forget(id);
        return {};
    }
    // Running: it stops at its next cancellation point, unless it has just ended.
    if (auto current = get(id); current && *current && (*current)->status != "Running") {
        m_stops.forget(id);
    }
    return {};
}

Result<bool> GcJobs::markRunning(int64_t id, const std::string& log) {
    int64_t now = unixSeconds(m_clock.now());
    return m_storage.db().write([&](DbConnection& db) -> Result<bool> {
        if (auto ok = db.execute("UPDATE gc_history SET status = 'Running', updated = ?, log = ? "
                                 "WHERE id = ? AND status = 'Pending'",
                                 now, log, id);
            !ok) {
            return std::unexpected(ok.error());
        }
        return db.changes() > 0;
    });
}

Status GcJobs::finish(int64_t id, std::string_view status, const std::string& log) {
    int64_t now = unixSeconds(m_clock.now());
    return m_storage.db().write([&](DbConnection& db) -> Status {
        return db.execute("UPDATE gc_history SET status = ?, updated = ?, log = ? WHERE id = ?",
                          status, now, log, id);
    });
}

void GcJobs::run(int64_t id, GcParameters parameters) {
    JobLog jobLog(m_clock);
    jobLog.info("start to run gc in job.");
    jobLog.info("parameters: dry_run={}, delete_untagged={}, workers={}, time window {}s",
                parameters.dryRun, parameters.deleteUntagged, parameters.workers,
                m_timeWindow.count());
    auto running = markRunning(id, jobLog.text());
    if (!running) {
        log::warn("registry", "garbage collection {}: {}", id, running.error().message);
    } else if (!*running) {
        m_stops.forget(id); // stopped while it waited
        return;
    }
    auto end = [&](std::string_view status) {
        if (auto ok = finish(id, status, jobLog.text()); !ok) {
            log::warn("registry", "garbage collection {}: {}", id, ok.error().message);
        }
        m_stops.forget(id);
    };
    auto abort = [&](const Error& error) {
        jobLog.error("{}", error.message);
        end("Error");
    };
    // The cancellation points: between two deletions, never inside one.
    auto stopped = [&] {
        if (!m_stops.requested(id)) {
            return false;
        }
        jobLog.info("received the stop signal, quit GC job.");
        end("Stopped");
        return true;
    };
    if (stopped()) {
        return;
    }
    size_t untagged = 0;
    if (parameters.deleteUntagged) {
        auto repositories = m_artifacts.allRepositories();
        if (!repositories) {
            return abort(repositories.error());
        }
        int64_t spareAfter = unixSeconds(m_clock.now()) - m_timeWindow.count();
        for (const std::string& repository : *repositories) {
            auto artifacts = m_artifacts.list(repository);
            if (!artifacts) {
                return abort(artifacts.error());
            }
            for (const Artifact& artifact : *artifacts) {
                if (!artifact.tags.empty() || artifact.pushed > spareAfter) {
                    continue;
                }
                if (stopped()) {
                    return;
                }
                jobLog.info("untagged artifact eligible for deletion: {}@{}", repository,
                            artifact.digest);
                ++untagged;
                if (parameters.dryRun) {
                    continue;
                }
                auto digest = Digest::parse(artifact.digest);
                if (!digest) {
                    continue;
                }
                if (auto removed = m_storage.manifests().remove(repository, *digest); !removed) {
                    return abort(removed.error());
                }
            }
        }
    }
    if (stopped()) {
        return;
    }
    GcOptions options;
    options.grace = m_timeWindow;
    options.dryRun = parameters.dryRun;
    auto report = m_storage.collectGarbage(options);
    if (!report) {
        return abort(report.error());
    }
    for (const std::string& blob : report->blobsDeleted) {
        jobLog.info("blob eligible for deletion: {}", blob);
    }
    if (parameters.dryRun) {
        jobLog.info(
            "dry run: {} untagged artifact(s) and {} blob(s) eligible for deletion, {} could "
            "be freed; nothing was deleted.",
            untagged, report->blobsDeleted.size(), formatBytes(report->bytesFreed));
    } else {
        jobLog.info(
            "{} untagged artifact(s) deleted, {} repository link(s) and {} blob(s) removed, "
            "{} upload session(s) expired.",
            untagged, report->linksRemoved, report->blobsDeleted.size(), report->uploadsExpired);
        jobLog.info("The GC job actual frees up {} space.", formatBytes(report->bytesFreed));
    }
    if (stopped()) {
        return;
    }
    jobLog.info("success to run gc in job.");
    end("Success");
    log::info("registry", "garbage collection {} {}: {} blobs, {} freed", id,
              parameters.dryRun ? "(dry run) found" : "removed", report->blobsDeleted.size(),
              formatBytes(report->bytesFreed));
}

} // namespace pilot::registry::management
