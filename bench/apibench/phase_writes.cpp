// Phases a and b: durable create throughput and mutating latency, each beside etcd.
#include "bench/apibench/phases.h"

#include "bench/apibench/workload.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

namespace pilot::bench {

namespace http = boost::beast::http;

namespace {

constexpr std::string_view EtcdPut = "/v3/kv/put";

/// Connects a pool to `server`, then runs `drive` on it and returns its figures; on connection
/// failure adds a note and returns nothing. Also notes the CPU time the run took.
template <typename Drive>
std::optional<RunStats> measure(BenchContext& ctx, const Server& server, std::string_view name,
                                Drive drive) {
    ClientPool pool(server, ctx.config.clients, ctx.config.threads);
    if (auto connected = pool.connectAll(); !connected) {
        ctx.report.note(fmt::format("{}: {}", name, connected.error().message));
        return std::nullopt;
    }
    CpuMeter cpu(server.pid);
    RunStats stats = drive(pool);
    ctx.report.note(fmt::format("{}: {} ok; {}", name, stats.ok, cpu.summary(stats.ok)));
    if (std::string failures = stats.failureSummary(); !failures.empty()) {
        ctx.report.note(fmt::format("{}: {}", name, failures));
    }
    return stats;
}

} // namespace

namespace {

double median(std::vector<double> values) {
    std::erase_if(values, [](double v) { return std::isnan(v); });
    if (values.empty()) {
        return NAN;
    }
    std::sort(values.begin(), values.end());
    const std::size_t mid = values.size() / 2;
    return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

} // namespace

void runCreateThroughput(BenchContext& ctx) {
    const BenchConfig& cfg = ctx.config;
    const std::size_t rounds = std::max<std::size_t>(cfg.createRounds, 1);
    ctx.report.section(fmt::format("a. Durable creates/s ({} clients, closed loop, {} rounds of "
                                   "{} s each, engine and etcd alternating, {}-byte ConfigMap "
                                   "data)",
                                   cfg.clients, rounds, cfg.duration.count(), cfg.valueSize));
    std::vector<double> engineRates;
    std::vector<double> etcdRates;
    std::vector<double> ratios;
    std::optional<RunStats> lastEngine;
    for (std::size_t round = 1; round <= rounds; ++round) {
        auto engine =
            measure(ctx, ctx.engine, fmt::format("round {} engine", round), [&](ClientPool& pool) {
                return pool.closedLoop(
                    cfg.duration, UINT64_MAX, [&](HttpClient& client, const OpContext& op) {
                        std::string name = fmt::format("cm-a{}-{}", round, op.seq);
                        return client.request(
                            http::verb::post,
                            workload::collectionPath(ctx.ns("bench"), "configmaps"),
                            workload::configMapJson(name, cfg.valueSize, op.seq));
                    });
            });
        std::optional<RunStats> etcd;
        if (ctx.etcd) {
            etcd =
                measure(ctx, *ctx.etcd, fmt::format("round {} etcd", round), [&](ClientPool& pool) {
                    return pool.closedLoop(
                        cfg.duration, UINT64_MAX, [&](HttpClient& client, const OpContext& op) {
                            std::string name = fmt::format("cm-a{}-{}", round, op.seq);
                            return client.request(
                                http::verb::post, std::string(EtcdPut),
                                workload::etcdPutJson(
                                    "/bench/a/" + name,
                                    workload::configMapJson(name, cfg.valueSize, op.seq)));
                        });
                });
        }
        const double engineRate = engine ? engine->rate() : NAN;
        const double etcdRate = etcd ? etcd->rate() : NAN;
        engineRates.push_back(engineRate);
        etcdRates.push_back(etcdRate);
        ratios.push_back(engineRate / etcdRate);
        if (ctx.etcd) {
            ctx.report.note(fmt::format("round {}: engine {:.0f}/s, etcd {:.0f}/s, ratio {:.2f}",
                                        round, engineRate, etcdRate, engineRate / etcdRate));
        }
        if (engine) {
            lastEngine = std::move(engine);
        }
    }
    const double engineRate = median(engineRates);
    const double etcdRate = median(etcdRates);
    const double ratio = median(ratios);
    ctx.report.add({"create.engine_per_s", "engine creates/s (median round)", engineRate, "/s",
                    std::isnan(etcdRate) ? "etcd not measured"
                                         : fmt::format("etcd 3.4 puts/s here: {:.0f}", etcdRate),
                    ">= 1.5 x etcd", atLeast(ratio, 1.5)});
    ctx.report.add({"create.etcd_per_s",
                    "etcd puts/s (same values, median round)",
                    etcdRate,
                    "/s",
                    "etcd docs: 44k-50k writes/s on 3x8 vCPU",
                    {},
                    {}});
    ctx.report.add({"create.ratio",
                    "engine / etcd (median of the rounds' ratios)",
                    ratio,
                    "x",
                    {},
                    ">= 1.5",
                    atLeast(ratio, 1.5)});
    if (lastEngine) {
        addLatencyFigures(ctx.report, "create.engine_latency", "engine create latency (last round)",
                          *lastEngine, {}, -1);
    }
}

void runWriteLatency(BenchContext& ctx) {
    const BenchConfig& cfg = ctx.config;
    ctx.report.section(fmt::format("b. Mutating latency at {:.0f} req/s open loop ({} s, creates "
                                   "and updates alternating)",
                                   cfg.writeRate, cfg.duration.count()));
    auto engine = measure(ctx, ctx.engine, "engine", [&](ClientPool& pool) {
        return pool.openLoop(
            cfg.writeRate, cfg.duration, [&](HttpClient& client, const OpContext& op) {
                // Even operations of a client create an object, odd ones replace it.
                std::uint64_t object = op.clientSeq / 2;
                std::string name = fmt::format("cm-b-{}-{}", op.client, object);
                std::string body = workload::configMapJson(name, cfg.valueSize, op.seq);
                if (op.clientSeq % 2 == 0) {
                    return client.request(http::verb::post,
                                          workload::collectionPath(ctx.ns("bench"), "configmaps"),
                                          std::move(body));
                }
                return client.request(http::verb::put,
                                      workload::objectPath(ctx.ns("bench"), "configmaps", name),
                                      std::move(body));
            });
    });
    std::optional<RunStats> etcd;
    if (ctx.etcd) {
        etcd = measure(ctx, *ctx.etcd, "etcd", [&](ClientPool& pool) {
            return pool.openLoop(
                cfg.writeRate, cfg.duration, [&](HttpClient& client, const OpContext& op) {
                    std::string name = fmt::format("cm-b-{}-{}", op.client, op.clientSeq / 2);
                    return client.request(http::verb::post, std::string(EtcdPut),
                                          workload::etcdPutJson("/bench/b/" + name,
                                                                workload::configMapJson(
                                                                    name, cfg.valueSize, op.seq)));
                });
        });
    }
    std::string anchor = "SLO 1 s";
    if (etcd && etcd->latency.count() > 0) {
        anchor += fmt::format("; etcd p99 here {:.2f} ms", toMs(etcd->latency.percentile(0.99)));
    }
    if (engine) {
        ctx.report.add({"write.engine_rate",
                        "engine mutations/s achieved",
                        engine->rate(),
                        "/s",
                        fmt::format("target {:.0f}/s", cfg.writeRate),
                        {},
                        {}});
        addLatencyFigures(ctx.report, "write.engine", "engine mutation", *engine, anchor, 20);
    }
    if (etcd) {
        addLatencyFigures(ctx.report, "write.etcd", "etcd put", *etcd, {}, -1);
    }
}

} // namespace pilot::bench
