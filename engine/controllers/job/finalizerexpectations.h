#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace pilot::controllers::job {

/// The pods (by uid) whose tracking finalizer a Job's sync removed and whose update showing it
/// gone the informer has not delivered yet (upstream's uidTrackingExpectations): until then the
/// pod is counted already and must not be counted again. Keys are Job keys. Thread-safe.
class FinalizerExpectations {
public:
    [[nodiscard]] std::set<std::string> expectedUids(const std::string& key) const;
    void expectRemoved(const std::string& key, const std::vector<std::string>& uids);
    void observed(const std::string& key, const std::string& uid);
    void erase(const std::string& key);

private:
    mutable std::mutex m_mutex;
    std::map<std::string, std::set<std::string>> m_uids;
};

} // namespace pilot::controllers::job
