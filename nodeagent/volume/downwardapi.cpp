#include "nodeagent/volume/downwardapi.h"

#include "kube/jsonutil.h"
#include "kube/objectmeta.h"
#include "kube/quantity.h"

#include <fmt/format.h>

namespace pilot::agent {
namespace json = boost::json;

namespace {

/// `metadata.labels['key']` -> key; nullopt when `path` is not `<prefix>['...']`.
std::optional<std::string> subscript(std::string_view path, std::string_view prefix) {
    if (!path.starts_with(prefix) || path.size() < prefix.size() + 4) {
        return std::nullopt;
    }
    std::string_view rest = path.substr(prefix.size());
    if (!rest.starts_with("['") || !rest.ends_with("']")) {
        return std::nullopt;
    }
    return std::string(rest.substr(2, rest.size() - 4));
}

std::string mapValue(const json::object* map, const std::string& key) {
    if (!map) {
        return {};
    }
    return kube::stringAt(*map, key);
}

} // namespace

std::string formatDownwardMap(const json::object* map) {
    if (!map) {
        return {};
    }
    std::string out;
    for (const std::string& key : kube::sortedKeys(*map)) {
        if (!out.empty()) {
            out += '\n';
        }
        out += key + "=" + goQuote(kube::stringAt(*map, key));
    }
    return out;
}

Result<std::string> podFieldValue(const json::object& pod, std::string_view fieldPath,
                                  const PodNetworkInfo& network) {
    const json::object* meta = kube::metadataOf(pod);
    const json::object* spec = kube::objectAt(pod, "spec");
    if (fieldPath == "metadata.name") {
        return std::string(kube::name(pod));
    }
    if (fieldPath == "metadata.namespace") {
        return std::string(kube::namespaceOf(pod));
    }
    if (fieldPath == "metadata.uid") {
        return std::string(kube::uid(pod));
    }
    if (fieldPath == "metadata.labels") {
        return formatDownwardMap(kube::objectAt(meta, "labels"));
    }
    if (fieldPath == "metadata.annotations") {
        return formatDownwardMap(kube::objectAt(meta, "annotations"));
    }
    if (auto key = subscript(fieldPath, "metadata.labels")) {
        return mapValue(kube::objectAt(meta, "labels"), *key);
    }
    if (auto key = subscript(fieldPath, "metadata.annotations")) {
        return mapValue(kube::objectAt(meta, "annotations"), *key);
    }
    if (fieldPath == "spec.nodeName") {
        return kube::stringAt(spec, "nodeName");
    }
    if (fieldPath == "spec.serviceAccountName") {
        return kube::stringAt(spec, "serviceAccountName");
    }
    if (fieldPath == "status.hostIP" || fieldPath == "status.hostIPs") {
        return network.hostIp;
    }
    if (fieldPath == "status.podIP" || fieldPath == "status.podIPs") {
        return network.podIp;
    }
    return fail(ErrorCode::InvalidArgument,
                fmt::format("unsupported fieldPath: {}", std::string(fieldPath)));
}

Result<std::string> resourceFieldValue(const json::object& container, std::string_view resource,
                                       std::string_view divisorText,
                                       const json::object& nodeAllocatable) {
    size_t dot = resource.find('.');
    if (dot == std::string_view::npos) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("unsupported container resource: {}", std::string(resource)));
    }
    std::string kind(resource.substr(0, dot));
    std::string name(resource.substr(dot + 1));
    if (kind != "limits" && kind != "requests") {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("unsupported container resource: {}", std::string(resource)));
    }
    const json::object* resources = kube::objectAt(container, "resources");
    const json::object* limits = kube::objectAt(resources, "limits");
    const json::object* requests = kube::objectAt(resources, "requests");
    const json::value* value = nullptr;
    if (kind == "limits") {
        value = limits ? limits->if_contains(name) : nullptr;
        if (!value) {
            value = nodeAllocatable.if_contains(name); // No limit: the node is the limit.
        }
    } else {
        value = requests ? requests->if_contains(name) : nullptr;
        if (!value && limits) {
            value = limits->if_contains(name); // API defaulting: requests default to limits.
        }
    }
    kube::Quantity quantity;
    if (value) {
        auto parsed = kube::Quantity::fromJson(*value);
        if (!parsed) {
            return std::unexpected(parsed.error());
        }
        quantity = *parsed;
    }
    kube::Quantity divisor = kube::Quantity::fromValue(1);
    if (!divisorText.empty()) {
        auto parsed = kube::Quantity::parse(divisorText);
        if (!parsed || parsed->isZero()) {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("invalid divisor {:?}", std::string(divisorText)));
        }
        divisor = *parsed;
    }
    // Rounded up, as kubelet's convertResourceCPUToString / convertResourceMemoryToString.
    if (name == "cpu") {
        int64_t milli = quantity.milliValue();
        int64_t div = divisor.milliValue();
        return std::to_string((milli + div - 1) / div);
    }
    int64_t bytes = quantity.value();
    int64_t div = divisor.value();
    if (div <= 0) {
        div = 1;
    }
    return std::to_string((bytes + div - 1) / div);
}

} // namespace pilot::agent
