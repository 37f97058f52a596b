#pragma once

#include "bench/apibench/clientpool.h"
#include "bench/apibench/report.h"
#include "bench/apibench/servers.h"

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::bench {

/// Knobs of a run; the defaults are the budgets.md conditions.
struct BenchConfig {
    std::size_t clients = 200;         ///< concurrent clients, one connection each
    std::size_t threads = 1;           ///< driver threads per client pool
    std::chrono::seconds duration{10}; ///< of each timed phase
    /// Alternating engine/etcd rounds of the create phase; the median ratio is reported, so a
    /// busy minute of the machine weighs on both sides alike.
    std::size_t createRounds = 3;
    std::size_t valueSize = 200;   ///< bytes of ConfigMap data
    double writeRate = 500;        ///< mutating calls/s in the latency phase
    double getRate = 5000;         ///< GETs/s in the read phase
    std::size_t getObjects = 1000; ///< objects the GETs pick from
    std::size_t listPods = 10000;  ///< pods in the LIST namespace
    std::size_t listRuns = 10;     ///< LIST repetitions (median reported)
    std::size_t watchers = 100;    ///< concurrent pod watches
    double watchCreateRate = 2000; ///< pod creates/s while watched
    /// What the watchers read, one fan-out run each: "protobuf" (as kubelets and controllers
    /// watch) and "json".
    std::vector<std::string> watchEncodings{"protobuf", "json"};
    std::string runTag; ///< appended to namespace names so runs against one engine do not clash
};

/// What the phases share: the configuration, the servers and the report they add to.
struct BenchContext {
    const BenchConfig& config;
    Server& engine;
    Server* etcd; ///< null when the etcd comparison is off
    Report& report;

    /// The namespace this run uses for `base`.
    [[nodiscard]] std::string ns(std::string_view base) const {
        return config.runTag.empty() ? std::string(base) : std::string(base) + "-" + config.runTag;
    }
};

/// Creates the namespaces the phases use; fails if the engine refuses.
[[nodiscard]] Status prepareEngine(BenchContext& ctx);

/// a. Durable creates/s (closed loop) against etcd puts/s, same concurrency and value size.
void runCreateThroughput(BenchContext& ctx);
/// b. Mutating latency at a fixed open-loop rate, creates and updates; etcd puts alongside.
void runWriteLatency(BenchContext& ctx);
/// c. GET latency of single objects at a fixed open-loop rate.
void runGetLatency(BenchContext& ctx);
/// d. LIST of many pods as JSON and as Table.
void runList(BenchContext& ctx);
/// e. Watch fan-out: many pod watchers while pods are created at a fixed rate, once per watch
/// encoding.
void runWatchFanout(BenchContext& ctx);
/// f. Memory of the engine process; `when` names the moment ("idle", "after load").
void recordMemory(BenchContext& ctx, const std::string& when);

/// CPU time used by a server and by this driver over a stretch of a phase; the report shows both
/// so a reader can tell a saturated server from a saturated driver.
class CpuMeter {
public:
    explicit CpuMeter(pid_t server);
    /// "server CPU 2.67 s (81 us per request), driver CPU 1.90 s over 3.0 s".
    [[nodiscard]] std::string summary(std::uint64_t requests) const;

private:
    pid_t m_server;
    double m_serverStart;
    double m_driverStart;
    std::chrono::steady_clock::time_point m_start;
};

/// Sends one request on a fresh connection (setup and checks between timed runs).
[[nodiscard]] Response singleRequest(const Server& server, boost::beast::http::verb verb,
                                     std::string target, std::string body = {},
                                     std::string accept = "application/json");

/// Adds p50/p99/max figures of a latency histogram; `budgetP99Ms` < 0 means no budget.
void addLatencyFigures(Report& report, const std::string& keyPrefix, const std::string& label,
                       const RunStats& stats, const std::string& anchor, double budgetP99Ms);

} // namespace pilot::bench
