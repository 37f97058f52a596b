#include "kube/client/informer.h"
#include "core/threadname.h"

#include "core/log.h"
#include "kube/client/backoff.h"
#include "kube/objectmeta.h"

#include <random>
#include <set>

namespace pilot::kube {
namespace json = boost::json;

namespace {

/// How long a watch may wait for its next event before the informer checks its stop flag
/// (stop() also closes the stream, so this only bounds a missed wake-up).
constexpr auto ReadSlice = std::chrono::seconds(5);
/// A watch that ends sooner than this without delivering anything counts as a failure, so a
/// server that closes streams at once is not hammered.
constexpr auto MinUsefulWatch = std::chrono::seconds(1);

} // namespace

Informer::Informer(ApiClient& client, InformerOptions options)
    : m_client(client), m_options(std::move(options)) {}

Informer::~Informer() {
    stop();
}

void Informer::addIndex(const std::string& name, IndexFunc function) {
    m_cache.addIndex(name, std::move(function));
}

void Informer::addHandlers(InformerHandlers handlers) {
    m_handlers.push_back(std::move(handlers));
}

void Informer::start() {
    if (m_thread.joinable()) {
        return;
    }
    m_stopping = false;
    m_thread = std::thread([this] {
        setThreadName("informer");
        run();
    });
}

void Informer::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
        if (m_stream) {
            m_stream->close();
        }
    }
    m_wake.notify_all();
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

bool Informer::waitForSync(std::chrono::steady_clock::time_point deadline) const {
    std::unique_lock lock(m_mutex);
    m_wake.wait_until(lock, deadline, [this] { return m_synced || m_stopping; });
    return m_synced;
}

std::string Informer::lastResourceVersion() const {
    std::lock_guard lock(m_mutex);
    return m_rv;
}

void Informer::setResourceVersion(std::string rv) {
    if (rv.empty()) {
        return;
    }
    std::lock_guard lock(m_mutex);
    m_rv = std::move(rv);
}

bool Informer::pause(std::chrono::milliseconds delay) {
    std::unique_lock lock(m_mutex);
    return !m_wake.wait_for(lock, delay, [this] { return m_stopping.load(); });
}

void Informer::run() {
    Backoff backoff(m_options.initialBackoff, m_options.maxBackoff);
    bool needList = true;
    while (!stopping()) {
        if (needList) {
            if (!relist()) {
                if (!pause(backoff.next())) {
                    return;
                }
                continue;
            }
            needList = false;
            backoff.reset();
        }
        switch (watchOnce()) {
        case WatchEnd::Closed:
            backoff.reset();
            break;
        case WatchEnd::Gone:
            needList = true;
            break;
        case WatchEnd::Quiet:
        case WatchEnd::Failed:
            if (!pause(backoff.next())) {
                return;
            }
            break;
        }
    }
}

bool Informer::relist() {
    ListOptions options;
    options.labelSelector = m_options.labelSelector;
    options.fieldSelector = m_options.fieldSelector;
    options.limit = m_options.pageSize;
    options.metadataOnly = m_options.metadataOnly;
    auto list = m_client.listAll(m_options.resource, m_options.ns, options);
    if (!list) {
        log::warn("informer", "list {} failed: {}", m_options.resource.qualifiedName(),
                  list.error().message);
        return false;
    }
    std::set<std::string> listed;
    for (json::object& item : list->items) {
        std::string key = objectKey(item);
        listed.insert(key);
        ObjectPtr object = compactObject(item, m_options.compact);
        ObjectPtr previous = m_cache.upsert(key, object);
        for (const InformerHandlers& h : m_handlers) {
            if (!previous) {
                if (h.onAdd) {
                    h.onAdd(object);
                }
            } else if (resourceVersion(*previous) != resourceVersion(*object) && h.onUpdate) {
                h.onUpdate(previous, object);
            }
        }
    }
    for (const std::string& key : m_cache.keys()) {
        if (listed.contains(key)) {
            continue;
        }
        ObjectPtr last = m_cache.erase(key);
        for (const InformerHandlers& h : m_handlers) {
            if (last && h.onDelete) {
                h.onDelete(last);
            }
        }
    }
    setResourceVersion(std::move(list->resourceVersion));
    {
        std::lock_guard lock(m_mutex);
        m_synced = true;
    }
    m_wake.notify_all();
    return true;
}

Informer::WatchEnd Informer::watchOnce() {
    WatchOptions options;
    options.labelSelector = m_options.labelSelector;
    options.fieldSelector = m_options.fieldSelector;
    options.resourceVersion = lastResourceVersion();
    options.allowWatchBookmarks = true;
    options.metadataOnly = m_options.metadataOnly;
    static thread_local std::mt19937 random(std::random_device{}());
    int64_t base = std::max<int64_t>(1, m_options.watchTimeout.count());
    options.timeoutSeconds = base + std::uniform_int_distribution<int64_t>(0, base - 1)(random);

    auto stream = m_client.watch(m_options.resource, m_options.ns, options);
    if (!stream) {
        log::warn("informer", "watch {} failed: {}", m_options.resource.qualifiedName(),
                  stream.error().message);
        return WatchEnd::Failed;
    }
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping) {
            return WatchEnd::Closed;
        }
        m_stream = stream->get();
    }
    WatchEnd end = consume(**stream);
    std::lock_guard lock(m_mutex);
    m_stream = nullptr;
    return end;
}

Informer::WatchEnd Informer::consume(EventStream& stream) {
    auto started = std::chrono::steady_clock::now();
    bool delivered = false;
    while (!stopping()) {
        StreamRead read = stream.next(ReadSlice);
        switch (read.status) {
        case StreamRead::Status::Timeout:
            continue;
        case StreamRead::Status::End:
            return delivered || std::chrono::steady_clock::now() - started >= MinUsefulWatch
                       ? WatchEnd::Closed
                       : WatchEnd::Quiet;
        case StreamRead::Status::Failed:
            log::warn("informer", "watch {}: {}", m_options.resource.qualifiedName(),
                      read.error.message);
            return WatchEnd::Failed;
        case StreamRead::Status::Event:
            break;
        }
        if (read.event.type == WatchEventType::Error) {
            ApiError error = ApiError::fromStatus(std::move(read.event.object));
            if (isGone(error)) {
                log::info("informer", "watch {}: {}; listing again",
                          m_options.resource.qualifiedName(), error.message);
                return WatchEnd::Gone;
            }
            log::warn("informer", "watch {}: {}", m_options.resource.qualifiedName(),
                      error.message);
            return WatchEnd::Failed;
        }
        delivered = true;
        apply(read.event);
    }
    return WatchEnd::Closed;
}

void Informer::apply(const WatchEvent& event) {
    std::string rv(resourceVersion(event.object));
    setResourceVersion(rv);
    if (event.type == WatchEventType::Bookmark) {
        return;
    }
    std::string key = objectKey(event.object);
    ObjectPtr object = compactObject(event.object, m_options.compact);
    if (event.type == WatchEventType::Deleted) {
        ObjectPtr last = m_cache.erase(key);
        if (last) {
            for (const InformerHandlers& h : m_handlers) {
                if (h.onDelete) {
                    h.onDelete(object);
                }
            }
        }
        return;
    }
    ObjectPtr previous = m_cache.upsert(key, object);
    for (const InformerHandlers& h : m_handlers) {
        if (!previous) {
            if (h.onAdd) {
                h.onAdd(object);
            }
        } else if (resourceVersion(*previous) != rv && h.onUpdate) {
            h.onUpdate(previous, object);
        }
    }
}

} // namespace pilot::kube
