#include "engine/controllers/endpointslice/slicetracker.h"

#include "engine/controllers/endpointslice/sliceutil.h"
#include "kube/objectmeta.h"

#include <set>

namespace pilot::controllers {
namespace json = boost::json;

void SliceTracker::written(const json::object& slice, const std::string& previousVersion) {
    std::lock_guard lock(m_mutex);
    m_byService[serviceKeyOfSlice(slice)][std::string(kube::uid(slice))] =
        Entry{std::string(kube::resourceVersion(slice)), previousVersion, false};
}

void SliceTracker::expectDeletion(const json::object& slice) {
    std::lock_guard lock(m_mutex);
    Entry& entry = m_byService[serviceKeyOfSlice(slice)][std::string(kube::uid(slice))];
    entry.deleting = true;
}

const SliceTracker::Entry* SliceTracker::findLocked(const json::object& slice) const {
    auto service = m_byService.find(serviceKeyOfSlice(slice));
    if (service == m_byService.end()) {
        return nullptr;
    }
    auto entry = service->second.find(std::string(kube::uid(slice)));
    return entry == service->second.end() ? nullptr : &entry->second;
}

bool SliceTracker::shouldSync(const json::object& slice) const {
    std::lock_guard lock(m_mutex);
    const Entry* entry = findLocked(slice);
    if (entry == nullptr || entry->deleting) {
        return true;
    }
    std::string_view version = kube::resourceVersion(slice);
    // Our own write, or the state it replaced arriving late: nothing new.
    return version != entry->version && version != entry->previousVersion;
}

bool SliceTracker::has(const json::object& slice) const {
    std::lock_guard lock(m_mutex);
    return findLocked(slice) != nullptr;
}

bool SliceTracker::handleDeletion(const json::object& slice) {
    std::lock_guard lock(m_mutex);
    auto service = m_byService.find(serviceKeyOfSlice(slice));
    if (service == m_byService.end()) {
        return false;
    }
    auto entry = service->second.find(std::string(kube::uid(slice)));
    if (entry == service->second.end()) {
        return false;
    }
    bool expected = entry->second.deleting;
    service->second.erase(entry);
    if (service->second.empty()) {
        m_byService.erase(service);
    }
    return expected;
}

bool SliceTracker::stale(const std::string& serviceKey,
                         const std::vector<kube::ObjectPtr>& slices) const {
    std::lock_guard lock(m_mutex);
    auto service = m_byService.find(serviceKey);
    if (service == m_byService.end()) {
        return false;
    }
    std::set<std::string, std::less<>> seen;
    for (const kube::ObjectPtr& slice : slices) {
        std::string uid(kube::uid(*slice));
        auto entry = service->second.find(uid);
        seen.insert(std::move(uid));
        if (entry == service->second.end()) {
            continue;
        }
        const Entry& e = entry->second;
        if (e.deleting) {
            return true;
        }
        if (!e.previousVersion.empty() && kube::resourceVersion(*slice) == e.previousVersion &&
            e.version != e.previousVersion) {
            return true;
        }
    }
    for (const auto& [uid, entry] : service->second) {
        if (!entry.deleting && !seen.contains(uid)) {
            return true;
        }
    }
    return false;
}

void SliceTracker::eraseService(const std::string& serviceKey) {
    std::lock_guard lock(m_mutex);
    m_byService.erase(serviceKey);
}

} // namespace pilot::controllers
