#include "engine/metricsapi/metricsapi.h"

#include "core/log.h"
#include "engine/apiserver/apierror.h"
#include "engine/apiserver/apihandler.h"
#include "engine/apiserver/selectors.h"
#include "kube/jsonutil.h"

#include <boost/json/serialize.hpp>

#include <fmt/format.h>

namespace pilot::metricsapi {

namespace json = boost::json;
using apiserver::HandlerResult;
using Steady = std::chrono::steady_clock;

namespace {

/// How long a rate between two scrapes may span and still be reported.
constexpr auto MaxRateSpan = std::chrono::minutes(2);

std::optional<uint64_t> unsignedAt(const json::object* o, std::string_view key) {
    if (!o) {
        return std::nullopt;
    }
    auto v = kube::integerAt(*o, key);
    if (!v || *v < 0) {
        return std::nullopt;
    }
    return static_cast<uint64_t>(*v);
}

UsageSample sampleOf(const json::object& stats, std::chrono::system_clock::time_point fallback) {
    UsageSample s;
    const json::object* cpu = kube::objectAt(stats, "cpu");
    const json::object* memory = kube::objectAt(stats, "memory");
    s.usageNanoCores = unsignedAt(cpu, "usageNanoCores");
    s.usageCoreNanoSeconds = unsignedAt(cpu, "usageCoreNanoSeconds");
    s.workingSetBytes = unsignedAt(memory, "workingSetBytes");
    s.time = fallback;
    if (auto t = parseTime(kube::stringAt(cpu, "time")); t) {
        s.time = *t;
    }
    return s;
}

std::string cpuQuantity(uint64_t nanoCores) {
    return fmt::format("{}n", nanoCores);
}

std::string memoryQuantity(uint64_t bytes) {
    return fmt::format("{}Ki", bytes / 1024);
}

json::object labelsOf(const watchcache::CachedObject& object) {
    json::object labels;
    for (const auto& [k, v] : object.labels) {
        labels[k] = v;
    }
    return labels;
}

json::object listOf(std::string_view kind, json::array items) {
    json::object list;
    list["kind"] = kind;
    list["apiVersion"] = "metrics.k8s.io/v1beta1";
    list["metadata"] = json::object();
    list["items"] = std::move(items);
    return list;
}

bool nodeReady(const json::object& node) {
    const json::object* status = kube::objectAt(node, "status");
    const json::array* conditions = status ? kube::arrayAt(*status, "conditions") : nullptr;
    if (!conditions) {
        return false;
    }
    for (const json::value& c : *conditions) {
        const json::object* o = c.if_object();
        if (o && kube::stringAt(*o, "type") == "Ready") {
            return kube::stringAt(*o, "status") == "True";
        }
    }
    return false;
}

struct Usage {
    uint64_t cpu = 0;
    uint64_t memory = 0;
    std::chrono::system_clock::time_point time{};
};

std::optional<Usage> usageOf(const UsageSample& current, const UsageSample* previous) {
    auto cpu = cpuNanoCores(current, previous);
    if (!cpu || !current.workingSetBytes) {
        return std::nullopt;
    }
    return Usage{*cpu, *current.workingSetBytes, current.time};
}

} // namespace

Result<NodeSummary> parseSummary(std::string_view text) {
    boost::system::error_code ec;
    json::value parsed = kube::parseJsonText(text, ec);
    if (ec || !parsed.is_object()) {
        return fail(ErrorCode::InvalidArgument, "stats summary is not a JSON object");
    }
    const json::object& root = parsed.as_object();
    const json::object* node = kube::objectAt(root, "node");
    if (!node) {
        return fail(ErrorCode::InvalidArgument, "stats summary has no node");
    }
    auto now = std::chrono::system_clock::now();
    NodeSummary summary;
    summary.nodeName = kube::stringAt(*node, "nodeName");
    summary.node = sampleOf(*node, now);
    if (const json::array* pods = kube::arrayAt(root, "pods")) {
        for (const json::value& p : *pods) {
            const json::object* pod = p.if_object();
            if (!pod) {
                continue;
            }
            const json::object* ref = kube::objectAt(*pod, "podRef");
            PodUsage usage{kube::stringAt(ref, "namespace"), kube::stringAt(ref, "name"), {}};
            if (const json::array* containers = kube::arrayAt(*pod, "containers")) {
                for (const json::value& c : *containers) {
                    if (const json::object* container = c.if_object()) {
                        usage.containers.push_back(
                            {kube::stringAt(*container, "name"), sampleOf(*container, now)});
                    }
                }
            }
            summary.pods.push_back(std::move(usage));
        }
    }
    return summary;
}

std::optional<uint64_t> cpuNanoCores(const UsageSample& current, const UsageSample* previous) {
    if (current.usageNanoCores) {
        return current.usageNanoCores;
    }
    if (!previous || !current.usageCoreNanoSeconds || !previous->usageCoreNanoSeconds ||
        *current.usageCoreNanoSeconds < *previous->usageCoreNanoSeconds) {
        return std::nullopt;
    }
    auto span = std::chrono::duration_cast<std::chrono::nanoseconds>(current.time - previous->time);
    if (span.count() <= 0 || span > MaxRateSpan) {
        return std::nullopt;
    }
    long double used = *current.usageCoreNanoSeconds - *previous->usageCoreNanoSeconds;
    return static_cast<uint64_t>(used * 1e9L / static_cast<long double>(span.count()));
}

MetricsApi::MetricsApi(apiserver::ResourceService& service, SummaryFetcher fetch,
                       const Clock& clock, std::chrono::milliseconds resolution)
    : m_service(service), m_fetch(std::move(fetch)), m_clock(clock), m_resolution(resolution) {}

std::shared_ptr<const MetricsApi::Snapshot> MetricsApi::snapshot() {
    std::lock_guard lock(m_mutex);
    auto now = Steady::now();
    if (m_snapshot && now - m_scrapedAt < m_resolution) {
        return m_snapshot;
    }
    auto next = std::make_shared<Snapshot>();
    if (m_snapshot) {
        next->previous = m_snapshot->current;
    }
    kube::ResourceTypePtr nodeType = m_service.types().byResource("", "v1", "nodes");
    auto nodes = m_service.cacheFor(*nodeType)->list({});
    if (nodes) {
        for (const watchcache::ObjectPtr& object : nodes->items) {
            boost::system::error_code ec;
            json::value node = kube::parseJsonText(object->json.str(), ec);
            if (ec || !node.is_object() || !nodeReady(node.as_object())) {
                continue;
            }
            auto body = m_fetch(node.as_object());
            if (!body) {
                log::debug("metrics", "node {}: {}", object->name, body.error().message);
                continue;
            }
            auto summary = parseSummary(*body);
            if (!summary) {
                log::warn("metrics", "node {}: {}", object->name, summary.error().message);
                continue;
            }
            summary->nodeName = object->name;
            next->current[object->name] = Scrape{std::move(*summary), Steady::now()};
        }
    }
    m_snapshot = std::move(next);
    m_scrapedAt = now;
    return m_snapshot;
}

HandlerResult MetricsApi::handle(apiserver::VerbContext& ctx) {
    if (ctx.info.resource == "nodes") {
        return nodes(ctx);
    }
    return pods(ctx);
}

HandlerResult MetricsApi::nodes(apiserver::VerbContext& ctx) {
    kube::ResourceTypePtr nodeType = m_service.types().byResource("", "v1", "nodes");
    auto filter = apiserver::buildFilter(ctx.request, *nodeType, "");
    if (!filter) {
        return apiserver::errorResponse(filter.error());
    }
    filter->name = ctx.info.name;
    auto nodes = m_service.cacheFor(*nodeType)->list({.filter = *filter});
    if (!nodes) {
        return apiserver::errorResponse(apiserver::fromError(nodes.error()));
    }
    auto snap = snapshot();
    std::string created = formatTime(m_clock.now());
    json::array items;
    for (const watchcache::ObjectPtr& node : nodes->items) {
        auto scrape = snap->current.find(node->name);
        if (scrape == snap->current.end()) {
            continue;
        }
        auto before = snap->previous.find(node->name);
        auto usage =
            usageOf(scrape->second.summary.node,
                    before == snap->previous.end() ? nullptr : &before->second.summary.node);
        if (!usage) {
            continue;
        }
        json::object item;
        item["kind"] = "NodeMetrics";
        item["apiVersion"] = "metrics.k8s.io/v1beta1";
        item["metadata"] = json::object{
            {"name", node->name}, {"creationTimestamp", created}, {"labels", labelsOf(*node)}};
        item["timestamp"] = formatTime(usage->time);
        item["window"] = "10s";
        item["usage"] = json::object{{"cpu", cpuQuantity(usage->cpu)},
                                     {"memory", memoryQuantity(usage->memory)}};
        items.emplace_back(std::move(item));
    }
    if (!ctx.info.name.empty()) {
        if (items.empty()) {
            return apiserver::errorResponse(
                apiserver::notFound("nodes", "metrics.k8s.io", ctx.info.name));
        }
        return apiserver::jsonResponse(200, json::serialize(items.front()));
    }
    return apiserver::jsonResponse(200,
                                   json::serialize(listOf("NodeMetricsList", std::move(items))));
}

HandlerResult MetricsApi::pods(apiserver::VerbContext& ctx) {
    kube::ResourceTypePtr podType = m_service.types().byResource("", "v1", "pods");
    auto filter = apiserver::buildFilter(ctx.request, *podType, ctx.info.ns);
    if (!filter) {
        return apiserver::errorResponse(filter.error());
    }
    filter->name = ctx.info.name;
    auto pods = m_service.cacheFor(*podType)->list({.filter = *filter});
    if (!pods) {
        return apiserver::errorResponse(apiserver::fromError(pods.error()));
    }
    auto snap = snapshot();
    std::string created = formatTime(m_clock.now());
    json::array items;
    for (const watchcache::ObjectPtr& pod : pods->items) {
        std::string nodeName(pod->field("spec.nodeName").value_or(std::string_view()));
        if (nodeName.empty()) {
            continue;
        }
        auto scrape = snap->current.find(nodeName);
        if (scrape == snap->current.end()) {
            continue;
        }
        const PodUsage* current = nullptr;
        for (const PodUsage& p : scrape->second.summary.pods) {
            if (p.ns == pod->ns && p.name == pod->name) {
                current = &p;
            }
        }
        if (!current || current->containers.empty()) {
            continue;
        }
        const PodUsage* previous = nullptr;
        if (auto before = snap->previous.find(nodeName); before != snap->previous.end()) {
            for (const PodUsage& p : before->second.summary.pods) {
                if (p.ns == pod->ns && p.name == pod->name) {
                    previous = &p;
                }
            }
        }
        json::array containers;
        std::chrono::system_clock::time_point at{};
        bool complete = true;
        for (const ContainerUsage& c : current->containers) {
            const UsageSample* before = nullptr;
            if (previous) {
                for (const ContainerUsage& p : previous->containers) {
                    if (p.name == c.name) {
                        before = &p.usage;
                    }
                }
            }
            auto usage = usageOf(c.usage, before);
            if (!usage) {
                complete = false;
                break;
            }
            at = std::max(at, usage->time);
            containers.emplace_back(
                json::object{{"name", c.name},
                             {"usage", json::object{{"cpu", cpuQuantity(usage->cpu)},
                                                    {"memory", memoryQuantity(usage->memory)}}}});
        }
        if (!complete) {
            continue;
        }
        json::object item;
        item["kind"] = "PodMetrics";
        item["apiVersion"] = "metrics.k8s.io/v1beta1";
        item["metadata"] = json::object{{"name", pod->name},
                                        {"namespace", pod->ns},
                                        {"creationTimestamp", created},
                                        {"labels", labelsOf(*pod)}};
        item["timestamp"] = formatTime(at);
        item["window"] = "10s";
        item["containers"] = std::move(containers);
        items.emplace_back(std::move(item));
    }
    if (!ctx.info.name.empty()) {
        if (items.empty()) {
            return apiserver::errorResponse(
                apiserver::notFound("pods", "metrics.k8s.io", ctx.info.name));
        }
        return apiserver::jsonResponse(200, json::serialize(items.front()));
    }
    return apiserver::jsonResponse(200,
                                   json::serialize(listOf("PodMetricsList", std::move(items))));
}

} // namespace pilot::metricsapi
