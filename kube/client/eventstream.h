#pragma once

#include "core/error.h"

#include <boost/json/object.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace pilot::kube {

enum class WatchEventType { Added, Modified, Deleted, Bookmark, Error };

/// One event of a watch stream. For `Error` the object is a `Status`
/// (`ApiError::fromStatus(event.object)`); for `Bookmark` only `metadata.resourceVersion` is
/// meaningful.
struct WatchEvent {
    WatchEventType type = WatchEventType::Added;
    boost::json::object object;
};

/// What one `EventStream::next` call produced.
struct StreamRead {
    enum class Status {
        Event,   ///< `event` holds the next event.
        Timeout, ///< Nothing arrived within the timeout; the stream is still open.
        End,     ///< The server ended the stream, or close() was called.
        Failed,  ///< Transport failure or undecodable data; `error` says which. The stream is over.
    };
    Status status = Status::End;
    WatchEvent event;
    Error error;
};

/// An open watch. `next` is called by one consumer thread; `close` may be called from any thread
/// (and more than once) and makes a blocked `next` return `End` promptly. Error responses to the
/// watch request (403, 404, 410, ...) arrive as one `Error` event followed by `End`, as the
/// server reports an expired resourceVersion on an open stream.
class EventStream {
public:
    virtual ~EventStream() = default;
    [[nodiscard]] virtual StreamRead next(std::chrono::milliseconds timeout) = 0;
    virtual void close() = 0;
};

/// Splits newline-framed watch JSON (`{"type":...,"object":{...}}\n`) arriving in arbitrary
/// chunks into events. Not thread-safe.
class WatchEventDecoder {
public:
    /// Appends received bytes.
    void feed(std::string_view data);
    /// The next complete event, or nullopt when no complete line is buffered (blank lines are
    /// skipped). InvalidArgument for malformed JSON or an unknown event type.
    [[nodiscard]] std::optional<Result<WatchEvent>> next();
    /// Bytes after the last newline (an incomplete event).
    [[nodiscard]] size_t pendingBytes() const { return m_buffer.size() - m_start; }

private:
    std::string m_buffer;
    size_t m_start = 0;
};

/// Parses one watch event line.
[[nodiscard]] Result<WatchEvent> parseWatchEvent(std::string_view line);
/// An `Error` event carrying the Status of an error response (the body when it is a Status,
/// else one synthesized from the HTTP code and text).
[[nodiscard]] WatchEvent errorEventForResponse(int httpCode, std::string_view body);
[[nodiscard]] std::string_view watchEventTypeName(WatchEventType type);
/// A stream that yields `event` once, then End: how a failed watch request is reported.
[[nodiscard]] std::unique_ptr<EventStream> singleEventStream(WatchEvent event);

} // namespace pilot::kube
