// Phases c and d: single-object GET latency and LIST of many pods (JSON and Table).
#include "bench/apibench/phases.h"

#include "bench/apibench/workload.h"
#include "kube/types/protowire.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace pilot::bench {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

constexpr auto Unlimited = std::chrono::hours(24);
constexpr std::string_view TableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io";
/// What client-go's typed clients and informers send.
constexpr std::string_view ProtobufAccept = "application/vnd.kubernetes.protobuf,application/json";

/// Creates `count` objects with `body(seq)` at full concurrency; returns the run's figures.
template <typename Body>
RunStats createMany(BenchContext& ctx, const std::string& collection, std::size_t count,
                    Body body) {
    ClientPool pool(ctx.engine, ctx.config.clients, ctx.config.threads);
    if (auto connected = pool.connectAll(); !connected) {
        RunStats failed;
        failed.failed = count;
        failed.firstFailure = connected.error().message;
        return failed;
    }
    return pool.closedLoop(Unlimited, count, [&](HttpClient& client, const OpContext& op) {
        return client.request(http::verb::post, collection, body(op.seq));
    });
}

/// Length of `field` (items or rows) in a JSON list response; -1 if it is not there.
std::int64_t countOf(const std::string& body, std::string_view field) {
    static constexpr std::string_view Magic{"k8s\0", 4};
    if (body.starts_with(Magic)) {
        // A protobuf list: the envelope's raw message holds the items as field 2.
        using kube::protowire::Reader;
        Reader list(Reader(std::string_view(body).substr(Magic.size())).find(2));
        std::int64_t items = 0;
        int number = 0;
        int wire = 0;
        while (list.tag(number, wire)) {
            items += number == 2 ? 1 : 0;
            list.skip(wire);
        }
        return list.ok() ? items : -1;
    }
    boost::system::error_code ec;
    json::value parsed = json::parse(body, ec);
    if (ec || !parsed.is_object()) {
        return -1;
    }
    const json::value* list = parsed.as_object().if_contains(field);
    return list && list->is_array() ? static_cast<std::int64_t>(list->as_array().size()) : -1;
}

struct ListTiming {
    double medianMs = NAN;
    double minMs = NAN;
    std::size_t bytes = 0;
    std::int64_t count = -1;
    std::string failure;
};

/// Repeats one LIST on a single keep-alive connection; the time is until the last body byte.
ListTiming timeList(const Server& server, const std::string& target, std::string_view accept,
                    std::size_t runs, std::string_view field) {
    ListTiming timing;
    std::vector<double> samples;
    std::string lastBody;
    ClientPool pool(server, 1, 1);
    pool.runEach([&](HttpClient& client, std::size_t) -> net::awaitable<void> {
        // One untimed request first so connection setup is not part of the figure.
        co_await client.request(http::verb::get, target + "?limit=1", {}, accept);
        for (std::size_t i = 0; i < runs; ++i) {
            auto start = std::chrono::steady_clock::now();
            Response response = co_await client.request(http::verb::get, target, {}, accept);
            auto elapsed = std::chrono::steady_clock::now() - start;
            if (response.status != 200) {
                timing.failure = fmt::format("{} {}{}", response.status, response.error,
                                             response.body.substr(0, 300));
                co_return;
            }
            samples.push_back(toMs(elapsed));
            timing.bytes = response.body.size();
            lastBody = std::move(response.body);
        }
    });
    if (!samples.empty()) {
        std::sort(samples.begin(), samples.end());
        timing.medianMs = samples[samples.size() / 2];
        timing.minMs = samples.front();
        timing.count = countOf(lastBody, field);
    }
    return timing;
}

} // namespace

void runGetLatency(BenchContext& ctx) {
    const BenchConfig& cfg = ctx.config;
    ctx.report.section(fmt::format("c. GET single objects at {:.0f} req/s open loop ({} clients, "
                                   "{} s, {} objects)",
                                   cfg.getRate, cfg.clients, cfg.duration.count(), cfg.getObjects));
    std::string collection = workload::collectionPath(ctx.ns("bench"), "configmaps");
    RunStats setup = createMany(ctx, collection, cfg.getObjects, [&](std::uint64_t seq) {
        return workload::configMapJson(fmt::format("cm-c-{}", seq), cfg.valueSize, seq);
    });
    if (setup.failed > 0) {
        ctx.report.note("creating the objects to read: " + setup.failureSummary());
    }
    ClientPool pool(ctx.engine, cfg.clients, cfg.threads);
    if (auto connected = pool.connectAll(); !connected) {
        ctx.report.note("engine: " + connected.error().message);
        return;
    }
    CpuMeter cpu(ctx.engine.pid);
    RunStats gets =
        pool.openLoop(cfg.getRate, cfg.duration, [&](HttpClient& client, const OpContext& op) {
            // A multiplicative hash spreads the reads over all objects in no fixed order.
            std::uint64_t pick = (op.seq * 2654435761u) % std::max<std::size_t>(cfg.getObjects, 1);
            return client.request(
                http::verb::get,
                workload::objectPath(ctx.ns("bench"), "configmaps", fmt::format("cm-c-{}", pick)));
        });
    ctx.report.note(fmt::format("engine: {} ok; {}", gets.ok, cpu.summary(gets.ok)));
    if (std::string failures = gets.failureSummary(); !failures.empty()) {
        ctx.report.note("engine: " + failures);
    }
    ctx.report.add({"get.rate",
                    "GETs/s achieved",
                    gets.rate(),
                    "/s",
                    fmt::format("target {:.0f}/s", cfg.getRate),
                    {},
                    {}});
    addLatencyFigures(ctx.report, "get", "GET", gets,
                      "SLO 1 s; kube-apiserver behind a cache ~12-20 ms at 5k QPS", 5);
}

void runList(BenchContext& ctx) {
    const BenchConfig& cfg = ctx.config;
    ctx.report.section(fmt::format("d. LIST {} pods in one namespace (median of {} runs)",
                                   cfg.listPods, cfg.listRuns));
    std::string collection = workload::collectionPath(ctx.ns("bench-list"), "pods");
    RunStats created = createMany(ctx, collection, cfg.listPods, [](std::uint64_t seq) {
        return workload::podJson(fmt::format("p-{}", seq));
    });
    if (created.failed > 0) {
        ctx.report.note("creating pods: " + created.failureSummary());
    }
    ctx.report.add({"list.pod_creates_per_s",
                    "pod creates/s while filling",
                    created.rate(),
                    "/s",
                    {},
                    {},
                    {}});

    ListTiming asJson = timeList(ctx.engine, collection, "application/json", cfg.listRuns, "items");
    ListTiming asTable = timeList(ctx.engine, collection, TableAccept, cfg.listRuns, "rows");
    ListTiming asProtobuf = timeList(ctx.engine, collection, ProtobufAccept, cfg.listRuns, "items");
    for (const auto& [timing, what] : {std::pair{&asJson, "JSON"}, std::pair{&asTable, "Table"},
                                       std::pair{&asProtobuf, "protobuf"}}) {
        if (!timing->failure.empty()) {
            ctx.report.note(fmt::format("LIST as {}: {}", what, timing->failure));
        } else if (timing->count != static_cast<std::int64_t>(created.ok)) {
            ctx.report.note(fmt::format("LIST as {} returned {} entries, {} pods were created",
                                        what, timing->count, created.ok));
        }
    }
    ctx.report.add({"list.json_ms", "LIST as JSON, median", asJson.medianMs, "ms", "SLO 30 s",
                    "<= 150 ms", atMost(asJson.medianMs, 150)});
    ctx.report.add({"list.json_mb",
                    "LIST as JSON, response size",
                    static_cast<double>(asJson.bytes) / 1e6,
                    "MB",
                    {},
                    {},
                    {}});
    ctx.report.add({"list.table_ms", "LIST as Table, median", asTable.medianMs, "ms", "SLO 30 s",
                    "<= 300 ms", atMost(asTable.medianMs, 300)});
    ctx.report.add({"list.table_mb",
                    "LIST as Table, response size",
                    static_cast<double>(asTable.bytes) / 1e6,
                    "MB",
                    {},
                    {},
                    {}});
    // How informers list (no budget of its own).
    ctx.report.add({"list.protobuf_ms",
                    "LIST as protobuf, median",
                    asProtobuf.medianMs,
                    "ms",
                    "SLO 30 s",
                    {},
                    {}});
    ctx.report.add({"list.protobuf_mb",
                    "LIST as protobuf, response size",
                    static_cast<double>(asProtobuf.bytes) / 1e6,
                    "MB",
                    {},
                    {},
                    {}});
}

} // namespace pilot::bench
