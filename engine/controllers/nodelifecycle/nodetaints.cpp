#include "engine/controllers/nodelifecycle/nodetaints.h"

#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace pilot::controllers {
namespace json = boost::json;

namespace {

constexpr int UpdateTaintRetries = 5;

const json::array* taintsOf(const json::object& node) {
    const json::object* spec = kube::objectAt(node, "spec");
    return spec ? kube::arrayAt(*spec, "taints") : nullptr;
}

bool matches(const json::value& taint, const TaintSpec& spec) {
    const json::object* t = taint.if_object();
    return t && kube::stringAt(*t, "key") == spec.key &&
           kube::stringAt(*t, "effect") == spec.effect;
}

/// The taints after the swap, or nullopt when they stay as they are.
std::optional<json::array> swapped(const json::object& node, const std::vector<TaintSpec>& add,
                                   const std::vector<TaintSpec>& remove, TimePoint now) {
    const json::array* current = taintsOf(node);
    json::array taints = current ? *current : json::array();
    bool changed = false;
    for (const TaintSpec& spec : remove) {
        size_t before = taints.size();
        kube::eraseIf(taints, [&](const json::value& t) { return matches(t, spec); });
        changed = changed || taints.size() != before;
    }
    for (const TaintSpec& spec : add) {
        if (std::none_of(taints.begin(), taints.end(),
                         [&](const json::value& t) { return matches(t, spec); })) {
            taints.push_back(json::object{
                {"key", spec.key}, {"effect", spec.effect}, {"timeAdded", formatTime(now)}});
            changed = true;
        }
    }
    if (!changed) {
        return std::nullopt;
    }
    return taints;
}

} // namespace

const TaintSpec& unreachableNoExecute() {
    static const TaintSpec taint{std::string(TaintUnreachable), "NoExecute"};
    return taint;
}

const TaintSpec& notReadyNoExecute() {
    static const TaintSpec taint{std::string(TaintNotReady), "NoExecute"};
    return taint;
}

std::string zoneKey(const json::object& node) {
    auto labelOr = [&](std::string_view beta, std::string_view ga) {
        auto value = kube::label(node, beta);
        return std::string(value ? *value : kube::label(node, ga).value_or(""));
    };
    std::string zone =
        labelOr("failure-domain.beta.kubernetes.io/zone", "topology.kubernetes.io/zone");
    std::string region =
        labelOr("failure-domain.beta.kubernetes.io/region", "topology.kubernetes.io/region");
    if (zone.empty() && region.empty()) {
        return {};
    }
    return region + std::string(":\0:", 3) + zone;
}

bool hasTaint(const json::object& node, const TaintSpec& taint) {
    const json::array* taints = taintsOf(node);
    return taints && std::any_of(taints->begin(), taints->end(),
                                 [&](const json::value& t) { return matches(t, taint); });
}

std::vector<json::object> noExecuteTaints(const json::object& node) {
    std::vector<json::object> out;
    if (const json::array* taints = taintsOf(node)) {
        for (const json::value& t : *taints) {
            if (const json::object* taint = t.if_object();
                taint && kube::stringAt(*taint, "effect") == "NoExecute") {
                out.push_back(*taint);
            }
        }
    }
    return out;
}

const json::object* conditionOf(const json::object& object, std::string_view type) {
    const json::object* status = kube::objectAt(object, "status");
    const json::array* conditions = status ? kube::arrayAt(*status, "conditions") : nullptr;
    if (conditions == nullptr) {
        return nullptr;
    }
    for (const json::value& c : *conditions) {
        if (const json::object* condition = c.if_object();
            condition && kube::stringAt(*condition, "type") == type) {
            return condition;
        }
    }
    return nullptr;
}

std::string readyStatus(const json::object& node) {
    const json::object* ready = conditionOf(node, "Ready");
    return ready ? kube::stringAt(*ready, "status") : std::string();
}

Result<json::object> swapNodeTaints(kube::ApiClient& client, const json::object& node,
                                    const std::vector<TaintSpec>& add,
                                    const std::vector<TaintSpec>& remove, TimePoint now) {
    json::object current = node;
    for (int attempt = 0;; ++attempt) {
        std::optional<json::array> taints = swapped(current, add, remove, now);
        if (!taints) {
            return current;
        }
        json::value list = taints->empty() ? json::value(nullptr) : json::value(std::move(*taints));
        json::object patch{
            {"metadata", json::object{{"resourceVersion", kube::resourceVersion(current)}}},
            {"spec", json::object{{"taints", std::move(list)}}}};
        auto patched = client.patch(kube::resources::Nodes, "", kube::name(current),
                                    kube::PatchType::Merge, json::serialize(patch));
        if (patched) {
            return std::move(*patched);
        }
        if (!kube::isConflict(patched.error()) || attempt + 1 >= UpdateTaintRetries) {
            return std::unexpected(patched.error().toError());
        }
        auto fresh = client.get(kube::resources::Nodes, "", kube::name(current));
        if (!fresh) {
            return std::unexpected(fresh.error().toError());
        }
        current = std::move(*fresh);
    }
}

} // namespace pilot::controllers
