// pilot-apibench: load driver for the engine's API budgets (docs/budgets.md, control plane),
// measured beside etcd 3.4 in the same run.
#include "bench/apibench/phases.h"
#include "bench/apibench/servers.h"
#include "core/random.h"

#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

namespace {

namespace bench = pilot::bench;

constexpr const char* Usage = R"(Usage: pilot-apibench [options]

Measures the engine API budgets of docs/budgets.md against etcd 3.4 in the same run.
Starts its own pilothouse-engine and etcd (temporary data dirs, free loopback ports) unless
URLs are given.

  --engine PATH          pilothouse-engine binary (default: ../bin/pilothouse-engine next to
                         this program)
  --etcd PATH            etcd binary (default /usr/bin/etcd)
  --engine-url URL       use a running engine (https://H:P) instead of starting one
  --engine-pki DIR       with --engine-url: DIR holding ca.crt, admin.crt, admin.key
  --engine-pid PID       with --engine-url: process to read memory and CPU from
  --etcd-url URL         use a running etcd (http://H:P) instead of starting one
  --no-etcd              skip the etcd comparisons
  --phases LIST          comma-separated subset of create,write,get,list,watch,memory
                         (default: all)
  --clients N            concurrent clients, one keep-alive connection each (200)
  --threads N            driver threads per client pool (1)
  --duration S           seconds per timed phase (10)
  --rounds N             alternating engine/etcd rounds of the create phase, each
                         --duration long; the median ratio is reported (3)
  --value-size N         ConfigMap data bytes (200)
  --write-rate R         mutating calls/s for the latency phase (500)
  --get-rate R           GETs/s for the read phase (5000)
  --get-objects N        objects the GETs pick from (1000)
  --list-pods N          pods to create and LIST (10000)
  --list-runs N          LIST repetitions; the median is reported (10)
  --watchers N           concurrent pod watchers (100)
  --watch-rate R         pod creates/s while watched (2000)
  --watch-encoding LIST  what the watchers read, one fan-out run each, in this order:
                         protobuf (as kubelets and controllers watch), json
                         (default: protobuf,json)
  --json FILE            also write the figures as JSON
  --keep                 keep the temporary data dirs and logs
  --help                 this text
)";

struct Options {
    bench::BenchConfig config;
    std::string engineBinary;
    std::string etcdBinary = "/usr/bin/etcd";
    std::string engineUrl;
    std::string enginePki;
    pid_t enginePid = -1;
    std::string etcdUrl;
    bool withEtcd = true;
    std::set<std::string> phases{"create", "write", "get", "list", "watch", "memory"};
    std::string jsonPath;
    bool keep = false;
};

std::vector<std::string> commaList(const std::string& list) {
    std::vector<std::string> out;
    for (std::size_t start = 0; start <= list.size();) {
        auto comma = std::min(list.find(',', start), list.size());
        out.push_back(list.substr(start, comma - start));
        start = comma + 1;
    }
    return out;
}

/// The run's temporary directory; removed at exit unless kept. Declared before the servers so
/// they stop before their data disappears.
struct WorkDir {
    std::string path;
    bool keep = false;
    ~WorkDir() {
        if (keep) {
            std::fprintf(stderr, "pilot-apibench: kept %s\n", path.c_str());
            return;
        }
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

[[noreturn]] void usageError(const std::string& message) {
    std::fprintf(stderr, "pilot-apibench: %s\n%s", message.c_str(), Usage);
    std::exit(2);
}

double number(const std::string& name, const std::string& text, double min) {
    char* end = nullptr;
    double value = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0' || value < min) {
        usageError(fmt::format("{} needs a number >= {}, got '{}'", name, min, text));
    }
    return value;
}

std::string defaultEngineBinary() {
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) {
        return "pilothouse-engine";
    }
    return (self.parent_path().parent_path() / "bin" / "pilothouse-engine").string();
}

Options parse(int argc, char** argv) {
    Options o;
    o.engineBinary = defaultEngineBinary();
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                usageError(arg + " needs a value");
            }
            return argv[++i];
        };
        auto count = [&]() { return static_cast<std::size_t>(number(arg, value(), 1)); };
        if (arg == "--help" || arg == "-h") {
            std::fputs(Usage, stdout);
            std::exit(0);
        } else if (arg == "--engine") {
            o.engineBinary = value();
        } else if (arg == "--etcd") {
            o.etcdBinary = value();
        } else if (arg == "--engine-url") {
            o.engineUrl = value();
        } else if (arg == "--engine-pki") {
            o.enginePki = value();
        } else if (arg == "--engine-pid") {
            o.enginePid = static_cast<pid_t>(number(arg, value(), 1));
        } else if (arg == "--etcd-url") {
            o.etcdUrl = value();
        } else if (arg == "--no-etcd") {
            o.withEtcd = false;
        } else if (arg == "--phases") {
            o.phases.clear();
            for (std::string& phase : commaList(value())) {
                o.phases.insert(std::move(phase));
            }
        } else if (arg == "--clients") {
            o.config.clients = count();
        } else if (arg == "--threads") {
            o.config.threads = count();
        } else if (arg == "--duration") {
            o.config.duration = std::chrono::seconds(count());
        } else if (arg == "--rounds") {
            o.config.createRounds = count();
        } else if (arg == "--value-size") {
            o.config.valueSize = count();
        } else if (arg == "--write-rate") {
            o.config.writeRate = number(arg, value(), 1);
        } else if (arg == "--get-rate") {
            o.config.getRate = number(arg, value(), 1);
        } else if (arg == "--get-objects") {
            o.config.getObjects = count();
        } else if (arg == "--list-pods") {
            o.config.listPods = count();
        } else if (arg == "--list-runs") {
            o.config.listRuns = count();
        } else if (arg == "--watchers") {
            o.config.watchers = count();
        } else if (arg == "--watch-rate") {
            o.config.watchCreateRate = number(arg, value(), 1);
        } else if (arg == "--watch-encoding") {
            o.config.watchEncodings = commaList(value());
            for (const std::string& encoding : o.config.watchEncodings) {
                if (encoding != "protobuf" && encoding != "json") {
                    usageError("unknown watch encoding " + encoding + " (protobuf or json)");
                }
            }
        } else if (arg == "--json") {
            o.jsonPath = value();
        } else if (arg == "--keep") {
            o.keep = true;
        } else {
            usageError("unknown argument " + arg);
        }
    }
    static const std::set<std::string> Known{"create", "write", "get", "list", "watch", "memory"};
    for (const std::string& phase : o.phases) {
        if (!Known.contains(phase)) {
            usageError("unknown phase " + phase);
        }
    }
    if (!o.engineUrl.empty() && o.enginePki.empty()) {
        usageError("--engine-url needs --engine-pki");
    }
    return o;
}

} // namespace

int main(int argc, char** argv) {
    Options options = parse(argc, argv);
    std::signal(SIGPIPE, SIG_IGN);
    bench::BenchConfig& config = options.config;

    auto tempDir = bench::makeTempDir("pilot-apibench");
    if (!tempDir) {
        std::fprintf(stderr, "pilot-apibench: %s\n", tempDir.error().message.c_str());
        return 1;
    }
    WorkDir work{*tempDir, options.keep};
    auto engine = options.engineUrl.empty()
                      ? bench::startEngine(options.engineBinary, work.path)
                      : bench::useEngine(options.engineUrl, options.enginePki, options.enginePid);
    if (!engine) {
        std::fprintf(stderr, "pilot-apibench: engine: %s\n", engine.error().message.c_str());
        work.keep = true; // the log says why
        return 1;
    }
    if (!options.engineUrl.empty()) {
        // A reused engine keeps earlier runs' objects: write to fresh namespaces.
        config.runTag = pilot::randomNameSuffix(6);
    }
    std::optional<bench::Server> etcd;
    if (options.withEtcd) {
        auto started = options.etcdUrl.empty() ? bench::startEtcd(options.etcdBinary, work.path)
                                               : bench::useEtcd(options.etcdUrl);
        if (!started) {
            std::fprintf(stderr, "pilot-apibench: etcd: %s\n", started.error().message.c_str());
            work.keep = true;
            return 1;
        }
        etcd = std::move(*started);
    }

    bench::Report report;
    report.setInfo("engine", options.engineUrl.empty() ? options.engineBinary : options.engineUrl);
    report.setInfo("engine_url", engine->endpoint.url());
    report.setInfo("etcd", etcd ? etcd->endpoint.url() : "not measured");
    report.setInfo("clients", std::to_string(config.clients));
    report.setInfo("threads", std::to_string(config.threads));
    report.setInfo("duration_s", std::to_string(config.duration.count()));
    report.setInfo("work_dir", work.path);
    bench::BenchContext ctx{config, *engine, etcd ? &*etcd : nullptr, report};

    std::fprintf(stderr, "pilot-apibench: engine %s, etcd %s, work dir %s\n",
                 engine->endpoint.url().c_str(), etcd ? etcd->endpoint.url().c_str() : "off",
                 work.path.c_str());
    auto phase = [&](const char* name) { return options.phases.contains(name); };
    auto progress = [](const char* name) {
        std::fprintf(stderr, "pilot-apibench: phase %s\n", name);
    };
    if (phase("memory")) {
        report.section("f. Engine memory, idle");
        bench::recordMemory(ctx, "idle");
    }
    if (auto prepared = bench::prepareEngine(ctx); !prepared) {
        std::fprintf(stderr, "pilot-apibench: %s\n", prepared.error().message.c_str());
        return 1;
    }
    std::pair<const char*, void (*)(bench::BenchContext&)> phases[] = {
        {"create", bench::runCreateThroughput},
        {"write", bench::runWriteLatency},
        {"get", bench::runGetLatency},
        {"list", bench::runList},
        {"watch", bench::runWatchFanout}};
    for (auto [name, run] : phases) {
        if (!phase(name)) {
            continue;
        }
        progress(name);
        run(ctx);
        if (engine->pid > 0) {
            if (auto memory = bench::readMemory(engine->pid)) {
                report.note(fmt::format("engine after this phase: VmRSS {:.0f} MiB, VmHWM {:.0f} "
                                        "MiB",
                                        static_cast<double>(memory->rssKb) / 1024.0,
                                        static_cast<double>(memory->hwmKb) / 1024.0));
            }
        }
        if (engine->process && !engine->process->running()) {
            report.note(fmt::format("ENGINE DIED during phase {}: {} (log: {})", name,
                                    engine->process->exitDescription(),
                                    engine->process->logPath()));
            work.keep = true; // for the log and the data dir
            break;
        }
    }
    if (phase("memory")) {
        report.section("f. Engine memory after the load");
        bench::recordMemory(ctx, "after load");
    }

    std::fputs(report.text().c_str(), stdout);
    if (!options.jsonPath.empty()) {
        std::ofstream out(options.jsonPath);
        out << report.json();
        if (!out) {
            std::fprintf(stderr, "pilot-apibench: cannot write %s\n", options.jsonPath.c_str());
            return 1;
        }
    }
    return 0;
}
