#include "engine/controllers/job/finalizerexpectations.h"

namespace pilot::controllers::job {

std::set<std::string> FinalizerExpectations::expectedUids(const std::string& key) const {
    std::lock_guard lock(m_mutex);
    auto it = m_uids.find(key);
    return it == m_uids.end() ? std::set<std::string>() : it->second;
}

void FinalizerExpectations::expectRemoved(const std::string& key,
                                          const std::vector<std::string>& uids) {
    std::lock_guard lock(m_mutex);
    m_uids[key].insert(uids.begin(), uids.end());
}

void FinalizerExpectations::observed(const std::string& key, const std::string& uid) {
    std::lock_guard lock(m_mutex);
    auto it = m_uids.find(key);
    if (it == m_uids.end()) {
        return;
    }
    it->second.erase(uid);
    if (it->second.empty()) {
        m_uids.erase(it);
    }
}

void FinalizerExpectations::erase(const std::string& key) {
    std::lock_guard lock(m_mutex);
    m_uids.erase(key);
}

} // namespace pilot::controllers::job
