#pragma once

// Helpers shared by the store tests: temporary directories, write builders, and
// synchronisation aids for driving the writer thread deterministically.

#include "engine/store/store.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace pilot::store::test {

/// A fresh directory under the system temp dir, removed with its contents on destruction.
class TempDir {
public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "pilot-store-XXXXXX");
        if (mkdtemp(pattern.data()) == nullptr) {
            ADD_FAILURE() << "mkdtemp failed";
        }
        m_path = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(m_path, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    [[nodiscard]] std::string file(const std::string& name) const { return m_path / name; }

private:
    std::filesystem::path m_path;
};

inline Write makeCreate(std::string key, std::string value) {
    return Write{Write::Op::Create, std::move(key), std::move(value), 0};
}

inline Write makeUpdate(std::string key, std::string value, int64_t expectedModRevision = 0) {
    return Write{Write::Op::Update, std::move(key), std::move(value), expectedModRevision};
}

inline Write makeDelete(std::string key, int64_t expectedModRevision = 0) {
    return Write{Write::Op::Delete, std::move(key), {}, expectedModRevision};
}

/// Collects the results of writeAsync() calls; waitAll() blocks until every slot completed.
class Completions {
public:
    explicit Completions(size_t count) : m_results(count) {}

    [[nodiscard]] std::function<void(Result<WriteResult>)> slot(size_t index) {
        return [this, index](Result<WriteResult> result) {
            std::lock_guard lock(m_mutex);
            m_results[index] = std::move(result);
            ++m_done;
            m_cv.notify_all();
        };
    }

    const std::vector<Result<WriteResult>>& waitAll() {
        std::unique_lock lock(m_mutex);
        m_cv.wait(lock, [this] { return m_done == m_results.size(); });
        return m_results;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    size_t m_done = 0;
    std::vector<Result<WriteResult>> m_results;
};

/// A commit observer that records every event and, when armed, holds the writer thread inside
/// its next call until release(): writes queued meanwhile then commit together in later batches.
class GateObserver {
public:
    [[nodiscard]] CommitObserver observer() {
        return [this](const std::vector<Event>& events) { onCommit(events); };
    }

    void arm() {
        std::lock_guard lock(m_mutex);
        m_armed = true;
        m_held = false;
    }
    void waitHeld() {
        std::unique_lock lock(m_mutex);
        m_cv.wait(lock, [this] { return m_held; });
    }
    void release() {
        std::lock_guard lock(m_mutex);
        m_armed = false;
        m_cv.notify_all();
    }

    [[nodiscard]] std::vector<Event> events() {
        std::lock_guard lock(m_mutex);
        return m_events;
    }
    [[nodiscard]] std::vector<size_t> batchSizes() {
        std::lock_guard lock(m_mutex);
        return m_batchSizes;
    }

private:
    void onCommit(const std::vector<Event>& events) {
        std::unique_lock lock(m_mutex);
        m_events.insert(m_events.end(), events.begin(), events.end());
        m_batchSizes.push_back(events.size());
        if (m_armed) {
            m_held = true;
            m_cv.notify_all();
            m_cv.wait(lock, [this] { return !m_armed; });
        }
    }

    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_armed = false;
    bool m_held = false;
    std::vector<Event> m_events;
    std::vector<size_t> m_batchSizes;
};

} // namespace pilot::store::test
