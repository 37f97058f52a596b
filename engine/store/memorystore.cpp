// In-memory Store with the same semantics as the SQLite one (revisions, preconditions, events,
// compaction, observer ordering), for unit tests of other components. Each write is its own
// "transaction": no group commit, and writeAsync() completes on the caller's thread.

#include "engine/store/store.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <shared_mutex>

namespace pilot::store {

namespace {

class MemoryStore final : public Store {
public:
    explicit MemoryStore(int64_t historyRetention)
        : m_retention(std::max<int64_t>(historyRetention, 0)) {}

    Status open() override {
        std::lock_guard lock(m_writeMutex);
        if (m_state != State::New) {
            return fail(ErrorCode::InvalidArgument, "store: open() called twice");
        }
        m_state = State::Open;
        std::lock_guard data(m_dataMutex);
        m_readable = true;
        return {};
    }

    void close() override {
        std::lock_guard lock(m_writeMutex);
        m_state = State::Closed;
        std::lock_guard data(m_dataMutex);
        m_readable = false;
    }

    Result<KeyValue> get(std::string_view key) override {
        std::shared_lock lock(m_dataMutex);
        if (auto closed = checkOpen(); !closed) {
            return std::unexpected(closed.error());
        }
        auto it = m_data.find(key);
        if (it == m_data.end()) {
            return fail(ErrorCode::NotFound, fmt::format("{}: not found", key));
        }
        return it->second;
    }

    Result<ListResult> list(std::string_view prefix) override {
        std::shared_lock lock(m_dataMutex);
        if (auto closed = checkOpen(); !closed) {
            return std::unexpected(closed.error());
        }
        ListResult result;
        result.revision = m_revision;
        for (auto it = m_data.lower_bound(prefix);
             it != m_data.end() && it->first.starts_with(prefix); ++it) {
            result.items.push_back(it->second);
        }
        return result;
    }

    Result<WriteResult> write(Write write) override {
        std::lock_guard writeLock(m_writeMutex);
        if (m_state != State::Open) {
            return fail(ErrorCode::Unavailable, "store: memory: closed");
        }
        if (write.key.empty()) {
            return fail(ErrorCode::InvalidArgument, "store: empty key");
        }
        std::vector<Event> events(1);
        auto result = apply(std::move(write), events.front());
        if (!result) {
            m_rejectedWrites.fetch_add(1, std::memory_order_relaxed);
            return result;
        }
        m_writes.fetch_add(1, std::memory_order_relaxed);
        // Still under the write lock: the observer sees batches in revision order.
        if (m_observer) {
            m_observer(events);
        }
        return result;
    }

    void writeAsync(Write write, std::function<void(Result<WriteResult>)> done) override {
        done(this->write(std::move(write)));
    }

    Result<std::vector<Event>> eventsSince(int64_t afterRevision,
                                           std::string_view prefix) override {
        std::shared_lock lock(m_dataMutex);
        if (auto closed = checkOpen(); !closed) {
            return std::unexpected(closed.error());
        }
        if (afterRevision < m_compacted) {
            return fail(ErrorCode::Gone, fmt::format("too old resource version: {} ({})",
                                                     afterRevision, m_compacted));
        }
        std::vector<Event> events;
        auto it = std::upper_bound(
            m_history.begin(), m_history.end(), afterRevision,
            [](int64_t revision, const Event& event) { return revision < event.revision; });
        for (; it != m_history.end(); ++it) {
            if (it->key.starts_with(prefix)) {
                events.push_back(*it);
            }
        }
        return events;
    }

    int64_t currentRevision() const override {
        std::shared_lock lock(m_dataMutex);
        return m_revision;
    }

    int64_t compactedRevision() const override {
        std::shared_lock lock(m_dataMutex);
        return m_compacted;
    }

    void setCommitObserver(CommitObserver observer) override {
        std::lock_guard lock(m_writeMutex);
        m_observer = std::move(observer);
    }

    StoreStats stats() const override {
        StoreStats stats;
        stats.writes = m_writes.load(std::memory_order_relaxed);
        stats.rejectedWrites = m_rejectedWrites.load(std::memory_order_relaxed);
        stats.commits = stats.writes;
        stats.largestBatch = stats.writes > 0 ? 1 : 0;
        stats.compactedEvents = m_compactedEvents.load(std::memory_order_relaxed);
        return stats;
    }

private:
    enum class State { New, Open, Closed };

    /// Called with m_dataMutex held (shared or exclusive) by readers.
    [[nodiscard]] Status checkOpen() const {
        if (!m_readable) {
            return fail(ErrorCode::Unavailable, "store: memory: not open");
        }
        return {};
    }

    /// Applies one write under the write lock; takes the data lock only to change the data.
    Result<WriteResult> apply(Write write, Event& event) {
        std::unique_lock lock(m_dataMutex);
        auto it = m_data.find(write.key);
        if (write.op == Write::Op::Create) {
            if (it != m_data.end()) {
                return fail(ErrorCode::AlreadyExists, fmt::format("{}: already exists", write.key));
            }
        } else {
            if (it == m_data.end()) {
                return fail(ErrorCode::NotFound, fmt::format("{}: not found", write.key));
            }
            if (write.expectedModRevision != 0 &&
                write.expectedModRevision != it->second.modRevision) {
                return fail(ErrorCode::Conflict,
                            fmt::format("{}: modified at revision {}, expected {}", write.key,
                                        it->second.modRevision, write.expectedModRevision));
            }
        }

        const int64_t revision = ++m_revision;
        event.revision = revision;
        event.key = write.key;
        WriteResult result;
        result.revision = revision;
        switch (write.op) {
        case Write::Op::Create: {
            KeyValue kv{write.key, std::move(write.value), revision, revision};
            event.type = EventType::Put;
            event.value = kv.value;
            event.createRevision = revision;
            result.kv = kv;
            m_data.emplace(std::move(write.key), std::move(kv));
            break;
        }
        case Write::Op::Update: {
            KeyValue& kv = it->second;
            event.type = EventType::Put;
            event.prevModRevision = kv.modRevision;
            event.createRevision = kv.createRevision;
            kv.value = std::move(write.value);
            kv.modRevision = revision;
            event.value = kv.value;
            result.kv = kv;
            break;
        }
        case Write::Op::Delete: {
            KeyValue kv = std::move(it->second);
            m_data.erase(it);
            event.type = EventType::Delete;
            event.prevModRevision = kv.modRevision;
            event.createRevision = kv.createRevision;
            event.value = kv.value;
            kv.modRevision = revision;
            result.kv = std::move(kv);
            break;
        }
        }
        m_history.push_back(event);
        event.attachment = std::move(write.attachment); // for the observer, not the history
        compact();
        return result;
    }

    /// Drops events older than the retention window (m_dataMutex held exclusively).
    void compact() {
        const int64_t target = m_revision - m_retention;
        if (target <= m_compacted) {
            return;
        }
        m_compacted = target;
        while (!m_history.empty() && m_history.front().revision <= target) {
            m_history.pop_front();
            m_compactedEvents.fetch_add(1, std::memory_order_relaxed);
        }
    }

    const int64_t m_retention;

    std::mutex m_writeMutex; // serialises writes and observer calls; guards m_state, m_observer
    State m_state = State::New;
    CommitObserver m_observer;

    mutable std::shared_mutex m_dataMutex; // guards everything below it but the counters
    bool m_readable = false;               // open() was called and close() was not
    std::map<std::string, KeyValue, std::less<>> m_data;
    std::deque<Event> m_history;
    int64_t m_revision = 0;
    int64_t m_compacted = 0;

    std::atomic<uint64_t> m_writes{0};
    std::atomic<uint64_t> m_rejectedWrites{0};
    std::atomic<uint64_t> m_compactedEvents{0};
};

} // namespace

std::unique_ptr<Store> makeMemoryStore(int64_t historyRetention) {
    return std::make_unique<MemoryStore>(historyRetention);
}

} // namespace pilot::store
