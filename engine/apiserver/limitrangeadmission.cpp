#include "engine/apiserver/limitrangeadmission.h"

#include "engine/admission/admission.h"
#include "engine/apiserver/resourceservice.h"
#include "engine/quota/podresources.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <boost/json.hpp>

#include <algorithm>
#include <limits>
#include <set>
#include <vector>

namespace pilot::apiserver {
namespace json = boost::json;
using kube::Quantity;
using quota::ResourceList;

namespace {

constexpr std::string_view LimitRangerAnnotation = "kubernetes.io/limit-ranger";
constexpr int64_t MaxMilliValue = std::numeric_limits<int64_t>::max() / 1000;

bool isPods(const kube::ResourceType& type) {
    return type.gvk.group.empty() && type.plural == "pods";
}

bool isClaims(const kube::ResourceType& type) {
    return type.gvk.group.empty() && type.plural == "persistentvolumeclaims";
}

const json::array* itemsOf(const json::object& limitRange) {
    const json::object* spec = kube::objectAt(limitRange, "spec");
    return spec ? kube::arrayAt(*spec, "limits") : nullptr;
}

/// requestLimitEnforcedValues: whole units, or thousandths when none overflows.
struct Observed {
    int64_t request;
    int64_t limit;
    int64_t enforced;
};

Observed observe(const Quantity& request, const Quantity& limit, const Quantity& enforced) {
    Observed o{request.value(), limit.value(), enforced.value()};
    if (o.request <= MaxMilliValue && o.limit <= MaxMilliValue && o.enforced <= MaxMilliValue) {
        o = {request.milliValue(), limit.milliValue(), enforced.milliValue()};
    }
    return o;
}

Quantity valueIn(const ResourceList& list, const std::string& name, bool& exists) {
    auto it = list.find(name);
    exists = it != list.end();
    return exists ? it->second : Quantity();
}

/// The checks of upstream's LimitRanger (minConstraint, maxConstraint, maxRequestConstraint,
/// limitRequestRatioConstraint), collecting their messages in order.
class Checker {
public:
    void min(std::string_view type, const std::string& resource, const Quantity& enforced,
             const ResourceList& requests, const ResourceList& limits) {
        bool hasRequest = false;
        bool hasLimit = false;
        Quantity request = valueIn(requests, resource, hasRequest);
        Quantity limit = valueIn(limits, resource, hasLimit);
        Observed o = observe(request, limit, enforced);
        std::string head =
            fmt::format("minimum {} usage per {} is {}", resource, type, enforced.toString());
        if (!hasRequest) {
            m_errors.push_back(head + ".  No request is specified");
        } else if (o.request < o.enforced) {
            m_errors.push_back(fmt::format("{}, but request is {}", head, request.toString()));
        } else if (hasLimit && o.limit < o.enforced) {
            m_errors.push_back(fmt::format("{}, but limit is {}", head, limit.toString()));
        }
    }

    void max(std::string_view type, const std::string& resource, const Quantity& enforced,
             const ResourceList& requests, const ResourceList& limits) {
        bool hasRequest = false;
        bool hasLimit = false;
        Quantity request = valueIn(requests, resource, hasRequest);
        Quantity limit = valueIn(limits, resource, hasLimit);
        Observed o = observe(request, limit, enforced);
        std::string head =
            fmt::format("maximum {} usage per {} is {}", resource, type, enforced.toString());
        if (!hasLimit) {
            m_errors.push_back(head + ".  No limit is specified");
        } else if (o.limit > o.enforced) {
            m_errors.push_back(fmt::format("{}, but limit is {}", head, limit.toString()));
        } else if (hasRequest && o.request > o.enforced) {
            m_errors.push_back(fmt::format("{}, but request is {}", head, request.toString()));
        }
    }

    void maxRequest(std::string_view type, const std::string& resource, const Quantity& enforced,
                    const ResourceList& requests) {
        bool hasRequest = false;
        Quantity request = valueIn(requests, resource, hasRequest);
        Observed o = observe(request, Quantity(), enforced);
        std::string head =
            fmt::format("maximum {} usage per {} is {}", resource, type, enforced.toString());
        if (!hasRequest) {
            m_errors.push_back(head + ".  No request is specified");
        } else if (o.request > o.enforced) {
            m_errors.push_back(fmt::format("{}, but request is {}", head, request.toString()));
        }
    }

    void ratio(std::string_view type, const std::string& resource, const Quantity& enforced,
               const ResourceList& requests, const ResourceList& limits) {
        bool hasRequest = false;
        bool hasLimit = false;
        Quantity request = valueIn(requests, resource, hasRequest);
        Quantity limit = valueIn(limits, resource, hasLimit);
        Observed o = observe(request, limit, enforced);
        std::string head = fmt::format("{} max limit to request ratio per {} is {}", resource, type,
                                       enforced.toString());
        if (!hasRequest || o.request == 0) {
            m_errors.push_back(head + ", but no request is specified or request is 0");
            return;
        }
        if (!hasLimit || o.limit == 0) {
            m_errors.push_back(head + ", but no limit is specified or limit is 0");
            return;
        }
        double observed = static_cast<double>(o.limit) / static_cast<double>(o.request);
        double display = observed;
        double allowed = static_cast<double>(enforced.value());
        if (enforced.value() <= MaxMilliValue) {
            observed *= 1000;
            allowed = static_cast<double>(enforced.milliValue());
        }
        if (observed > allowed) {
            m_errors.push_back(fmt::format("{}, but provided ratio is {:f}", head, display));
        }
    }

    /// min, max and maxLimitRequestRatio of one LimitRange item.
    void item(std::string_view type, const json::object& item, const ResourceList& requests,
              const ResourceList& limits) {
        for (const auto& [resource, value] :
             quota::resourceListFromJson(kube::objectAt(item, "min"))) {
            min(type, resource, value, requests, limits);
        }
        for (const auto& [resource, value] :
             quota::resourceListFromJson(kube::objectAt(item, "max"))) {
            max(type, resource, value, requests, limits);
        }
        for (const auto& [resource, value] :
             quota::resourceListFromJson(kube::objectAt(item, "maxLimitRequestRatio"))) {
            ratio(type, resource, value, requests, limits);
        }
    }

    /// The errors as upstream's aggregate prints them: one alone, several in brackets,
    /// duplicates once; "" when there are none.
    [[nodiscard]] std::string message() const {
        std::vector<std::string> unique;
        for (const std::string& e : m_errors) {
            if (std::find(unique.begin(), unique.end(), e) == unique.end()) {
                unique.push_back(e);
            }
        }
        if (unique.size() <= 1) {
            return unique.empty() ? std::string() : unique.front();
        }
        return fmt::format("[{}]", fmt::join(unique, ", "));
    }

private:
    std::vector<std::string> m_errors;
};

ResourceList containerList(const json::value& container, std::string_view which) {
    return quota::resourceListFromJson(
        kube::objectAt(kube::objectAt(container.if_object(), "resources"), which));
}

/// PodValidateLimitFunc for one LimitRange.
std::string checkPod(const json::object& limitRange, const json::object& pod) {
    const json::array* items = itemsOf(limitRange);
    const json::object* spec = kube::objectAt(pod, "spec");
    if (items == nullptr || spec == nullptr) {
        return {};
    }
    Checker checker;
    for (const json::value& v : *items) {
        const json::object* item = v.if_object();
        std::string type = kube::stringAt(item, "type");
        if (type == "Container") {
            for (std::string_view list : {"containers", "initContainers"}) {
                if (const json::array* containers = kube::arrayAt(*spec, list)) {
                    for (const json::value& c : *containers) {
                        checker.item(type, *item, containerList(c, "requests"),
                                     containerList(c, "limits"));
                    }
                }
            }
        } else if (type == "Pod") {
            checker.item(type, *item, quota::podRequests(pod, false), quota::podLimits(pod, false));
        }
    }
    return checker.message();
}

/// PersistentVolumeClaimValidateLimitFunc for one LimitRange.
std::string checkClaim(const json::object& limitRange, const json::object& claim) {
    const json::array* items = itemsOf(limitRange);
    if (items == nullptr) {
        return {};
    }
    ResourceList requests = quota::resourceListFromJson(
        kube::objectAt(kube::objectAt(kube::objectAt(claim, "spec"), "resources"), "requests"));
    Checker checker;
    for (const json::value& v : *items) {
        const json::object* item = v.if_object();
        std::string type = kube::stringAt(item, "type");
        if (type != "PersistentVolumeClaim") {
            continue;
        }
        for (const auto& [resource, value] :
             quota::resourceListFromJson(kube::objectAt(item, "min"))) {
            checker.min(type, resource, value, requests, {});
        }
        for (const auto& [resource, value] :
             quota::resourceListFromJson(kube::objectAt(item, "max"))) {
            checker.maxRequest(type, resource, value, requests);
        }
    }
    return checker.message();
}

/// The `Container` items' defaults: requests from defaultRequest, limits from default (a later
/// item wins).
std::pair<ResourceList, ResourceList> containerDefaults(const json::object& limitRange) {
    ResourceList requests;
    ResourceList limits;
    if (const json::array* items = itemsOf(limitRange)) {
        for (const json::value& v : *items) {
            const json::object* item = v.if_object();
            if (kube::stringAt(item, "type") != "Container") {
                continue;
            }
            for (auto& [name, q] :
                 quota::resourceListFromJson(kube::objectAt(item, "defaultRequest"))) {
                requests[name] = q;
            }
            for (auto& [name, q] : quota::resourceListFromJson(kube::objectAt(item, "default"))) {
                limits[name] = q;
            }
        }
    }
    return {requests, limits};
}

/// mergeContainerResources: fills what the container left out; returns the annotation notes.
void mergeContainer(json::object& container, const ResourceList& requests,
                    const ResourceList& limits, std::string_view what,
                    std::vector<std::string>& notes) {
    auto fill = [&](std::string_view which, const ResourceList& defaults) {
        std::vector<std::string> set;
        for (const auto& [name, q] : defaults) {
            const json::object* existing =
                kube::objectAt(kube::objectAt(container, "resources"), which);
            if (existing && existing->contains(name)) {
                continue;
            }
            json::object* resources = kube::ensureObject(container, "resources");
            json::object* list = resources ? kube::ensureObject(*resources, which) : nullptr;
            if (list == nullptr) {
                continue;
            }
            (*list)[name] = q.toString();
            set.push_back(name);
        }
        return set;
    };
    std::vector<std::string> setRequests = fill("requests", requests);
    std::vector<std::string> setLimits = fill("limits", limits);
    std::string name = kube::stringAt(container, "name");
    if (!setRequests.empty()) {
        notes.push_back(
            fmt::format("{} request for {} {}", fmt::join(setRequests, ", "), what, name));
    }
    if (!setLimits.empty()) {
        notes.push_back(fmt::format("{} limit for {} {}", fmt::join(setLimits, ", "), what, name));
    }
}

} // namespace

LimitRangeAdmission::LimitRangeAdmission(std::shared_ptr<watchcache::ResourceCache> limitRanges)
    : m_limitRanges(std::move(limitRanges)) {}

bool LimitRangeAdmission::appliesTo(const kube::ResourceType& type) const {
    return isPods(type) || isClaims(type);
}

std::vector<json::object> LimitRangeAdmission::limitRangesIn(const std::string& ns) const {
    std::vector<json::object> out;
    if (ns.empty() || m_limitRanges->size() == 0) {
        return out;
    }
    watchcache::ListRequest request;
    request.filter.ns = ns;
    auto page = m_limitRanges->list(request);
    if (!page) {
        return out;
    }
    for (const watchcache::ObjectPtr& item : page->items) {
        out.push_back(parseObject(*item));
    }
    return out;
}

ApiResult<void> LimitRangeAdmission::admit(const kube::ResourceType& type, json::object& object,
                                           const json::object* old) {
    if (!isPods(type) || old != nullptr) {
        return {}; // containers never change after create
    }
    json::object* spec = kube::mutableObject(object, "spec");
    if (spec == nullptr) {
        return {};
    }
    for (const json::object& limitRange : limitRangesIn(std::string(kube::namespaceOf(object)))) {
        auto [requests, limits] = containerDefaults(limitRange);
        if (requests.empty() && limits.empty()) {
            continue;
        }
        std::vector<std::string> notes;
        for (auto [list, what] :
             {std::pair<std::string_view, std::string_view>{"containers", "container"},
              {"initContainers", "init container"}}) {
            if (json::array* containers = kube::mutableArray(*spec, list)) {
                for (json::value& c : *containers) {
                    if (c.is_object()) {
                        mergeContainer(c.as_object(), requests, limits, what, notes);
                    }
                }
            }
        }
        if (!notes.empty()) {
            json::object& meta = kube::ensureMetadata(object);
            json::object* annotations = kube::ensureObject(meta, "annotations");
            if (annotations != nullptr) {
                (*annotations)[LimitRangerAnnotation] =
                    fmt::format("LimitRanger plugin set: {}", fmt::join(notes, "; "));
            }
        }
        spec = kube::mutableObject(object, "spec"); // metadata inserts may move members
        if (!notes.empty()) {
            // Upstream computes the QoS class after admission (PrepareForCreate).
            if (json::object* status = kube::mutableObject(object, "status")) {
                (*status)["qosClass"] = admission::podQosClass(*spec);
            }
            spec = kube::mutableObject(object, "spec");
        }
    }
    return {};
}

ApiResult<void> LimitRangeAdmission::validate(const kube::ResourceType& type,
                                              const json::object& object, const json::object* old,
                                              const AdmissionAttributes& attributes) {
    if (!attributes.subresource.empty() || (isPods(type) && old != nullptr)) {
        return {};
    }
    for (const json::object& limitRange : limitRangesIn(std::string(kube::namespaceOf(object)))) {
        std::string why =
            isPods(type) ? checkPod(limitRange, object) : checkClaim(limitRange, object);
        if (why.empty()) {
            continue;
        }
        std::string name(attributes.generatedName ? kube::generateName(object)
                                                  : kube::name(object));
        ApiError e = forbidden(fmt::format("{} \"{}\" is forbidden: {}", type.plural, name, why));
        e.name = name;
        e.kind = type.plural;
        return apiFail(e);
    }
    return {};
}

} // namespace pilot::apiserver
