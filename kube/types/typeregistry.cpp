#include "kube/types/typeregistry.h"

#include "core/log.h"
#include "kube/types/schemaset.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>

namespace pilot::kube {

namespace {

/// Kubernetes version priority: GA before beta before alpha, higher numbers first; versions
/// that do not look like `v<N>[alpha|beta<M>]` sort after all others, alphabetically.
struct VersionRank {
    int stability = 3; // 0 GA, 1 beta, 2 alpha, 3 other
    int major = 0;
    int minor = 0;
};

VersionRank rankVersion(std::string_view v) {
    VersionRank rank;
    if (v.size() < 2 || v[0] != 'v' || v[1] < '0' || v[1] > '9') {
        return rank;
    }
    size_t i = 1;
    int major = 0;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9') {
        major = major * 10 + (v[i] - '0');
        ++i;
    }
    std::string_view rest = v.substr(i);
    int stability = 0;
    if (rest.starts_with("beta")) {
        stability = 1;
        rest.remove_prefix(4);
    } else if (rest.starts_with("alpha")) {
        stability = 2;
        rest.remove_prefix(5);
    } else if (!rest.empty()) {
        return rank;
    }
    int minor = 0;
    for (char c : rest) {
        if (c < '0' || c > '9') {
            return rank;
        }
        minor = minor * 10 + (c - '0');
    }
    if (stability != 0 && rest.empty()) {
        return rank;
    }
    return {stability, major, minor};
}

/// True when version a is preferred over b.
bool versionBefore(std::string_view a, std::string_view b) {
    VersionRank ra = rankVersion(a);
    VersionRank rb = rankVersion(b);
    if (ra.stability != rb.stability) {
        return ra.stability < rb.stability;
    }
    if (ra.stability == 3) {
        return a < b;
    }
    if (ra.major != rb.major) {
        return ra.major > rb.major;
    }
    return ra.minor > rb.minor;
}

} // namespace

std::shared_ptr<TypeRegistry> TypeRegistry::builtin() {
    auto schemas = SchemaSet::builtin();
    if (!schemas) {
        // The embedded files are checked by the unit tests; failing here is a build defect.
        log::error("kubetypes", "built-in schemas do not load: {}", schemas.error().message);
        std::abort();
    }
    auto registry = std::make_shared<TypeRegistry>();
    for (const ResourceType& rt : (*schemas)->resources()) {
        auto entry = std::make_shared<ResourceType>(rt);
        entry->schemaOwner = *schemas;
        registry->add(std::move(entry));
    }
    return registry;
}

ResourceTypePtr TypeRegistry::byResource(std::string_view group, std::string_view version,
                                         std::string_view plural) const {
    std::shared_lock lock(m_mutex);
    for (const ResourceTypePtr& t : m_types) {
        if (t->plural == plural && t->gvk.version == version && t->gvk.group == group) {
            return t;
        }
    }
    return nullptr;
}

ResourceTypePtr TypeRegistry::byKind(std::string_view group, std::string_view version,
                                     std::string_view kind) const {
    std::shared_lock lock(m_mutex);
    for (const ResourceTypePtr& t : m_types) {
        if (t->gvk.kind == kind && t->gvk.version == version && t->gvk.group == group) {
            return t;
        }
    }
    return nullptr;
}

std::vector<ResourceTypePtr> TypeRegistry::all() const {
    std::vector<ResourceTypePtr> out;
    {
        std::shared_lock lock(m_mutex);
        out = m_types;
    }
    std::ranges::stable_sort(out, [](const ResourceTypePtr& a, const ResourceTypePtr& b) {
        if (a->gvk.group != b->gvk.group) {
            return a->gvk.group < b->gvk.group;
        }
        if (a->gvk.version != b->gvk.version) {
            return versionBefore(a->gvk.version, b->gvk.version);
        }
        return a->plural < b->plural;
    });
    return out;
}

std::vector<std::pair<std::string, std::vector<std::string>>> TypeRegistry::groups() const {
    struct VersionInfo {
        bool preferred = false;
    };
    std::map<std::string, std::map<std::string, VersionInfo>> byGroup;
    {
        std::shared_lock lock(m_mutex);
        for (const ResourceTypePtr& t : m_types) {
            VersionInfo& info = byGroup[t->gvk.group][t->gvk.version];
            info.preferred = info.preferred || t->preferred;
        }
    }
    std::vector<std::pair<std::string, std::vector<std::string>>> out;
    out.reserve(byGroup.size());
    for (auto& [group, versions] : byGroup) {
        std::vector<std::pair<std::string, bool>> list(versions.size());
        std::ranges::transform(versions, list.begin(), [](const auto& kv) {
            return std::make_pair(kv.first, kv.second.preferred);
        });
        std::ranges::sort(list, [](const auto& a, const auto& b) {
            if (a.second != b.second) {
                return a.second; // versions marked preferred first
            }
            return versionBefore(a.first, b.first);
        });
        std::vector<std::string> names;
        names.reserve(list.size());
        for (auto& [name, preferred] : list) {
            names.push_back(name);
        }
        out.emplace_back(group, std::move(names));
    }
    return out;
}

void TypeRegistry::add(ResourceTypePtr type) {
    std::unique_lock lock(m_mutex);
    for (ResourceTypePtr& t : m_types) {
        if (t->plural == type->plural && t->gvk.version == type->gvk.version &&
            t->gvk.group == type->gvk.group) {
            t = std::move(type);
            ++m_generation;
            return;
        }
    }
    m_types.push_back(std::move(type));
    ++m_generation;
}

void TypeRegistry::remove(std::string_view group, std::string_view version,
                          std::string_view plural) {
    std::unique_lock lock(m_mutex);
    auto removed = std::erase_if(m_types, [&](const ResourceTypePtr& t) {
        return t->plural == plural && t->gvk.version == version && t->gvk.group == group;
    });
    if (removed > 0) {
        ++m_generation;
    }
}

uint64_t TypeRegistry::generation() const {
    std::shared_lock lock(m_mutex);
    return m_generation;
}

} // namespace pilot::kube
