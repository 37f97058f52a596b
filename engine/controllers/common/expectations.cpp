#include "engine/controllers/common/expectations.h"

namespace pilot::controllers {

bool Expectations::satisfied(const std::string& key) const {
    std::lock_guard lock(m_mutex);
    auto it = m_records.find(key);
    if (it == m_records.end()) {
        return true;
    }
    const Record& record = it->second;
    if (record.adds <= 0 && record.dels <= 0) {
        return true;
    }
    return m_clock.now() - record.since > Timeout;
}

void Expectations::expectCreations(const std::string& key, int64_t adds) {
    std::lock_guard lock(m_mutex);
    m_records[key] = Record{adds, 0, {}, m_clock.now()};
}

void Expectations::expectDeletions(const std::string& key,
                                   const std::vector<std::string>& objectKeys) {
    std::lock_guard lock(m_mutex);
    Record record{0, static_cast<int64_t>(objectKeys.size()), {}, m_clock.now()};
    record.deleting.insert(objectKeys.begin(), objectKeys.end());
    m_records[key] = std::move(record);
}

void Expectations::creationObserved(const std::string& key) {
    std::lock_guard lock(m_mutex);
    if (auto it = m_records.find(key); it != m_records.end()) {
        --it->second.adds;
    }
}

void Expectations::deletionObserved(const std::string& key, const std::string& objectKey) {
    std::lock_guard lock(m_mutex);
    auto it = m_records.find(key);
    if (it == m_records.end() || it->second.deleting.erase(objectKey) == 0) {
        return;
    }
    --it->second.dels;
}

void Expectations::erase(const std::string& key) {
    std::lock_guard lock(m_mutex);
    m_records.erase(key);
}

} // namespace pilot::controllers
