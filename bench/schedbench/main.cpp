// pilot-schedbench: scheduler throughput on simulated nodes, beside kube-scheduler's CI floors.

#include "bench/schedbench/inprocesscluster.h"
#include "bench/schedbench/workload.h"
#include "core/log.h"
#include "engine/controllers/framework/controllermanager.h"
#include "engine/scheduler/scheduler.h"
#include "kube/jsonutil.h"

#include <fmt/format.h>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace pilot;
using Clock = std::chrono::steady_clock;
namespace json = boost::json;

struct Options {
    std::vector<int> nodes{1000, 5000};
    int pods = 10000;
    int groupSize = 100;
    int apiWorkers = 4;
    int creators = 2;
    std::vector<std::string> scenarios{"basic", "anti-affinity"};
    int timeoutSeconds = 600;
    bool verbose = false;
};

struct RunResult {
    std::string scenario;
    int nodes = 0;
    int pods = 0;
    double syncSeconds = 0;
    double seconds = 0;
    double cpuSeconds = 0;
    int bound = 0;
    bool valid = true;
    std::string note;
};

std::vector<std::string> split(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        if (!item.empty()) {
            out.push_back(item);
        }
    }
    return out;
}

void usage() {
    std::puts(
        "pilot-schedbench: scheduler throughput over simulated nodes (in-process engine API,\n"
        "memory store), beside kube-scheduler's scheduler_perf CI floors.\n\n"
        "  --nodes N[,N...]       simulated nodes per run (default 1000,5000)\n"
        "  --pods N               pods to schedule per run (default 10000)\n"
        "  --scenarios S[,S...]   basic, anti-affinity (default both)\n"
        "  --group-size N         pods sharing an anti-affinity group label (default 100)\n"
        "  --api-workers N        scheduler API writer threads (default 4)\n"
        "  --timeout S            give up on a run after S seconds (default 600)\n"
        "  --verbose              scheduler debug logs on stderr\n");
}

double processCpuSeconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

RunResult run(const std::string& scenario, int nodes, const Options& options) {
    RunResult result{scenario, nodes, options.pods};
    schedbench::InProcessCluster cluster;
    if (auto started = cluster.start(); !started) {
        result.valid = false;
        result.note = started.error().message;
        return result;
    }
    kube::ApiClient& client = cluster.client();
    auto ns =
        client.create(kube::resources::Namespaces, "",
                      json::object{{"apiVersion", "v1"},
                                   {"kind", "Namespace"},
                                   {"metadata", json::object{{"name", schedbench::Namespace}}}});
    if (!ns) {
        result.valid = false;
        result.note = ns.error().message;
        return result;
    }
    schedbench::Workload workload{nodes, options.pods, scenario == "anti-affinity",
                                  options.groupSize};
    std::vector<json::object> nodeObjects;
    for (int i = 0; i < nodes; ++i) {
        nodeObjects.push_back(schedbench::simulatedNode(i));
    }
    std::vector<json::object> podObjects;
    for (int i = 0; i < options.pods; ++i) {
        podObjects.push_back(schedbench::benchPod(i, workload));
    }
    auto setupStart = Clock::now();
    if (auto created = schedbench::createAll(client, kube::resources::Nodes, "", nodeObjects,
                                             options.creators);
        !created) {
        result.valid = false;
        result.note = created.error().message;
        return result;
    }
    if (auto created = schedbench::createAll(client, kube::resources::Pods, schedbench::Namespace,
                                             podObjects, options.creators);
        !created) {
        result.valid = false;
        result.note = created.error().message;
        return result;
    }
    log::info("schedbench", "{} {} nodes: created {} nodes and {} pods in {:.1f} s", scenario,
              nodes, nodes, options.pods,
              std::chrono::duration<double>(Clock::now() - setupStart).count());

    controllers::ControllerManager manager(client);
    scheduler::SchedulerOptions schedulerOptions;
    schedulerOptions.apiWorkers = options.apiWorkers;
    auto owned = std::make_unique<scheduler::Scheduler>(client, schedulerOptions);
    scheduler::Scheduler& sched = *owned;
    manager.add(std::move(owned));

    double cpuStart = processCpuSeconds();
    auto start = Clock::now();
    if (auto started = manager.start(); !started) {
        result.valid = false;
        result.note = started.error().message;
        return result;
    }
    auto synced = Clock::now();
    auto deadline = synced + std::chrono::seconds(options.timeoutSeconds);
    while (sched.stats().bound < static_cast<uint64_t>(options.pods) && Clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    auto end = Clock::now();
    result.cpuSeconds = processCpuSeconds() - cpuStart;
    result.syncSeconds = std::chrono::duration<double>(synced - start).count();
    result.seconds = std::chrono::duration<double>(end - synced).count();
    result.bound = static_cast<int>(sched.stats().bound);
    manager.stop();

    // Check the placements through the API: every pod bound, anti-affinity groups on distinct
    // nodes, no node over its pod capacity.
    auto list = client.listAll(kube::resources::Pods, schedbench::Namespace);
    if (!list) {
        result.valid = false;
        result.note = list.error().message;
        return result;
    }
    std::map<std::string, std::set<std::string>> groupNodes;
    std::map<std::string, int> perNode;
    int bound = 0;
    for (const json::object& pod : list->items) {
        std::string node = kube::stringAt(kube::objectAt(pod, "spec"), "nodeName");
        if (node.empty()) {
            continue;
        }
        ++bound;
        ++perNode[node];
        std::string group =
            kube::stringAt(kube::objectAt(kube::objectAt(pod, "metadata"), "labels"), "group");
        if (workload.antiAffinity && !groupNodes[group].insert(node).second) {
            result.valid = false;
            result.note = "anti-affinity violated in " + group;
        }
    }
    for (const auto& [node, count] : perNode) {
        if (count > 110) {
            result.valid = false;
            result.note = "too many pods on " + node;
        }
    }
    if (bound != options.pods) {
        result.valid = false;
        result.note = fmt::format("{} of {} pods bound", bound, options.pods);
    }
    return result;
}

} // namespace

int main(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "%s needs a value\n", arg.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (arg == "--help" || arg == "-h") {
            usage();
            return 0;
        }
        if (arg == "--nodes") {
            options.nodes.clear();
            for (const std::string& n : split(value())) {
                options.nodes.push_back(std::atoi(n.c_str()));
            }
        } else if (arg == "--pods") {
            options.pods = std::atoi(value().c_str());
        } else if (arg == "--scenarios") {
            options.scenarios = split(value());
        } else if (arg == "--group-size") {
            options.groupSize = std::atoi(value().c_str());
        } else if (arg == "--api-workers") {
            options.apiWorkers = std::atoi(value().c_str());
        } else if (arg == "--verbose") {
            options.verbose = true;
        } else if (arg == "--timeout") {
            options.timeoutSeconds = std::atoi(value().c_str());
        } else {
            std::fprintf(stderr, "unknown option %s (see --help)\n", arg.c_str());
            return 2;
        }
    }
    log::setMinimumLevel(options.verbose ? log::Level::Debug : log::Level::Warn);

    // kube-scheduler scheduler_perf CI floors (SchedulingBasic 5000 nodes, and
    // SchedulingPodAntiAffinity), and the budgets from docs/budgets.md.
    const std::map<std::string, std::pair<double, double>> anchors{
        {"basic", {680.0, 2500.0}}, {"anti-affinity", {60.0, 600.0}}};

    std::vector<RunResult> results;
    for (int nodes : options.nodes) {
        for (const std::string& scenario : options.scenarios) {
            if (!anchors.contains(scenario)) {
                std::fprintf(stderr, "unknown scenario %s\n", scenario.c_str());
                return 2;
            }
            results.push_back(run(scenario, nodes, options));
            const RunResult& r = results.back();
            std::fprintf(stderr, "%s %d nodes: %d pods bound in %.2f s\n", r.scenario.c_str(),
                         r.nodes, r.bound, r.seconds);
        }
    }

    std::printf("%-14s %6s %6s %8s %9s %9s %10s %8s %8s  %s\n", "scenario", "nodes", "pods",
                "sync s", "bind s", "pods/s", "cpu-cores", "floor", "x floor", "budget");
    bool ok = true;
    for (const RunResult& r : results) {
        double rate = r.seconds > 0 ? r.bound / r.seconds : 0;
        auto [floor, budget] = anchors.at(r.scenario);
        std::printf("%-14s %6d %6d %8.2f %9.2f %9.0f %10.2f %8.0f %8.1f  %s%s\n",
                    r.scenario.c_str(), r.nodes, r.pods, r.syncSeconds, r.seconds, rate,
                    r.seconds > 0 ? r.cpuSeconds / (r.syncSeconds + r.seconds) : 0.0, floor,
                    rate / floor, rate >= budget ? "meets " : "MISSES ",
                    fmt::format("{:.0f}{}", budget, r.valid ? "" : " INVALID: " + r.note).c_str());
        ok = ok && r.valid;
    }
    return ok ? 0 : 1;
}
