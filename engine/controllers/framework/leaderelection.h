#pragma once

#include "kube/client/apiclient.h"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace pilot::controllers {

struct LeaderElectionOptions {
    std::string leaseNamespace = "kube-system";
    std::string leaseName = "pilothouse-controller-manager";
    std::string identity; ///< Unique per process (host name + random suffix).
    /// As kube-controller-manager: 15 s lease, renew within 10 s, retry every 2 s.
    std::chrono::milliseconds leaseDuration{15000};
    std::chrono::milliseconds renewDeadline{10000};
    std::chrono::milliseconds retryPeriod{2000};
};

/// Leader election over a coordination.k8s.io/v1 Lease, as client-go's leaderelection: a
/// candidate takes the Lease when it is free or its holder stopped renewing for longer than
/// leaseDurationSeconds, renews it every retryPeriod while leading, and gives up leadership when
/// it cannot renew within renewDeadline. Optimistic concurrency on the Lease's resourceVersion
/// makes two candidates never lead at once. `onStartedLeading`/`onStoppedLeading` run on the
/// elector's thread.
class LeaderElector {
public:
    LeaderElector(kube::ApiClient& client, LeaderElectionOptions options,
                  std::function<void()> onStartedLeading, std::function<void()> onStoppedLeading);
    ~LeaderElector();
    LeaderElector(const LeaderElector&) = delete;
    LeaderElector& operator=(const LeaderElector&) = delete;

    void start();
    /// Stops campaigning; a leader releases the Lease (holderIdentity cleared) so another
    /// candidate takes over at once.
    void stop();
    [[nodiscard]] bool isLeader() const;
    [[nodiscard]] const std::string& identity() const { return m_options.identity; }

private:
    void run();
    /// One attempt to acquire or renew; true when this candidate holds the Lease afterwards.
    [[nodiscard]] bool tryAcquireOrRenew();
    void release();
    bool waitFor(std::chrono::milliseconds delay);

    kube::ApiClient& m_client;
    LeaderElectionOptions m_options;
    std::function<void()> m_onStarted;
    std::function<void()> m_onStopped;
    std::thread m_thread;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    bool m_leading = false;
    /// When the holder we last observed changed its record, by our clock (client-go keeps the
    /// observed time locally rather than trusting the other candidate's clock).
    std::string m_observedRecord;
    std::chrono::steady_clock::time_point m_observedAt;
    std::chrono::steady_clock::time_point m_lastRenew;
};

} // namespace pilot::controllers
