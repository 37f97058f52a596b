#include "nodeagent/metrics/statsprovider.h"

#include "nodeagent/node/systeminfo.h"
#include "nodeagent/runtime/fileutil.h"
#include "nodeagent/runtime/procfs.h"

#include <fmt/format.h>

#include <charconv>
#include <sstream>

#include <sys/resource.h>
#include <unistd.h>

namespace pilot::agent {
namespace json = boost::json;

namespace {

uint64_t nodeCpuNanoSeconds() {
    auto text = readFile("/proc/stat");
    if (!text || !text->starts_with("cpu ")) {
        return 0;
    }
    std::istringstream in(text->substr(4, text->find('\n') - 4));
    uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
    in >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
    uint64_t busy = user + nice + system + irq + softirq + steal;
    return busy * (1000000000ULL / clockTicksPerSecond());
}

std::string labelValue(std::string_view v) {
    std::string out;
    for (char c : v) {
        if (c == '\\' || c == '"') {
            out += '\\';
        }
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

int64_t millis(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string number(double v) {
    return fmt::format("{}", v);
}

} // namespace

StatsProvider::StatsProvider(std::string nodeName, std::string dataDir, Runtime& runtime,
                             PodManager& pods, const Clock* clock)
    : m_nodeName(std::move(nodeName)), m_dataDir(std::move(dataDir)), m_runtime(runtime),
      m_pods(pods), m_clock(clock ? *clock : m_systemClock), m_startedAt(m_clock.now()) {}

uint64_t StatsProvider::rate(const std::string& key, TimePoint at, uint64_t cumulative) {
    std::lock_guard lock(m_mutex);
    auto& [base, last] = m_samples[key];
    // The rate is taken against a sample at least a second older than the newest one.
    if (last.at == TimePoint{}) {
        last = CpuSample{at, cumulative};
        return 0;
    }
    if (at - last.at >= std::chrono::seconds(1)) {
        base = last;
        last = CpuSample{at, cumulative};
    }
    if (base.at == TimePoint{} || base.at >= at || cumulative < base.usageNanoSeconds) {
        return 0;
    }
    double seconds = std::chrono::duration<double>(at - base.at).count();
    return static_cast<uint64_t>(static_cast<double>(cumulative - base.usageNanoSeconds) / seconds);
}

StatsProvider::NodeUsage StatsProvider::nodeUsage() {
    NodeUsage usage;
    usage.at = m_clock.now();
    usage.cpuNanoSeconds = nodeCpuNanoSeconds();
    usage.nanoCores = rate("node", usage.at, usage.cpuNanoSeconds);
    SystemInfo info = collectSystemInfo(m_dataDir);
    usage.memoryTotal = info.memoryTotalBytes;
    usage.memoryAvailable = info.memoryAvailableBytes;
    usage.fsCapacity = info.fsCapacityBytes;
    usage.fsAvailable = info.fsAvailableBytes;
    usage.inodes = info.fsInodes;
    usage.inodesFree = info.fsInodesFree;
    return usage;
}

std::vector<StatsProvider::ContainerUsage> StatsProvider::containerUsage() {
    std::vector<ContainerUsage> out;
    for (const PodContainers& pod : m_pods.snapshot()) {
        for (const auto& entry : pod.containers) {
            if (!entry.running || entry.currentId.empty()) {
                continue;
            }
            auto stats = m_runtime.containerStats(entry.currentId);
            if (!stats) {
                continue;
            }
            ContainerUsage usage;
            usage.ns = pod.ns;
            usage.pod = pod.name;
            usage.podUid = pod.uid;
            usage.container = entry.name;
            usage.startedAt = entry.startedAt;
            usage.stats = *stats;
            usage.nanoCores =
                rate(entry.currentId, stats->timestamp, stats->cpuUsageCoreNanoSeconds);
            out.push_back(std::move(usage));
        }
    }
    return out;
}

void StatsProvider::sample() {
    (void)nodeUsage();
    (void)containerUsage();
}

json::object StatsProvider::summary() {
    NodeUsage node = nodeUsage();
    std::string now = formatTime(node.at);
    int64_t workingSet = node.memoryTotal - node.memoryAvailable;
    json::object fs{{"time", now},
                    {"availableBytes", node.fsAvailable},
                    {"capacityBytes", node.fsCapacity},
                    {"usedBytes", node.fsCapacity - node.fsAvailable},
                    {"inodesFree", node.inodesFree},
                    {"inodes", node.inodes},
                    {"inodesUsed", node.inodes - node.inodesFree}};
    json::object nodeStats{
        {"nodeName", m_nodeName},
        {"startTime", formatTime(m_startedAt)},
        {"cpu", json::object{{"time", now},
                             {"usageNanoCores", node.nanoCores},
                             {"usageCoreNanoSeconds", node.cpuNanoSeconds}}},
        {"memory", json::object{{"time", now},
                                {"availableBytes", node.memoryAvailable},
                                {"usageBytes", workingSet},
                                {"workingSetBytes", workingSet},
                                {"rssBytes", workingSet},
                                {"pageFaults", 0},
                                {"majorPageFaults", 0}}},
        {"fs", fs},
        {"runtime", json::object{{"imageFs", fs}}},
    };
    std::map<std::string, json::object> pods;
    std::map<std::string, std::pair<uint64_t, uint64_t>> podCpu;    // nanoCores, cumulative
    std::map<std::string, std::pair<uint64_t, uint64_t>> podMemory; // working set, rss
    std::vector<ContainerUsage> containers = containerUsage();
    for (const PodContainers& pod : m_pods.snapshot()) {
        pods[pod.uid] = json::object{
            {"podRef", json::object{{"name", pod.name}, {"namespace", pod.ns}, {"uid", pod.uid}}},
            {"startTime", formatTime(pod.startTime)},
            {"containers", json::array()}};
    }
    for (const ContainerUsage& c : containers) {
        auto it = pods.find(c.podUid);
        if (it == pods.end()) {
            continue;
        }
        std::string t = formatTime(c.stats.timestamp);
        it->second["containers"].as_array().push_back(json::object{
            {"name", c.container},
            {"startTime", formatTime(c.startedAt)},
            {"cpu", json::object{{"time", t},
                                 {"usageNanoCores", c.nanoCores},
                                 {"usageCoreNanoSeconds", c.stats.cpuUsageCoreNanoSeconds}}},
            {"memory", json::object{{"time", t},
                                    {"usageBytes", c.stats.memoryWorkingSetBytes},
                                    {"workingSetBytes", c.stats.memoryWorkingSetBytes},
                                    {"rssBytes", c.stats.memoryRssBytes},
                                    {"pageFaults", 0},
                                    {"majorPageFaults", 0}}}});
        podCpu[c.podUid].first += c.nanoCores;
        podCpu[c.podUid].second += c.stats.cpuUsageCoreNanoSeconds;
        podMemory[c.podUid].first += c.stats.memoryWorkingSetBytes;
        podMemory[c.podUid].second += c.stats.memoryRssBytes;
    }
    json::array podList;
    for (auto& [uid, pod] : pods) {
        pod["cpu"] = json::object{{"time", now},
                                  {"usageNanoCores", podCpu[uid].first},
                                  {"usageCoreNanoSeconds", podCpu[uid].second}};
        pod["memory"] = json::object{{"time", now},
                                     {"usageBytes", podMemory[uid].first},
                                     {"workingSetBytes", podMemory[uid].first},
                                     {"rssBytes", podMemory[uid].second},
                                     {"pageFaults", 0},
                                     {"majorPageFaults", 0}};
        podList.push_back(std::move(pod));
    }
    return json::object{{"node", std::move(nodeStats)}, {"pods", std::move(podList)}};
}

std::string StatsProvider::resourceMetrics() {
    NodeUsage node = nodeUsage();
    std::vector<ContainerUsage> containers = containerUsage();
    int64_t ts = millis(node.at);
    std::string out;
    auto header = [&](const char* name, const char* help, const char* type) {
        out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    };
    header("container_cpu_usage_seconds_total",
           "[STABLE] Cumulative cpu time consumed by the container in core-seconds", "counter");
    for (const auto& c : containers) {
        out += fmt::format("container_cpu_usage_seconds_total{{container=\"{}\",namespace=\"{}\","
                           "pod=\"{}\"}} {} {}\n",
                           labelValue(c.container), labelValue(c.ns), labelValue(c.pod),
                           number(static_cast<double>(c.stats.cpuUsageCoreNanoSeconds) / 1e9),
                           millis(c.stats.timestamp));
    }
    header("container_memory_working_set_bytes",
           "[STABLE] Current working set of the container in bytes", "gauge");
    for (const auto& c : containers) {
        out += fmt::format("container_memory_working_set_bytes{{container=\"{}\",namespace=\"{}\","
                           "pod=\"{}\"}} {} {}\n",
                           labelValue(c.container), labelValue(c.ns), labelValue(c.pod),
                           c.stats.memoryWorkingSetBytes, millis(c.stats.timestamp));
    }
    header("container_start_time_seconds",
           "[STABLE] Start time of the container since unix epoch in seconds", "gauge");
    for (const auto& c : containers) {
        out += fmt::format(
            "container_start_time_seconds{{container=\"{}\",namespace=\"{}\",pod=\"{}\"}} {} {}\n",
            labelValue(c.container), labelValue(c.ns), labelValue(c.pod),
            number(std::chrono::duration<double>(c.startedAt.time_since_epoch()).count()), ts);
    }
    header("node_cpu_usage_seconds_total",
           "[STABLE] Cumulative cpu time consumed by the node in core-seconds", "counter");
    out += fmt::format("node_cpu_usage_seconds_total {} {}\n",
                       number(static_cast<double>(node.cpuNanoSeconds) / 1e9), ts);
    header("node_memory_working_set_bytes", "[STABLE] Current working set of the node in bytes",
           "gauge");
    out += fmt::format("node_memory_working_set_bytes {} {}\n",
                       node.memoryTotal - node.memoryAvailable, ts);
    std::map<std::pair<std::string, std::string>, std::pair<uint64_t, uint64_t>> pods;
    for (const auto& c : containers) {
        auto& p = pods[{c.ns, c.pod}];
        p.first += c.stats.cpuUsageCoreNanoSeconds;
        p.second += c.stats.memoryWorkingSetBytes;
    }
    header("pod_cpu_usage_seconds_total",
           "[STABLE] Cumulative cpu time consumed by the pod in core-seconds", "counter");
    for (const auto& [key, p] : pods) {
        out += fmt::format("pod_cpu_usage_seconds_total{{namespace=\"{}\",pod=\"{}\"}} {} {}\n",
                           labelValue(key.first), labelValue(key.second),
                           number(static_cast<double>(p.first) / 1e9), ts);
    }
    header("pod_memory_working_set_bytes", "[STABLE] Current working set of the pod in bytes",
           "gauge");
    for (const auto& [key, p] : pods) {
        out += fmt::format("pod_memory_working_set_bytes{{namespace=\"{}\",pod=\"{}\"}} {} {}\n",
                           labelValue(key.first), labelValue(key.second), p.second, ts);
    }
    header("scrape_error",
           "[ALPHA] 1 if there was an error while getting container metrics, 0 otherwise", "gauge");
    out += "scrape_error 0\n";
    return out;
}

std::string StatsProvider::agentMetrics() {
    std::string out;
    size_t running = 0;
    size_t exited = 0;
    for (const PodContainers& pod : m_pods.snapshot()) {
        for (const auto& entry : pod.containers) {
            (entry.running ? running : exited) += entry.currentId.empty() ? 0 : 1;
        }
    }
    out += "# HELP kubelet_node_name [ALPHA] The node's name. The count is always 1.\n"
           "# TYPE kubelet_node_name gauge\n";
    out += fmt::format("kubelet_node_name{{node=\"{}\"}} 1\n", labelValue(m_nodeName));
    out += "# HELP kubelet_running_pods [ALPHA] Number of pods that have a running pod sandbox\n"
           "# TYPE kubelet_running_pods gauge\n";
    out += fmt::format("kubelet_running_pods {}\n", m_pods.runningPods());
    out += "# HELP kubelet_running_containers [ALPHA] Number of containers currently running\n"
           "# TYPE kubelet_running_containers gauge\n";
    out += fmt::format("kubelet_running_containers{{container_state=\"running\"}} {}\n", running);
    out += fmt::format("kubelet_running_containers{{container_state=\"exited\"}} {}\n", exited);
    if (auto stat = readProcStat(::getpid())) {
        double cpu = static_cast<double>(stat->utimeTicks + stat->stimeTicks) /
                     static_cast<double>(clockTicksPerSecond());
        out += "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
               "# TYPE process_cpu_seconds_total counter\n";
        out += fmt::format("process_cpu_seconds_total {}\n", number(cpu));
        out += "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
               "# TYPE process_resident_memory_bytes gauge\n";
        out += fmt::format("process_resident_memory_bytes {}\n", stat->rssPages * pageSize());
        out += "# HELP process_start_time_seconds Start time of the process since unix epoch in "
               "seconds.\n# TYPE process_start_time_seconds gauge\n";
        out += fmt::format("process_start_time_seconds {}\n",
                           number(std::chrono::duration<double>(
                                      startTicksToTime(stat->startTicks).time_since_epoch())
                                      .count()));
    }
    return out;
}

} // namespace pilot::agent
