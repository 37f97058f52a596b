#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace pilot::controllers::job {

/// The resourceVersion of each object a controller last wrote, so a sync can tell that its
/// informer has not caught up with its own write yet (acting on the older copy would repeat
/// Events, undercount finished pods or fight over status). Thread-safe.
class WrittenVersions {
public:
    /// Remembers the version of `object` as returned by the write.
    void remember(const std::string& key, const boost::json::object& object);
    /// Whether `cached` is older than what was last written under `key`.
    [[nodiscard]] bool behind(const std::string& key, const boost::json::object& cached) const;
    void forget(const std::string& key);

private:
    mutable std::mutex m_mutex;
    std::map<std::string, int64_t> m_versions;
};

} // namespace pilot::controllers::job
