#include "engine/controllers/common/controllerref.h"

#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <memory>

namespace pilot::controllers {
namespace json = boost::json;

json::object newControllerRef(const json::object& owner, const OwnerKind& kind) {
    return json::object{
        {"apiVersion", kind.apiVersion}, {"kind", kind.kind},  {"name", kube::name(owner)},
        {"uid", kube::uid(owner)},       {"controller", true}, {"blockOwnerDeletion", true}};
}

std::string adoptPatch(const json::object& owner, const OwnerKind& kind,
                       std::string_view dependentUid) {
    json::object patch{
        {"metadata", json::object{{"ownerReferences", json::array{newControllerRef(owner, kind)}},
                                  {"uid", dependentUid}}}};
    return json::serialize(patch);
}

bool labelsChanged(const json::object& old, const json::object& now) {
    const json::object none;
    const json::object* before = kube::labels(old);
    const json::object* after = kube::labels(now);
    return !kube::jsonEqual(before ? *before : none, after ? *after : none);
}

OwnedUpdate routeOwnedUpdate(
    const json::object& old, const json::object& now,
    const std::function<kube::ObjectPtr(std::string_view, const json::object*)>& resolve,
    const std::function<std::vector<kube::ObjectPtr>(const json::object&)>& selecting,
    const std::function<void(const kube::ObjectPtr&)>& tell) {
    const json::object* oldRef = kube::controllerRef(old);
    const json::object* newRef = kube::controllerRef(now);
    // As upstream: any difference in the reference (reflect.DeepEqual), not just its uid.
    const bool refChanged = (oldRef == nullptr) != (newRef == nullptr) ||
                            (oldRef && newRef && !kube::jsonEqual(*oldRef, *newRef));
    if (refChanged && oldRef) {
        if (kube::ObjectPtr before = resolve(kube::namespaceOf(old), oldRef)) {
            tell(before);
        }
    }
    if (newRef) {
        OwnedUpdate update;
        update.owner = resolve(kube::namespaceOf(now), newRef);
        if (update.owner) {
            tell(update.owner);
        }
        return update;
    }
    if (refChanged || labelsChanged(old, now)) {
        for (const kube::ObjectPtr& owner : selecting(now)) {
            tell(owner);
        }
    }
    return OwnedUpdate{nullptr, true};
}

std::string releasePatch(std::string_view ownerUid, std::string_view dependentUid) {
    json::object patch{
        {"metadata", json::object{{"ownerReferences", json::array{json::object{{"$patch", "delete"},
                                                                               {"uid", ownerUid}}}},
                                  {"uid", dependentUid}}}};
    return json::serialize(patch);
}

ControllerRefManager::ControllerRefManager(kube::ApiClient& client,
                                           const kube::ApiResource& ownerResource,
                                           const kube::ApiResource& dependentResource,
                                           const json::object& owner, OwnerKind kind,
                                           kube::LabelSelector selector)
    : m_client(client), m_ownerResource(ownerResource), m_dependentResource(dependentResource),
      m_owner(owner), m_kind(std::move(kind)), m_selector(std::move(selector)) {}

Status ControllerRefManager::canAdopt() {
    if (m_canAdopt) {
        return *m_canAdopt;
    }
    std::string_view ns = kube::namespaceOf(m_owner);
    std::string_view name = kube::name(m_owner);
    auto fresh = m_client.get(m_ownerResource, ns, name);
    if (!fresh) {
        m_canAdopt = std::unexpected(fresh.error().toError());
    } else if (kube::uid(*fresh) != kube::uid(m_owner)) {
        m_canAdopt =
            fail(ErrorCode::Conflict,
                 fmt::format("original {} {}/{} is gone: got uid {}, wanted {}", m_kind.kind, ns,
                             name, kube::uid(*fresh), kube::uid(m_owner)));
    } else if (kube::hasDeletionTimestamp(*fresh)) {
        m_canAdopt = fail(ErrorCode::Conflict, fmt::format("{}/{} has just been deleted at {}", ns,
                                                           name, kube::deletionTimestamp(*fresh)));
    } else {
        m_canAdopt = Status{};
    }
    return *m_canAdopt;
}

Result<std::vector<kube::ObjectPtr>>
ControllerRefManager::claim(const std::vector<kube::ObjectPtr>& candidates) {
    std::vector<kube::ObjectPtr> claimed;
    std::optional<Error> firstError;
    const bool ownerDeleting = kube::hasDeletionTimestamp(m_owner);
    const std::string_view ownerUid = kube::uid(m_owner);
    for (const kube::ObjectPtr& object : candidates) {
        const bool matches = m_selector.matches(kube::labels(*object));
        const json::object* ref = kube::controllerRef(*object);
        if (ref != nullptr) {
            if (kube::stringAt(*ref, "uid") != ownerUid) {
                continue; // Someone else's.
            }
            if (matches) {
                claimed.push_back(object);
                continue;
            }
            if (ownerDeleting) {
                continue;
            }
            auto released = m_client.patch(m_dependentResource, kube::namespaceOf(*object),
                                           kube::name(*object), kube::PatchType::StrategicMerge,
                                           releasePatch(ownerUid, kube::uid(*object)));
            if (!released && !kube::isNotFound(released.error()) && !firstError) {
                firstError = released.error().toError();
            }
            continue;
        }
        // An orphan.
        if (ownerDeleting || !matches || kube::hasDeletionTimestamp(*object) ||
            kube::namespaceOf(*object) != kube::namespaceOf(m_owner)) {
            continue;
        }
        if (Status ok = canAdopt(); !ok) {
            if (!firstError) {
                firstError = ok.error();
            }
            continue;
        }
        auto adopted = m_client.patch(m_dependentResource, kube::namespaceOf(*object),
                                      kube::name(*object), kube::PatchType::StrategicMerge,
                                      adoptPatch(m_owner, m_kind, kube::uid(*object)));
        if (adopted) {
            claimed.push_back(std::make_shared<const json::object>(std::move(*adopted)));
        } else if (!kube::isNotFound(adopted.error()) && !firstError) {
            firstError = adopted.error().toError();
        }
    }
    if (firstError) {
        return std::unexpected(*firstError);
    }
    return claimed;
}

kube::ObjectPtr resolveControllerRef(const kube::IndexedCache& owners, std::string_view kind,
                                     std::string_view ns, const json::object* ref) {
    if (ref == nullptr || kube::stringAt(*ref, "kind") != kind) {
        return nullptr;
    }
    kube::ObjectPtr owner = owners.get(kube::objectKey(ns, kube::stringAt(*ref, "name")));
    if (!owner || kube::uid(*owner) != kube::stringAt(*ref, "uid")) {
        return nullptr;
    }
    return owner;
}

Result<kube::LabelSelector> specSelector(const json::object& owner) {
    const json::object* spec = kube::objectAt(owner, "spec");
    return kube::LabelSelector::fromJson(spec ? spec->if_contains("selector") : nullptr);
}

std::vector<kube::ObjectPtr>
ownersSelecting(const std::vector<kube::ObjectPtr>& candidates, const json::object& pod,
                const std::function<Result<kube::LabelSelector>(const json::object&)>& selectorOf) {
    std::vector<kube::ObjectPtr> result;
    for (const kube::ObjectPtr& owner : candidates) {
        auto selector = selectorOf(*owner);
        if (selector && !selector->empty() && selector->matches(kube::labels(pod))) {
            result.push_back(owner);
        }
    }
    return result;
}

} // namespace pilot::controllers
