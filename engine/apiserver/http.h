#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pilot::apiserver {

/// Who sent a request, as established by the TLS client certificate or a bearer token.
struct User {
    std::string name;
    std::vector<std::string> groups;
};

/// One decoded HTTP request, independent of the transport.
struct Request {
    std::string method;
    std::string path; // percent-decoded, without the query
    std::vector<std::pair<std::string, std::string>> query;
    std::string body;
    std::string contentType;
    std::string accept;
    std::string userAgent;
    std::optional<User> user;
    bool websocketUpgrade = false;
    std::vector<std::pair<std::string, std::string>> headers;

    /// The first value of a query parameter, or nullptr.
    [[nodiscard]] const std::string* param(std::string_view name) const {
        for (const auto& [k, v] : query) {
            if (k == name) {
                return &v;
            }
        }
        return nullptr;
    }
    [[nodiscard]] std::vector<std::string> params(std::string_view name) const {
        std::vector<std::string> out;
        for (const auto& [k, v] : query) {
            if (k == name) {
                out.push_back(v);
            }
        }
        return out;
    }
    [[nodiscard]] const std::string* header(std::string_view name) const;
};

struct Response {
    int status = 200;
    std::string contentType = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

/// A response written as a chunked stream (watch, log follow). The session calls `start` once
/// with a wake function, then `next` whenever woken (and at least once a second); `next`
/// returns data to send and sets `finished` when the stream ends. `cancel` is called when the
/// client goes away. All calls happen on the connection's executor, one at a time.
class ResponseStream {
public:
    virtual ~ResponseStream() = default;
    [[nodiscard]] virtual int status() const { return 200; }
    [[nodiscard]] virtual std::string contentType() const { return "application/json"; }
    virtual void start(std::function<void()> wake) = 0;
    [[nodiscard]] virtual std::string next(bool& finished) = 0;
    virtual void cancel() = 0;
};

/// A connection taken over after `101 Switching Protocols` (pods/exec and pods/attach proxied to
/// a node agent): the session sends the 101 with `headers()`, then copies bytes both ways until
/// either side closes. `start` is called once on the session's executor; `toClient` and `closed`
/// may be called from any thread. `write` and `close` are called on the session's executor.
class Tunnel {
public:
    virtual ~Tunnel() = default;
    [[nodiscard]] virtual const std::vector<std::pair<std::string, std::string>>&
    headers() const = 0;
    virtual void start(std::function<void(std::string)> toClient, std::function<void()> closed) = 0;
    virtual void write(std::string data) = 0;
    virtual void close() = 0;
};

struct HandlerResult;
/// The last step of a deferred request (see HandlerResult::deferred); it runs on the thread
/// that serves the connection and may defer again.
using Continuation = std::function<HandlerResult()>;
/// Hands a deferred request's continuation back to whoever serves the connection. Callable
/// from any thread, once; it must not block.
using Resume = std::function<void(Continuation)>;

struct HandlerResult {
    Response response;
    std::shared_ptr<ResponseStream> stream; // set for streaming responses
    std::shared_ptr<Tunnel> tunnel;         // set for upgraded connections
    /// Set for a request that waits on something (a write's commit) without holding a thread:
    /// the server calls it once with a Resume and sends nothing until the request resumes. It
    /// starts the wait and returns at once; when the wait ends (on any thread), it calls
    /// `resume` with the step that builds the result.
    std::function<void(Resume)> deferred;
};

using Handler = std::function<HandlerResult(Request& request)>;

/// Waits on the calling thread for a deferred result and runs its continuations there, until
/// the result is complete; a complete result is returned as it is. For callers that need the
/// answer before they go on (in-process clients, tests).
[[nodiscard]] HandlerResult awaitResult(HandlerResult result);

/// Go `strconv.ParseBool` semantics (`1,t,T,TRUE,true,True` and the false forms); anything
/// else is nullopt.
[[nodiscard]] std::optional<bool> parseBool(std::string_view text);

/// Percent-decodes a URL component (`+` stays `+` in paths; `decodePlus` turns it into a space
/// for query strings).
[[nodiscard]] std::string percentDecode(std::string_view text, bool decodePlus);

/// Splits `a=1&b=2` into decoded pairs.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> parseQuery(std::string_view text);

} // namespace pilot::apiserver
