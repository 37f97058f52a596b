#include "kube/client/eventstream.h"

#include "kube/client/apierror.h"
#include "kube/jsonutil.h"

#include <boost/json.hpp>

#include <mutex>

namespace pilot::kube {
namespace json = boost::json;

namespace {

constexpr size_t CompactThreshold = 64 * 1024;

class SingleEventStream final : public EventStream {
public:
    explicit SingleEventStream(WatchEvent event) : m_event(std::move(event)) {}

    StreamRead next(std::chrono::milliseconds) override {
        std::lock_guard lock(m_mutex);
        StreamRead read;
        if (m_delivered || m_closed) {
            return read;
        }
        m_delivered = true;
        read.status = StreamRead::Status::Event;
        read.event = m_event;
        return read;
    }
    void close() override {
        std::lock_guard lock(m_mutex);
        m_closed = true;
    }

private:
    std::mutex m_mutex;
    WatchEvent m_event;
    bool m_delivered = false;
    bool m_closed = false;
};

} // namespace

std::string_view watchEventTypeName(WatchEventType type) {
    switch (type) {
    case WatchEventType::Added:
        return "ADDED";
    case WatchEventType::Modified:
        return "MODIFIED";
    case WatchEventType::Deleted:
        return "DELETED";
    case WatchEventType::Bookmark:
        return "BOOKMARK";
    case WatchEventType::Error:
        return "ERROR";
    }
    return "ERROR";
}

Result<WatchEvent> parseWatchEvent(std::string_view line) {
    boost::system::error_code ec;
    json::value parsed = parseJsonText(line, ec);
    if (ec || !parsed.is_object()) {
        return fail(ErrorCode::InvalidArgument,
                    "watch stream: malformed event: " + std::string(line.substr(0, 200)));
    }
    json::object& event = parsed.get_object();
    std::string type = stringAt(event, "type");
    json::value* object = event.if_contains("object");
    if (!object || !object->is_object()) {
        return fail(ErrorCode::InvalidArgument, "watch stream: event without an object");
    }
    WatchEvent out;
    if (type == "ADDED") {
        out.type = WatchEventType::Added;
    } else if (type == "MODIFIED") {
        out.type = WatchEventType::Modified;
    } else if (type == "DELETED") {
        out.type = WatchEventType::Deleted;
    } else if (type == "BOOKMARK") {
        out.type = WatchEventType::Bookmark;
    } else if (type == "ERROR") {
        out.type = WatchEventType::Error;
    } else {
        return fail(ErrorCode::InvalidArgument,
                    "watch stream: unknown event type \"" + type + "\"");
    }
    out.object = std::move(object->get_object());
    return out;
}

WatchEvent errorEventForResponse(int httpCode, std::string_view body) {
    ApiError error = ApiError::fromResponse(httpCode, body);
    json::object status = std::move(error.status);
    if (status.empty()) {
        status = json::object{{"kind", "Status"},           {"apiVersion", "v1"},
                              {"metadata", json::object()}, {"status", "Failure"},
                              {"message", error.message},   {"reason", error.reason},
                              {"code", error.code}};
    }
    return WatchEvent{WatchEventType::Error, std::move(status)};
}

void WatchEventDecoder::feed(std::string_view data) {
    if (m_start > CompactThreshold && m_start * 2 > m_buffer.size()) {
        m_buffer.erase(0, m_start);
        m_start = 0;
    }
    m_buffer.append(data);
}

std::unique_ptr<EventStream> singleEventStream(WatchEvent event) {
    return std::make_unique<SingleEventStream>(std::move(event));
}

std::optional<Result<WatchEvent>> WatchEventDecoder::next() {
    while (true) {
        size_t nl = m_buffer.find('\n', m_start);
        if (nl == std::string::npos) {
            return std::nullopt;
        }
        std::string_view line(m_buffer.data() + m_start, nl - m_start);
        m_start = nl + 1;
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) {
            line.remove_suffix(1);
        }
        if (line.empty()) {
            continue;
        }
        Result<WatchEvent> event = parseWatchEvent(line);
        if (m_start == m_buffer.size()) {
            m_buffer.clear();
            m_start = 0;
        }
        return event;
    }
}

} // namespace pilot::kube
