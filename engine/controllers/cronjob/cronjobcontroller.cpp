#include "engine/controllers/cronjob/cronjobcontroller.h"

#include "core/log.h"
#include "engine/controllers/common/controllerref.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <fmt/format.h>

namespace pilot::controllers {
namespace json = boost::json;

namespace {

constexpr std::string_view Component = "cronjob-controller";
constexpr std::string_view NamespaceIndex = "namespace";

} // namespace

CronJobController::CronJobController(kube::ApiClient& client)
    : CronJobController(client, Options{}) {}

CronJobController::CronJobController(kube::ApiClient& client, Options options)
    : QueueController(std::string(Component), options.workers), m_client(client),
      m_options(std::move(options)), m_clock(m_options.clock ? *m_options.clock : m_systemClock),
      m_localZone(m_options.localZone.value_or(cron::TimeZone::local())),
      m_events(client, std::string(Component)) {}

CronJobController::~CronJobController() {
    // Workers call reconcile(), which uses this class's members: stop them first.
    stop();
}

void CronJobController::stop() {
    QueueController::stop();
    m_events.stop();
}

void CronJobController::setUp(SharedInformers& informers) {
    informers.addIndex(kube::resources::Jobs, std::string(NamespaceIndex), kube::namespaceIndex());
    m_cronJobs = &informers.forResource(kube::resources::CronJobs);
    m_jobs = &informers.forResource(kube::resources::Jobs);

    kube::InformerHandlers cronJobs;
    cronJobs.onAdd = [this](const kube::ObjectPtr& cj) { enqueue(kube::objectKey(*cj)); };
    cronJobs.onUpdate = [this](const kube::ObjectPtr& old, const kube::ObjectPtr& cj) {
        onCronJobUpdated(old, cj);
    };
    cronJobs.onDelete = [this](const kube::ObjectPtr& cj) { enqueue(kube::objectKey(*cj)); };
    m_cronJobs->addHandlers(std::move(cronJobs));

    kube::InformerHandlers jobs;
    jobs.onAdd = [this](const kube::ObjectPtr& j) { onJobAdded(j); };
    jobs.onUpdate = [this](const kube::ObjectPtr& old, const kube::ObjectPtr& j) {
        onJobUpdated(old, j);
    };
    jobs.onDelete = [this](const kube::ObjectPtr& j) { onJobDeleted(j); };
    m_jobs->addHandlers(std::move(jobs));
}

void CronJobController::requeueAt(const std::string& key, TimePoint at) {
    if (m_options.requeueAt) {
        m_options.requeueAt(key, at);
        return;
    }
    enqueueAfter(key, std::max(at - m_clock.now(), std::chrono::nanoseconds(0)));
}

kube::ObjectPtr CronJobController::resolveControllerRef(std::string_view ns,
                                                        const json::object* ref) const {
    return controllers::resolveControllerRef(m_cronJobs->cache(), "CronJob", ns, ref);
}

void CronJobController::onJobAdded(const kube::ObjectPtr& j) {
    if (kube::hasDeletionTimestamp(*j)) {
        onJobDeleted(j);
        return;
    }
    if (kube::ObjectPtr cj = resolveControllerRef(kube::namespaceOf(*j), kube::controllerRef(*j))) {
        enqueue(kube::objectKey(*cj));
    }
}

void CronJobController::onJobUpdated(const kube::ObjectPtr& old, const kube::ObjectPtr& j) {
    if (kube::resourceVersion(*old) == kube::resourceVersion(*j)) {
        return;
    }
    // CronJobs do not adopt orphaned Jobs: no owner selects them.
    (void)routeOwnedUpdate(
        *old, *j,
        [this](std::string_view ns, const json::object* ref) {
            return resolveControllerRef(ns, ref);
        },
        [](const json::object&) { return std::vector<kube::ObjectPtr>(); },
        [this](const kube::ObjectPtr& cj) { enqueue(kube::objectKey(*cj)); });
}

void CronJobController::onJobDeleted(const kube::ObjectPtr& j) {
    if (kube::ObjectPtr cj = resolveControllerRef(kube::namespaceOf(*j), kube::controllerRef(*j))) {
        enqueue(kube::objectKey(*cj));
    }
}

void CronJobController::onCronJobUpdated(const kube::ObjectPtr& old, const kube::ObjectPtr& cj) {
    const json::object* oldSpec = kube::objectAt(*old, "spec");
    const json::object* newSpec = kube::objectAt(*cj, "spec");
    const json::value* oldTz = oldSpec ? oldSpec->if_contains("timeZone") : nullptr;
    const json::value* newTz = newSpec ? newSpec->if_contains("timeZone") : nullptr;
    bool tzChanged = (oldTz == nullptr) != (newTz == nullptr) ||
                     (oldTz && newTz && !kube::jsonEqual(*oldTz, *newTz));
    std::string key = kube::objectKey(*cj);
    if (kube::stringAt(oldSpec, "schedule") == kube::stringAt(newSpec, "schedule") && !tzChanged) {
        // Anything else changed: look now; the sync finds the next time itself.
        enqueue(key);
        return;
    }
    // A new schedule: look when it next fires (sooner than before, or the queued look finds
    // nothing to do).
    auto schedule = cron::Schedule::parse(cronjob::formatSchedule(*cj));
    if (!schedule) {
        m_events.warning(*cj, "UnParseableCronJobSchedule",
                         fmt::format("unparseable schedule for cronjob: {}",
                                     kube::stringAt(newSpec, "schedule")));
        return;
    }
    if (auto at = cronjob::nextLookTime(*cj, m_clock.now(), *schedule, m_localZone)) {
        requeueAt(key, *at);
    }
}

Status CronJobController::reconcile(const std::string& key) {
    kube::ObjectPtr cached = m_cronJobs->cache().get(key);
    if (!cached) {
        m_written.forget(key);
        return {}; // Deleted.
    }
    if (m_written.behind(key, *cached)) {
        // The cache has not seen our last status write; its update event brings the key back.
        queue().addRateLimited(key);
        return {};
    }
    std::vector<kube::ObjectPtr> jobs = jobsToBeReconciled(*cached);
    // One copy collects every status change; it is written once.
    json::object cronJob = *cached;
    cronjob::CronJobStatus status = cronjob::CronJobStatus::fromCronJob(cronJob);
    bool updateAfterCleanup = cleanupFinishedJobs(cronJob, status, jobs);
    SyncOutcome outcome = syncCronJob(cronJob, status, jobs);
    if (outcome.error) {
        log::debug(Component, "{}: {}", key, outcome.error->message);
    }
    if (updateAfterCleanup || outcome.updateStatus) {
        cronJob["status"] = status.toJson();
        auto written = m_client.updateStatus(kube::resources::CronJobs, cronJob);
        if (!written) {
            if (written.error().kind == ErrorCode::Conflict) {
                queue().addRateLimited(key);
                return {};
            }
            return std::unexpected(written.error().toError());
        }
        m_written.remember(key, *written);
    }
    if (outcome.requeueAt) {
        requeueAt(key, *outcome.requeueAt);
        return {};
    }
    if (outcome.error) {
        return std::unexpected(*outcome.error);
    }
    return {};
}

} // namespace pilot::controllers
