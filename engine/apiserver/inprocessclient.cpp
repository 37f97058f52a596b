#include "engine/apiserver/inprocessclient.h"

#include "engine/apiserver/apihandler.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace pilot::apiserver {

namespace {

/// How often a waiting reader polls the ResponseStream even without a wake-up: the stream's
/// contract (deadlines, bookmarks) needs a call at least once a second.
constexpr auto PollInterval = std::chrono::milliseconds(500);

/// How long a woken reader waits for more events before taking them (see next()).
constexpr auto SettleDelay = std::chrono::milliseconds(3);

/// Wake-ups from the watch cache's writer thread. Shared with the wake callback, which may run
/// after the stream that installed it is gone.
struct WakeSignal {
    std::mutex mutex;
    std::condition_variable cv;
    bool woken = false;
    bool closed = false;
};

/// The media type clients send for a watch of PartialObjectMetadata.
bool asPartialObjectMetadata(std::string_view accept) {
    return accept.find("as=PartialObjectMetadata") != std::string_view::npos;
}

/// What the server's PartialObjectMetadata encoding makes of an object: its metadata without
/// managedFields.
void toPartialObjectMetadata(boost::json::object& object) {
    boost::json::object metadata;
    if (boost::json::value* m = object.if_contains("metadata"); m && m->is_object()) {
        metadata = std::move(m->get_object());
    }
    metadata.erase("managedFields");
    boost::json::object partial(object.storage());
    partial.reserve(3);
    partial.emplace("kind", "PartialObjectMetadata");
    partial.emplace("apiVersion", "meta.k8s.io/v1");
    partial.emplace("metadata", std::move(metadata));
    object = std::move(partial);
}

class InProcessEventStream final : public kube::EventStream {
public:
    /// `partialObjectMetadata`: the stream carries whole objects, which this reduces to
    /// PartialObjectMetadata as the server would have; the informer decodes each event anyway,
    /// so the server need not parse and serialize it once more.
    InProcessEventStream(std::shared_ptr<ResponseStream> stream, bool partialObjectMetadata)
        : m_stream(std::move(stream)), m_signal(std::make_shared<WakeSignal>()),
          m_partialObjectMetadata(partialObjectMetadata) {
        std::weak_ptr<WakeSignal> weak = m_signal;
        std::lock_guard call(m_callMutex);
        m_stream->start([weak] {
            if (auto signal = weak.lock()) {
                {
                    std::lock_guard lock(signal->mutex);
                    signal->woken = true;
                }
                signal->cv.notify_all();
            }
        });
    }

    ~InProcessEventStream() override { close(); }

    kube::StreamRead next(std::chrono::milliseconds timeout) override {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        kube::StreamRead read;
        while (true) {
            if (isClosed()) {
                return read; // End
            }
            if (auto event = m_decoder.next()) {
                if (!*event) {
                    read.status = kube::StreamRead::Status::Failed;
                    read.error = event->error();
                    return read;
                }
                read.status = kube::StreamRead::Status::Event;
                read.event = std::move(**event);
                if (m_partialObjectMetadata && (read.event.type == kube::WatchEventType::Added ||
                                                read.event.type == kube::WatchEventType::Modified ||
                                                read.event.type == kube::WatchEventType::Deleted)) {
                    toPartialObjectMetadata(read.event.object);
                }
                return read;
            }
            if (m_finished) {
                return read; // End
            }
            if (pull() || m_finished) {
                continue;
            }
            std::unique_lock lock(m_signal->mutex);
            auto now = std::chrono::steady_clock::now();
            if (now >= deadline) {
                read.status = kube::StreamRead::Status::Timeout;
                return read;
            }
            bool woken =
                m_signal->cv.wait_until(lock, std::min(deadline, now + PollInterval),
                                        [this] { return m_signal->woken || m_signal->closed; });
            if (woken && !m_signal->closed) {
                // Let a burst of commits gather before taking them: wakes from the watch cache
                // while this reader sleeps find no waiter and cost the writer nothing, and the
                // informer handles the burst in one pass instead of one thread hand-off each.
                lock.unlock();
                std::this_thread::sleep_for(SettleDelay);
            }
        }
    }

    void close() override {
        {
            std::lock_guard lock(m_signal->mutex);
            if (m_signal->closed) {
                return;
            }
            m_signal->closed = true;
        }
        m_signal->cv.notify_all();
        // cancel() may call the wake callback synchronously; it only takes the signal mutex.
        std::lock_guard call(m_callMutex);
        m_stream->cancel();
    }

private:
    [[nodiscard]] bool isClosed() {
        std::lock_guard lock(m_signal->mutex);
        return m_signal->closed;
    }

    /// Takes whatever the stream has now; false when there was nothing.
    bool pull() {
        {
            std::lock_guard lock(m_signal->mutex);
            m_signal->woken = false;
        }
        bool finished = false;
        std::string chunk;
        {
            std::lock_guard call(m_callMutex);
            chunk = m_stream->next(finished);
        }
        m_decoder.feed(chunk);
        m_finished = m_finished || finished;
        return !chunk.empty();
    }

    std::shared_ptr<ResponseStream> m_stream;
    std::shared_ptr<WakeSignal> m_signal;
    std::mutex m_callMutex; // ResponseStream calls happen one at a time
    kube::WatchEventDecoder m_decoder;
    bool m_finished = false;
    bool m_partialObjectMetadata = false;
};

} // namespace

User engineUser() {
    return User{"system:pilothouse-engine", {"system:masters", "system:authenticated"}};
}

InProcessApiClient::InProcessApiClient(ApiHandler& handler, std::string fieldManager, User user)
    : kube::ApiClient(std::move(fieldManager)), m_handler(handler), m_user(std::move(user)) {}

Request InProcessApiClient::toRequest(const kube::ApiRequest& in) const {
    Request request;
    request.method = in.method;
    request.path = in.path;
    request.query = in.query;
    request.body = in.body;
    request.contentType = in.contentType;
    request.accept = in.accept;
    request.userAgent = "pilothouse-engine/" + fieldManager();
    request.user = m_user;
    request.headers = in.headers;
    return request;
}

Result<kube::ApiResponse> InProcessApiClient::send(const kube::ApiRequest& in) {
    Request request = toRequest(in);
    HandlerResult result = awaitResult(m_handler.handle(request));
    if (result.stream) {
        result.stream->cancel();
        return fail(ErrorCode::InvalidArgument,
                    in.method + " " + in.path + ": streaming response; use openWatch");
    }
    kube::ApiResponse response;
    response.status = result.response.status;
    response.body = std::move(result.response.body);
    response.contentType = std::move(result.response.contentType);
    response.headers = std::move(result.response.headers);
    return response;
}

Result<std::unique_ptr<kube::EventStream>>
InProcessApiClient::openWatch(const kube::ApiRequest& in) {
    Request request = toRequest(in);
    const bool partial = asPartialObjectMetadata(request.accept);
    if (partial) {
        request.accept = "application/json";
    }
    HandlerResult result = awaitResult(m_handler.handle(request));
    if (!result.stream) {
        return kube::singleEventStream(
            kube::errorEventForResponse(result.response.status, result.response.body));
    }
    if (result.stream->status() != 200) {
        // A streamed error body: collect it whole.
        std::string body;
        bool finished = false;
        result.stream->start([] {});
        for (int i = 0; i < 100 && !finished; ++i) {
            body += result.stream->next(finished);
        }
        result.stream->cancel();
        return kube::singleEventStream(kube::errorEventForResponse(result.stream->status(), body));
    }
    return std::unique_ptr<kube::EventStream>(
        std::make_unique<InProcessEventStream>(std::move(result.stream), partial));
}

} // namespace pilot::apiserver
