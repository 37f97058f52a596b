#include "engine/controllers/ttlafterfinished/ttlafterfinishedcontroller.h"

#include "core/log.h"
#include "engine/controllers/job/jobutil.h"
#include "kube/client/apierror.h"
#include "kube/objectmeta.h"

#include <fmt/format.h>

namespace pilot::controllers {
namespace json = boost::json;

namespace {

constexpr std::string_view Component = "ttl-after-finished-controller";

bool needsCleanup(const json::object& j) {
    return job::JobSpec::fromJob(j).ttlSecondsAfterFinished.has_value() && job::isJobFinished(j);
}

} // namespace

TtlAfterFinishedController::TtlAfterFinishedController(kube::ApiClient& client)
    : TtlAfterFinishedController(client, Options{}) {}

TtlAfterFinishedController::TtlAfterFinishedController(kube::ApiClient& client, Options options)
    : QueueController(std::string(Component), options.workers), m_client(client),
      m_options(std::move(options)), m_clock(m_options.clock ? *m_options.clock : m_systemClock) {}

TtlAfterFinishedController::~TtlAfterFinishedController() {
    stop();
}

void TtlAfterFinishedController::setUp(SharedInformers& informers) {
    m_jobs = &informers.forResource(kube::resources::Jobs);
    kube::InformerHandlers handlers;
    handlers.onAdd = [this](const kube::ObjectPtr& j) { onJob(j); };
    handlers.onUpdate = [this](const kube::ObjectPtr&, const kube::ObjectPtr& j) { onJob(j); };
    m_jobs->addHandlers(std::move(handlers));
}

void TtlAfterFinishedController::onJob(const kube::ObjectPtr& j) {
    if (!kube::hasDeletionTimestamp(*j) && needsCleanup(*j)) {
        enqueue(kube::objectKey(*j));
    }
}

Result<std::optional<TimePoint>> TtlAfterFinishedController::processTtl(const json::object& j) {
    if (kube::hasDeletionTimestamp(j) || !needsCleanup(j)) {
        return std::nullopt;
    }
    std::optional<job::JobCondition> finished = job::finishedCondition(j);
    auto finishedAt = parseTime(finished ? finished->lastTransitionTime : "");
    if (!finishedAt) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("unable to find the time when the Job {}/{} finished",
                                kube::namespaceOf(j), kube::name(j)));
    }
    const TimePoint now = m_clock.now();
    if (*finishedAt > now) {
        log::info(Component,
                  "{}: found Job finished in the future, likely clock skew; cleanup deferred",
                  kube::objectKey(j));
    }
    TimePoint expireAt =
        *finishedAt + std::chrono::seconds(*job::JobSpec::fromJob(j).ttlSecondsAfterFinished);
    if (expireAt <= now) {
        return expireAt;
    }
    std::string key = kube::objectKey(j);
    if (m_options.requeueAt) {
        m_options.requeueAt(key, expireAt);
    } else {
        enqueueAfter(key, expireAt - now);
    }
    return std::nullopt;
}

Status TtlAfterFinishedController::reconcile(const std::string& key) {
    kube::ObjectPtr cached = m_jobs->cache().get(key);
    if (!cached) {
        return {};
    }
    auto expired = processTtl(*cached);
    if (!expired) {
        return std::unexpected(expired.error());
    }
    if (!*expired) {
        return {};
    }
    // The cache may be stale (the TTL changed, the Job was re-created): check the API's copy.
    auto fresh =
        m_client.get(kube::resources::Jobs, kube::namespaceOf(*cached), kube::name(*cached));
    if (!fresh) {
        return kube::isNotFound(fresh.error()) ? Status{}
                                               : Status(std::unexpected(fresh.error().toError()));
    }
    expired = processTtl(*fresh);
    if (!expired) {
        return std::unexpected(expired.error());
    }
    if (!*expired) {
        return {};
    }
    kube::DeleteOptions options;
    options.propagationPolicy = "Foreground";
    options.preconditionUid = std::string(kube::uid(*fresh));
    auto removed = m_client.remove(kube::resources::Jobs, kube::namespaceOf(*fresh),
                                   kube::name(*fresh), options);
    if (!removed && !kube::isNotFound(removed.error())) {
        return std::unexpected(removed.error().toError());
    }
    log::info(Component, "{}: deleted finished Job after its TTL", key);
    return {};
}

} // namespace pilot::controllers
