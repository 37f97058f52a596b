#include "engine/controllers/framework/leaderelection.h"
#include "core/threadname.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/random.h"
#include "kube/client/apiresource.h"
#include "kube/jsonutil.h"

#include <boost/json.hpp>

namespace pilot::controllers {
namespace json = boost::json;

LeaderElector::LeaderElector(kube::ApiClient& client, LeaderElectionOptions options,
                             std::function<void()> onStartedLeading,
                             std::function<void()> onStoppedLeading)
    : m_client(client), m_options(std::move(options)), m_onStarted(std::move(onStartedLeading)),
      m_onStopped(std::move(onStoppedLeading)) {
    if (m_options.identity.empty()) {
        m_options.identity = "pilothouse-" + randomHex(8);
    }
}

LeaderElector::~LeaderElector() {
    stop();
}

void LeaderElector::start() {
    m_thread = std::thread([this] {
        setThreadName("leader-elector");
        run();
    });
}

void LeaderElector::stop() {
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping) {
            return;
        }
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

bool LeaderElector::isLeader() const {
    std::lock_guard lock(m_mutex);
    return m_leading;
}

bool LeaderElector::waitFor(std::chrono::milliseconds delay) {
    std::unique_lock lock(m_mutex);
    return !m_wake.wait_for(lock, delay, [this] { return m_stopping; });
}

void LeaderElector::run() {
    while (true) {
        bool held = tryAcquireOrRenew();
        auto now = std::chrono::steady_clock::now();
        bool leading = false;
        {
            std::lock_guard lock(m_mutex);
            leading = m_leading;
        }
        if (held) {
            m_lastRenew = now;
            if (!leading) {
                {
                    std::lock_guard lock(m_mutex);
                    m_leading = true;
                }
                log::info("leader", "{} became the leader ({}/{})", m_options.identity,
                          m_options.leaseNamespace, m_options.leaseName);
                if (m_onStarted) {
                    m_onStarted();
                }
            }
        } else if (leading && now - m_lastRenew > m_options.renewDeadline) {
            {
                std::lock_guard lock(m_mutex);
                m_leading = false;
            }
            log::warn("leader", "{} lost the lease", m_options.identity);
            if (m_onStopped) {
                m_onStopped();
            }
        }
        if (!waitFor(m_options.retryPeriod)) {
            break;
        }
    }
    bool wasLeading = false;
    {
        std::lock_guard lock(m_mutex);
        wasLeading = m_leading;
        m_leading = false;
    }
    if (wasLeading) {
        release();
        if (m_onStopped) {
            m_onStopped();
        }
    }
}

bool LeaderElector::tryAcquireOrRenew() {
    const std::string now = formatMicroTime(SystemClock().now());
    const int64_t durationSeconds =
        std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(
                                 m_options.leaseDuration + std::chrono::milliseconds(999))
                                 .count());
    auto current =
        m_client.get(kube::resources::Leases, m_options.leaseNamespace, m_options.leaseName);
    if (!current) {
        if (!kube::isNotFound(current.error())) {
            return false;
        }
        json::object lease{
            {"apiVersion", "coordination.k8s.io/v1"},
            {"kind", "Lease"},
            {"metadata", {{"name", m_options.leaseName}, {"namespace", m_options.leaseNamespace}}},
            {"spec",
             {{"holderIdentity", m_options.identity},
              {"leaseDurationSeconds", durationSeconds},
              {"acquireTime", now},
              {"renewTime", now},
              {"leaseTransitions", 0}}}};
        return m_client.create(kube::resources::Leases, m_options.leaseNamespace, lease)
            .has_value();
    }
    json::object lease = std::move(*current);
    json::object* spec = kube::ensureObject(lease, "spec");
    std::string holder = kube::stringAt(*spec, "holderIdentity");
    std::string record = holder + "|" + kube::stringAt(*spec, "renewTime");
    auto observedNow = std::chrono::steady_clock::now();
    if (record != m_observedRecord) {
        m_observedRecord = record;
        m_observedAt = observedNow;
    }
    bool mine = holder == m_options.identity;
    bool expired = holder.empty() || observedNow - m_observedAt > m_options.leaseDuration;
    if (!mine && !expired) {
        return false;
    }
    if (!mine) {
        (*spec)["acquireTime"] = now;
        (*spec)["leaseTransitions"] = kube::integerAt(*spec, "leaseTransitions").value_or(0) + 1;
    }
    (*spec)["holderIdentity"] = m_options.identity;
    (*spec)["leaseDurationSeconds"] = durationSeconds;
    (*spec)["renewTime"] = now;
    // The update carries the read resourceVersion: a candidate that raced us gets Conflict.
    auto updated = m_client.update(kube::resources::Leases, lease);
    if (updated) {
        m_observedRecord = m_options.identity + "|" + now;
        m_observedAt = observedNow;
    }
    return updated.has_value();
}

void LeaderElector::release() {
    auto current =
        m_client.get(kube::resources::Leases, m_options.leaseNamespace, m_options.leaseName);
    if (!current) {
        return;
    }
    json::object lease = std::move(*current);
    json::object* spec = kube::ensureObject(lease, "spec");
    if (kube::stringAt(*spec, "holderIdentity") != m_options.identity) {
        return;
    }
    (*spec)["holderIdentity"] = "";
    (*spec)["leaseDurationSeconds"] = 1;
    (*spec)["renewTime"] = formatMicroTime(SystemClock().now());
    (void)m_client.update(kube::resources::Leases, lease);
}

} // namespace pilot::controllers
