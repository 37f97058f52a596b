#include "engine/controllers/job/writtenversions.h"

#include "kube/objectmeta.h"

#include <charconv>
#include <optional>

namespace pilot::controllers::job {

namespace {

std::optional<int64_t> versionOf(const boost::json::object& object) {
    std::string_view text = kube::resourceVersion(object);
    int64_t value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

} // namespace

void WrittenVersions::remember(const std::string& key, const boost::json::object& object) {
    if (auto version = versionOf(object)) {
        std::lock_guard lock(m_mutex);
        m_versions[key] = *version;
    }
}

bool WrittenVersions::behind(const std::string& key, const boost::json::object& cached) const {
    auto version = versionOf(cached);
    std::lock_guard lock(m_mutex);
    auto it = m_versions.find(key);
    return version && it != m_versions.end() && *version < it->second;
}

void WrittenVersions::forget(const std::string& key) {
    std::lock_guard lock(m_mutex);
    m_versions.erase(key);
}

} // namespace pilot::controllers::job
