#include "engine/apiserver/quotaadmission.h"

#include "engine/quota/evaluator.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <fmt/format.h>

#include <boost/json.hpp>

#include <set>
#include <vector>

namespace pilot::apiserver {
namespace json = boost::json;

namespace {

constexpr int MaxChargeAttempts = 16;

struct QuotaState {
    json::object object;
    std::string name;
    quota::ResourceList hard;
    quota::ResourceList used;
};

/// Every name of `hard` the object's kind is tracked under has a value in `used`.
bool hasUsageStats(const QuotaState& q, const quota::ResourceNames& restricted) {
    for (const auto& [name, value] : q.hard) {
        if (restricted.contains(name) && !q.used.contains(name)) {
            return false;
        }
    }
    return true;
}

} // namespace

QuotaAdmission::QuotaAdmission(ResourceService& service)
    : m_service(service), m_quotas(service.types().byResource("", "v1", "resourcequotas")) {}

bool QuotaAdmission::appliesTo(const kube::ResourceType& type) const {
    return type.namespaced && m_quotas != nullptr;
}

ApiResult<void> QuotaAdmission::admit(const kube::ResourceType& type, json::object& object,
                                      const json::object* old) {
    (void)type;
    (void)object;
    (void)old;
    return {};
}

bool QuotaAdmission::writesOnAdmission(const kube::ResourceType& type,
                                       const std::string& ns) const {
    (void)type;
    (void)ns;
    return m_service.cacheFor(*m_quotas)->size() != 0;
}

ApiResult<void> QuotaAdmission::validate(const kube::ResourceType& type, const json::object& object,
                                         const json::object* old,
                                         const AdmissionAttributes& attributes) {
    quota::GroupResource gr{type.gvk.group, type.plural};
    if (!attributes.subresource.empty() || !quota::chargesWrite(gr, old != nullptr)) {
        return {};
    }
    std::string ns(kube::namespaceOf(object));
    auto cache = m_service.cacheFor(*m_quotas);
    auto listQuotas = [&]() -> std::vector<QuotaState> {
        watchcache::ListRequest request;
        request.filter.ns = ns;
        std::vector<QuotaState> out;
        auto page = cache->list(request);
        if (!page) {
            return out;
        }
        for (const watchcache::ObjectPtr& item : page->items) {
            QuotaState q;
            q.object = parseObject(*item);
            q.name = item->name;
            const json::object* status = kube::objectAt(q.object, "status");
            q.hard = quota::resourceListFromJson(kube::objectAt(status, "hard"));
            q.used = quota::resourceListFromJson(kube::objectAt(status, "used"));
            out.push_back(std::move(q));
        }
        return out;
    };
    if (ns.empty() || cache->size() == 0) {
        return {};
    }

    std::string name(attributes.generatedName ? kube::generateName(object) : kube::name(object));
    auto refuse = [&](const std::string& why) {
        ApiError e =
            forbidden(fmt::format("{} \"{}\" is forbidden: {}",
                                  qualifiedResource(type.plural, type.gvk.group), name, why));
        e.name = name;
        e.group = type.gvk.group;
        e.kind = type.plural;
        return apiFail(e);
    };

    TimePoint now = m_service.clock().now();
    quota::ResourceList delta = quota::usageOf(gr, object, now);
    quota::ResourceNames negative;
    for (const auto& [resource, value] : delta) {
        if (value.sign() < 0) {
            negative.insert(resource);
        }
    }
    if (!negative.empty()) {
        return refuse(fmt::format("quota usage is negative for resource(s): {}",
                                  quota::prettyPrint(negative)));
    }
    if (old != nullptr) {
        delta = quota::subtractNonNegative(delta, quota::usageOf(gr, *old, now));
    }
    delta = quota::removeZeros(delta);
    if (delta.empty()) {
        return {};
    }

    std::lock_guard lock(m_mutex);
    std::set<std::string> retry; // quotas whose charge conflicted; empty on the first round
    for (int attempt = 0; attempt < MaxChargeAttempts; ++attempt) {
        std::vector<QuotaState> quotas;
        for (QuotaState& q : listQuotas()) {
            if (attempt > 0 && !retry.contains(q.name)) {
                continue;
            }
            if (quota::matches(gr, quota::namesOf(q.hard), quota::scopeSelectorsOf(q.object),
                               object)) {
                quotas.push_back(std::move(q));
            }
        }
        for (const QuotaState& q : quotas) {
            quota::ResourceNames restricted = quota::matchingResources(gr, quota::namesOf(q.hard));
            if (std::string why = quota::checkConstraints(gr, restricted, object); !why.empty()) {
                return refuse(fmt::format("failed quota: {}: {}", q.name, why));
            }
            if (!hasUsageStats(q, restricted)) {
                return refuse(fmt::format("status unknown for quota: {}, resources: {}", q.name,
                                          quota::prettyPrint(restricted)));
            }
        }
        std::vector<std::pair<const QuotaState*, quota::ResourceList>> charges;
        for (const QuotaState& q : quotas) {
            quota::ResourceList requested = quota::mask(delta, quota::namesOf(q.hard));
            quota::ResourceList newUsage = quota::add(q.used, requested);
            quota::ResourceNames exceeded =
                quota::exceeding(quota::mask(newUsage, quota::namesOf(requested)), q.hard);
            if (!exceeded.empty()) {
                return refuse(
                    fmt::format("exceeded quota: {}, requested: {}, used: {}, limited: {}", q.name,
                                quota::prettyPrint(quota::mask(requested, exceeded)),
                                quota::prettyPrint(quota::mask(q.used, exceeded)),
                                quota::prettyPrint(quota::mask(q.hard, exceeded))));
            }
            if (!quota::equals(newUsage, q.used)) {
                charges.emplace_back(&q, std::move(newUsage));
            }
        }
        if (attributes.dryRun) {
            return {};
        }
        retry.clear();
        std::optional<ApiError> lastConflict;
        for (const auto& [q, used] : charges) {
            json::object updated = q->object;
            json::value& status = updated["status"];
            if (!status.is_object()) {
                status = json::object();
            }
            status.as_object()["used"] = quota::toJson(used);
            WriteOptions options;
            options.part = Part::Status;
            auto written = m_service.update(*m_quotas, ns, q->name, std::move(updated), options);
            if (written || written.error().reason == "NotFound") {
                continue; // a quota deleted meanwhile limits nothing any more
            }
            if (written.error().reason != "Conflict") {
                return std::unexpected(written.error());
            }
            retry.insert(q->name);
            lastConflict = written.error();
        }
        if (retry.empty()) {
            return {};
        }
        if (attempt + 1 == MaxChargeAttempts) {
            return apiFail(*lastConflict);
        }
    }
    return {};
}

} // namespace pilot::apiserver
