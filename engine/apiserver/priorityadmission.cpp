#include "engine/apiserver/priorityadmission.h"

#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <fmt/format.h>

#include <boost/json.hpp>

namespace pilot::apiserver {
namespace json = boost::json;
using kube::objectAt;
using kube::stringAt;

PriorityAdmission::PriorityAdmission(std::shared_ptr<watchcache::ResourceCache> priorityClasses)
    : m_classes(std::move(priorityClasses)) {}

bool PriorityAdmission::appliesTo(const kube::ResourceType& type) const {
    return type.gvk.kind == "Pod" && type.gvk.group.empty();
}

ApiResult<void> PriorityAdmission::admit(const kube::ResourceType& type, json::object& object,
                                         const json::object* old) {
    if (old != nullptr) {
        return {}; // the priority of an existing pod never changes
    }
    json::object* spec = kube::mutableObject(object, "spec");
    if (spec == nullptr) {
        return {};
    }
    std::string name(kube::name(object));
    auto refuse = [&](const std::string& why) {
        ApiError e = forbidden(fmt::format("pods \"{}\" is forbidden: {}", name, why));
        e.name = name;
        e.kind = "pods";
        return apiFail(e);
    };
    std::string className = stringAt(*spec, "priorityClassName");
    std::optional<json::object> priorityClass;
    auto page = m_classes->list(watchcache::ListRequest{});
    if (!page) {
        return {};
    }
    for (const watchcache::ObjectPtr& item : page->items) {
        if (className.empty() ? item->json.str().find("\"globalDefault\":true") == std::string::npos
                              : item->name != className) {
            continue;
        }
        json::object parsed = kube::parseJsonText(item->json.str()).as_object();
        if (className.empty() && !kube::boolAt(parsed, "globalDefault").value_or(false)) {
            continue;
        }
        priorityClass = std::move(parsed);
        break;
    }
    if (!priorityClass) {
        if (!className.empty()) {
            return refuse(fmt::format("no PriorityClass with name {} was found", className));
        }
        return {}; // no default class: priority 0 (set by defaulting)
    }
    int64_t value = kube::integerAt(*priorityClass, "value").value_or(0);
    if (className.empty()) {
        (*spec)["priorityClassName"] = kube::name(*priorityClass);
        (*spec)["priority"] = value; // replaces the default 0
    } else if (const json::value* given = spec->if_contains("priority");
               given && given->is_int64() && given->get_int64() != value) {
        return refuse(fmt::format("the integer value of priority ({}) must not be provided in "
                                  "pod spec; priority admission controller computed {} from the "
                                  "given PriorityClass name",
                                  given->get_int64(), value));
    } else {
        (*spec)["priority"] = value;
    }
    std::string policy = stringAt(*priorityClass, "preemptionPolicy");
    if (!spec->contains("preemptionPolicy")) {
        (*spec)["preemptionPolicy"] = policy.empty() ? "PreemptLowerPriority" : policy;
    }
    (void)type;
    return {};
}

} // namespace pilot::apiserver
