// Phase e: watch fan-out. Many watchers follow the pods of one namespace while pods are created
// at a fixed rate; each pod carries its send time, so every watcher measures delivery latency.
#include "bench/apibench/phases.h"

#include "bench/apibench/workload.h"
#include "kube/types/protowire.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace pilot::bench {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr auto SetupTimeout = std::chrono::seconds(30);
/// How long watchers may lag behind the last create before the phase gives up on them.
constexpr auto DrainTimeout = std::chrono::seconds(30);
constexpr std::string_view SentinelName = "w-sentinel";

/// What one watcher saw.
struct WatcherState {
    std::uint64_t added = 0;
    std::uint64_t other = 0;
    std::int64_t lastAddedNs = 0; ///< steady-clock time of the last ADDED event
    bool sawSentinel = false;
    unsigned status = 0;
    std::string error;
    Histogram latency;
};

/// Counts watchers whose stream is open (or failed before it opened) so creates start only when
/// every watcher is listening.
class Gate {
public:
    explicit Gate(std::size_t expected) : m_expected(expected) {}
    void arrive() {
        std::lock_guard lock(m_mutex);
        ++m_arrived;
        m_changed.notify_all();
    }
    bool wait(std::chrono::seconds timeout) {
        std::unique_lock lock(m_mutex);
        return m_changed.wait_for(lock, timeout, [this] { return m_arrived >= m_expected; });
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::size_t m_expected;
    std::size_t m_arrived = 0;
};

/// What a watcher needs of one event: its type, the pod's send time (load pods carry one) and
/// whether it is the sentinel created after the load.
struct SeenEvent {
    std::string_view type;
    std::optional<std::int64_t> sent;
    bool sentinel = false;
};

std::optional<std::int64_t> parseSent(std::string_view digits) {
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc{} || end == digits.data()) {
        return std::nullopt;
    }
    return value;
}

/// A JSON event line, read without parsing the whole object.
SeenEvent jsonEvent(std::string_view line) {
    SeenEvent event;
    static constexpr std::string_view Prefix = R"({"type":")";
    if (line.starts_with(Prefix)) {
        std::string_view rest = line.substr(Prefix.size());
        event.type = rest.substr(0, rest.find('"'));
    }
    static const std::string needle = fmt::format("\"{}\":\"", SentAnnotation);
    if (auto at = line.find(needle); at != std::string_view::npos) {
        event.sent = parseSent(line.substr(at + needle.size()));
    }
    if (!event.sent) { // only the sentinel is looked for in the whole line
        static const std::string sentinel = fmt::format("\"name\":\"{}\"", SentinelName);
        event.sentinel = line.find(sentinel) != std::string_view::npos;
    }
    return event;
}

/// A protobuf frame: WatchEvent {1: type, 2: RawExtension {1: "k8s\0" + Unknown {2: Pod
/// {1: ObjectMeta {1: name, 12: annotations}}}}}, walked to the few fields needed.
SeenEvent protobufEvent(std::string_view frame) {
    using kube::protowire::Reader;
    static constexpr std::string_view Magic{"k8s\0", 4};
    SeenEvent event;
    event.type = Reader(frame).find(1);
    std::string_view object = Reader(Reader(frame).find(2)).find(1);
    if (!object.starts_with(Magic)) {
        return event;
    }
    std::string_view pod = Reader(object.substr(Magic.size())).find(2);
    std::string_view meta = Reader(pod).find(1);
    event.sentinel = Reader(meta).find(1) == SentinelName;
    Reader fields(meta);
    int number = 0;
    int wire = 0;
    while (fields.tag(number, wire)) {
        if (number != 12 || wire != kube::protowire::LengthDelimited) {
            fields.skip(wire);
            continue;
        }
        std::string_view entry = fields.bytes();
        if (Reader(entry).find(1) == SentAnnotation) {
            event.sent = parseSent(Reader(entry).find(2));
        }
    }
    return event;
}

/// Handles one watch event; false ends the watch (sentinel seen or an ERROR event).
bool onEvent(WatcherState& state, const SeenEvent& event, std::string_view record) {
    if (record.empty()) {
        return true;
    }
    if (event.type == "ADDED") {
        // Load pods carry a send time; the sentinel, created after the load, does not.
        if (event.sent) {
            ++state.added;
            state.lastAddedNs = workload::steadyNowNs();
            state.latency.record(std::chrono::nanoseconds(state.lastAddedNs - *event.sent));
            return true;
        }
        if (event.sentinel) {
            state.sawSentinel = true;
            return false;
        }
        ++state.added;
        state.lastAddedNs = workload::steadyNowNs();
        return true;
    }
    if (event.type == "ERROR" || event.type.empty()) {
        state.error = fmt::format("{} event: {:?}", event.type.empty() ? "unreadable" : "ERROR",
                                  record.substr(0, 300));
        return false;
    }
    ++state.other;
    return true;
}

/// The collection's current resourceVersion, from a LIST with limit=1.
Result<std::string> currentRevision(const Server& engine, const std::string& collection) {
    Response response = singleRequest(engine, http::verb::get, collection + "?limit=1");
    if (response.status != 200) {
        return fail(ErrorCode::Unavailable,
                    fmt::format("LIST {}: {} {}{}", collection, response.status, response.error,
                                response.body.substr(0, 300)));
    }
    boost::system::error_code ec;
    json::value parsed = json::parse(response.body, ec);
    const json::value* rv = nullptr;
    if (!ec && parsed.is_object()) {
        if (const json::value* meta = parsed.as_object().if_contains("metadata");
            meta && meta->is_object()) {
            rv = meta->as_object().if_contains("resourceVersion");
        }
    }
    if (!rv || !rv->is_string()) {
        return fail(ErrorCode::Internal, "LIST " + collection + ": no metadata.resourceVersion");
    }
    return std::string(rv->as_string());
}

/// Adds the phase's figures: who kept up, how fast the slowest watcher was, delivery latency.
void reportFanout(BenchContext& ctx, const std::string& prefix,
                  const std::vector<WatcherState>& states, const RunStats& creates,
                  std::int64_t createsStartNs, std::chrono::nanoseconds drained,
                  const std::string& cpuUsed) {
    const BenchConfig& cfg = ctx.config;
    Report& report = ctx.report;
    Histogram latency;
    std::size_t complete = 0;
    std::uint64_t minEvents = UINT64_MAX;
    std::uint64_t maxEvents = 0;
    std::size_t failedWatchers = 0;
    std::string firstError;
    for (const WatcherState& state : states) {
        latency.merge(state.latency);
        minEvents = std::min(minEvents, state.added);
        maxEvents = std::max(maxEvents, state.added);
        if (state.sawSentinel && state.added >= creates.ok) {
            ++complete;
        }
        if (!state.error.empty() || state.status != 200) {
            ++failedWatchers;
            if (firstError.empty()) {
                firstError =
                    state.error.empty() ? fmt::format("status {}", state.status) : state.error;
            }
        }
    }
    if (std::string failures = creates.failureSummary(); !failures.empty()) {
        report.note("pod creates: " + failures);
    }
    if (failedWatchers > 0) {
        report.note(fmt::format("{} watchers failed; first: {}", failedWatchers, firstError));
    }
    report.note(fmt::format("{} pods created in {:.1f} s; watchers finished {:.2f} s after the "
                            "last create; events per watcher min {} max {}",
                            creates.ok, std::chrono::duration<double>(creates.elapsed).count(),
                            std::chrono::duration<double>(drained).count(),
                            states.empty() ? 0 : minEvents, maxEvents));
    report.note("creates and delivery: " + cpuUsed);
    report.add({prefix + "create_rate",
                "pod creates/s achieved",
                creates.rate(),
                "/s",
                fmt::format("target {:.0f}/s", cfg.watchCreateRate),
                {},
                {}});
    double completeCount = static_cast<double>(complete);
    report.add({prefix + "watchers_complete", "watchers that got every event", completeCount, "",
                fmt::format("of {}", cfg.watchers), "all",
                completeCount == static_cast<double>(cfg.watchers)});
    // A watcher's rate: its events over the time from the first create to its last event.
    double slowestRate = NAN;
    for (const WatcherState& state : states) {
        double seconds = static_cast<double>(state.lastAddedNs - createsStartNs) / 1e9;
        if (state.added > 0 && seconds > 0) {
            double rate = static_cast<double>(state.added) / seconds;
            slowestRate = std::isnan(slowestRate) ? rate : std::min(slowestRate, rate);
        }
    }
    report.add({prefix + "events_per_s_slowest",
                "events/s to the slowest watcher",
                slowestRate,
                "/s",
                ">= 500 events/s to one watcher needed at 5k nodes",
                {},
                {}});
    RunStats delivery;
    delivery.latency = latency;
    addLatencyFigures(report, prefix + "delivery", "event delivery (send -> receipt)", delivery, {},
                      50);
}

} // namespace

namespace {

/// One fan-out run with every watcher reading `encoding` ("json" or "protobuf").
void runWatchFanoutAs(BenchContext& ctx, const std::string& encoding) {
    const BenchConfig& cfg = ctx.config;
    Report& report = ctx.report;
    const bool protobuf = encoding == "protobuf";
    report.section(fmt::format("e. Watch fan-out ({}): {} watchers on pods, creates at {:.0f}/s "
                               "for {} s",
                               protobuf ? "protobuf, as kubelets and controllers watch" : "JSON",
                               cfg.watchers, cfg.watchCreateRate, cfg.duration.count()));
    // Each run has its own namespace: the other run's pods are not replayed to it.
    std::string collection =
        workload::collectionPath(ctx.ns(protobuf ? "bench-watch-pb" : "bench-watch"), "pods");
    auto revision = currentRevision(ctx.engine, collection);
    if (!revision) {
        report.note(revision.error().message);
        return;
    }

    ClientPool watchers(ctx.engine, cfg.watchers, cfg.threads);
    ClientPool creators(ctx.engine, cfg.clients, cfg.threads);
    for (auto [pool, what] : {std::pair{&watchers, "watchers"}, std::pair{&creators, "creators"}}) {
        if (auto connected = pool->connectAll(); !connected) {
            report.note(fmt::format("{}: {}", what, connected.error().message));
            return;
        }
    }

    std::vector<WatcherState> states(cfg.watchers);
    Gate listening(cfg.watchers);
    std::string target = fmt::format("{}?watch=1&resourceVersion={}", collection, *revision);
    // Only a safety net: watchers normally stop at the sentinel pod created after the load.
    auto deadline = SteadyClock::now() + SetupTimeout + 4 * cfg.duration + DrainTimeout;
    std::thread watchThread([&] {
        watchers.runEach([&](HttpClient& client, std::size_t index) -> net::awaitable<void> {
            WatcherState& state = states[index];
            bool arrived = false;
            Response end = co_await client.stream(
                target,
                [&](unsigned status) {
                    state.status = status;
                    arrived = true;
                    listening.arrive();
                },
                [&](std::string_view record) {
                    return onEvent(state, protobuf ? protobufEvent(record) : jsonEvent(record),
                                   record);
                },
                deadline,
                protobuf ? HttpClient::Framing::LengthPrefixed : HttpClient::Framing::Lines);
            if (!arrived) {
                listening.arrive();
            }
            if (!end.error.empty() && state.error.empty() && !state.sawSentinel) {
                state.error = end.error;
            } else if (end.status != 200 && state.error.empty()) {
                state.error = fmt::format("{} {}", end.status, end.body.substr(0, 300));
            }
        });
    });
    if (!listening.wait(SetupTimeout)) {
        report.note("not every watch opened within 30 s");
    }

    CpuMeter cpu(ctx.engine.pid);
    std::int64_t createsStartNs = workload::steadyNowNs();
    RunStats creates = creators.openLoop(
        cfg.watchCreateRate, cfg.duration, [&](HttpClient& client, const OpContext& op) {
            return client.request(
                http::verb::post, collection,
                workload::podJson(fmt::format("w-{}", op.seq), workload::steadyNowNs()));
        });
    auto createsDone = SteadyClock::now();
    Response sentinel =
        singleRequest(ctx.engine, http::verb::post, collection, workload::podJson(SentinelName));
    if (sentinel.status != 201) {
        report.note(fmt::format("sentinel pod: {} {}{} (watchers stop at their deadline)",
                                sentinel.status, sentinel.error, sentinel.body.substr(0, 300)));
    }
    watchThread.join();
    auto drained = SteadyClock::now() - createsDone;
    std::string cpuUsed = cpu.summary(creates.ok);

    reportFanout(ctx, protobuf ? "watch_pb." : "watch.", states, creates, createsStartNs,
                 std::chrono::duration_cast<std::chrono::nanoseconds>(drained), cpuUsed);
}

} // namespace

void runWatchFanout(BenchContext& ctx) {
    for (const std::string& encoding : ctx.config.watchEncodings) {
        runWatchFanoutAs(ctx, encoding);
    }
}

} // namespace pilot::bench
