#include "engine/scheduler/affinityterm.h"

#include "kube/jsonutil.h"

#include <algorithm>

namespace pilot::scheduler {

namespace json = boost::json;

bool AffinityTerm::namespaceMatches(std::string_view ns, const json::object* nsLabels) const {
    if (std::binary_search(namespaces.begin(), namespaces.end(), ns)) {
        return true;
    }
    return hasNamespaceSelector && namespaceSelector.matches(nsLabels);
}

bool AffinityTerm::matches(std::string_view ns, const json::object& labels,
                           const json::object* nsLabels) const {
    return namespaceMatches(ns, nsLabels) && selector.matches(&labels);
}

namespace {

/// The term's labelSelector with matchLabelKeys (key In own value) and mismatchLabelKeys
/// (key NotIn own value) merged in, as the apiserver does for pods since 1.31.
json::value mergedSelector(const json::object& term, const json::object& ownLabels) {
    const json::value* selector = term.if_contains("labelSelector");
    std::vector<std::string> matchKeys = kube::stringsAt(term, "matchLabelKeys");
    std::vector<std::string> mismatchKeys = kube::stringsAt(term, "mismatchLabelKeys");
    if (selector == nullptr || selector->is_null() || (matchKeys.empty() && mismatchKeys.empty())) {
        return selector != nullptr ? *selector : json::value();
    }
    json::value merged = *selector;
    json::object* obj = merged.if_object();
    if (obj == nullptr) {
        return merged;
    }
    json::value& expressions = (*obj)["matchExpressions"];
    if (!expressions.is_array()) {
        expressions = json::array();
    }
    auto add = [&](const std::string& key, const char* op) {
        const json::value* v = ownLabels.if_contains(key);
        if (v == nullptr || !v->is_string()) {
            return;
        }
        expressions.as_array().push_back(
            json::object{{"key", key}, {"operator", op}, {"values", json::array{v->get_string()}}});
    };
    for (const std::string& key : matchKeys) {
        add(key, "In");
    }
    for (const std::string& key : mismatchKeys) {
        add(key, "NotIn");
    }
    return merged;
}

} // namespace

Result<AffinityTerm> affinityTermOf(const json::object& term, std::string_view ownNamespace,
                                    const json::object& ownLabels) {
    AffinityTerm out;
    json::value selector = mergedSelector(term, ownLabels);
    auto parsed = kube::LabelSelector::fromJson(&selector);
    if (!parsed) {
        return std::unexpected(parsed.error());
    }
    out.selector = std::move(*parsed);
    out.namespaces = kube::stringsAt(term, "namespaces");
    const json::value* nsSelector = term.if_contains("namespaceSelector");
    out.hasNamespaceSelector = nsSelector != nullptr && !nsSelector->is_null();
    if (out.hasNamespaceSelector) {
        auto ns = kube::LabelSelector::fromJson(nsSelector);
        if (!ns) {
            return std::unexpected(ns.error());
        }
        out.namespaceSelector = std::move(*ns);
    }
    if (out.namespaces.empty() && !out.hasNamespaceSelector) {
        out.namespaces.emplace_back(ownNamespace);
    }
    std::sort(out.namespaces.begin(), out.namespaces.end());
    out.namespaces.erase(std::unique(out.namespaces.begin(), out.namespaces.end()),
                         out.namespaces.end());
    out.topologyKey = kube::stringAt(term, "topologyKey");

    out.identity = out.topologyKey;
    out.identity += '\x1f';
    for (const std::string& ns : out.namespaces) {
        out.identity += ns;
        out.identity += ',';
    }
    out.identity += '\x1f';
    if (out.hasNamespaceSelector) {
        out.identity += out.namespaceSelector.matchesNothing() ? "!" : "=";
        out.identity += out.namespaceSelector.toString();
    }
    out.identity += '\x1f';
    out.identity += out.selector.matchesNothing() ? "!" : "=";
    out.identity += out.selector.toString();
    return out;
}

} // namespace pilot::scheduler
