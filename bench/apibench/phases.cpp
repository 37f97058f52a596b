// Shared pieces of the phases: setup requests, latency figures, memory.
#include "bench/apibench/phases.h"

#include "bench/apibench/workload.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <regex>

#include <unistd.h>

namespace pilot::bench {

namespace http = boost::beast::http;

namespace {

/// Namespaces the phases write to.
constexpr std::string_view Namespaces[] = {"bench", "bench-list", "bench-watch", "bench-watch-pb"};

/// "jemalloc 5.3.0-..." from the engine's pilothouse_memory_allocator_info sample, or
/// "unknown".
std::string allocatorOf(const std::string& metrics) {
    static const std::regex Info(
        R"re(\npilothouse_memory_allocator_info\{allocator="([^"]*)",version="([^"]*)"\} 1)re");
    std::smatch match;
    if (!std::regex_search(metrics, match, Info)) {
        return "unknown";
    }
    return match[1].str() + " " + match[2].str();
}

} // namespace

Response singleRequest(const Server& server, http::verb verb, std::string target, std::string body,
                       std::string accept) {
    ClientPool pool(server, 1, 1);
    Response result;
    pool.runEach([&](HttpClient& client, std::size_t) -> net::awaitable<void> {
        result = co_await client.request(verb, target, body, accept);
    });
    return result;
}

CpuMeter::CpuMeter(pid_t server)
    : m_server(server), m_serverStart(server > 0 ? cpuSeconds(server) : -1),
      m_driverStart(cpuSeconds(::getpid())), m_start(std::chrono::steady_clock::now()) {}

std::string CpuMeter::summary(std::uint64_t requests) const {
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    double driver = cpuSeconds(::getpid()) - m_driverStart;
    std::string server = "server CPU unknown";
    if (m_serverStart >= 0) {
        double used = cpuSeconds(m_server) - m_serverStart;
        server = fmt::format("server CPU {:.2f} s", used);
        if (requests > 0) {
            server +=
                fmt::format(" ({:.0f} us per request)", used * 1e6 / static_cast<double>(requests));
        }
    }
    return fmt::format("{}, driver CPU {:.2f} s, over {:.1f} s", server, driver, wall);
}

Status prepareEngine(BenchContext& ctx) {
    for (std::string_view name : Namespaces) {
        Response response = singleRequest(ctx.engine, http::verb::post, "/api/v1/namespaces",
                                          workload::namespaceJson(ctx.ns(name)));
        if (response.status != 201 && response.status != 409) {
            return fail(ErrorCode::Unavailable,
                        fmt::format("create namespace {}: {} {}{}", ctx.ns(name), response.status,
                                    response.error, response.body.substr(0, 300)));
        }
    }
    // Figures from builds with different allocators differ by a third: say which one ran.
    Response metrics = singleRequest(ctx.engine, http::verb::get, "/metrics", {}, "text/plain");
    const std::string allocator = allocatorOf(metrics.body);
    ctx.report.setInfo("engine_allocator", allocator);
    std::fprintf(stderr, "pilot-apibench: engine allocator %s\n", allocator.c_str());
    return {};
}

void addLatencyFigures(Report& report, const std::string& keyPrefix, const std::string& label,
                       const RunStats& stats, const std::string& anchor, double budgetP99Ms) {
    const Histogram& h = stats.latency;
    bool empty = h.count() == 0;
    auto ms = [empty](std::chrono::nanoseconds d) { return empty ? NAN : toMs(d); };
    report.add({keyPrefix + "_p50_ms", label + " p50", ms(h.percentile(0.5)), "ms", {}, {}, {}});
    Figure p99{keyPrefix + "_p99_ms", label + " p99", ms(h.percentile(0.99)), "ms", anchor, {}, {}};
    if (budgetP99Ms >= 0) {
        p99.budget = fmt::format("p99 <= {} ms", budgetP99Ms);
        p99.met = atMost(p99.value, budgetP99Ms);
    }
    report.add(std::move(p99));
    report.add({keyPrefix + "_max_ms", label + " max", ms(h.max()), "ms", {}, {}, {}});
}

void recordMemory(BenchContext& ctx, const std::string& when) {
    if (ctx.engine.pid <= 0) {
        ctx.report.note("engine memory not measured: no engine process id (--engine-pid)");
        return;
    }
    auto usage = readMemory(ctx.engine.pid);
    if (!usage) {
        ctx.report.note("engine memory: " + usage.error().message);
        return;
    }
    double rssMb = static_cast<double>(usage->rssKb) / 1024.0;
    double hwmMb = static_cast<double>(usage->hwmKb) / 1024.0;
    if (when == "idle") {
        ctx.report.add({"memory.idle_rss_mb", "engine VmRSS, empty, after start", rssMb, "MiB",
                        "k3s server 535 MB idle", "<= 40 MB", atMost(rssMb, 40)});
        ctx.report.add(
            {"memory.idle_hwm_mb", "engine VmHWM, empty, after start", hwmMb, "MiB", {}, {}, {}});
        return;
    }
    ctx.report.add({"memory.loaded_rss_mb",
                    "engine VmRSS after the load",
                    rssMb,
                    "MiB",
                    "k3s 1.6 GB with a workload",
                    "<= 600 MB at 1k nodes + 30k pods",
                    {}});
    ctx.report.add(
        {"memory.loaded_hwm_mb", "engine VmHWM after the load", hwmMb, "MiB", {}, {}, {}});
}

} // namespace pilot::bench
