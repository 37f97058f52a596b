#pragma once

#include "engine/registry/storage/unixfile.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pilot::registry {

/// One registry request as the listener received it, before its body.
struct RegistryRequest {
    std::string method;
    /// The origin-form target, still percent-encoded, with its query.
    std::string target;
    std::vector<std::pair<std::string, std::string>> headers;
    /// The body's length: 0 when there is none, nullopt when chunked (unknown until read).
    std::optional<uint64_t> contentLength = 0;

    /// The first header named `name` (case-insensitive), or nullptr.
    [[nodiscard]] const std::string* header(std::string_view name) const;
    [[nodiscard]] bool hasBody() const { return !contentLength || *contentLength > 0; }
};

/// Part of an open file to send as the response body.
struct FileBody {
    UniqueFd fd;
    uint64_t offset = 0;
    uint64_t length = 0;
};

/// A response: status, headers, and either a small body held in memory or a file range that
/// the listener streams in chunks. For HEAD, `contentLength` announces the size of the body a
/// GET would get, and nothing is sent.
struct RegistryResponse {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::optional<FileBody> file;
    std::optional<uint64_t> contentLength;

    /// Adds or replaces header `name`.
    void set(std::string_view name, std::string value);
    [[nodiscard]] const std::string* header(std::string_view name) const;
};

/// Receives a request body piece by piece (the listener never holds a whole body) and then
/// produces the response. `write` runs on the listener's I/O thread and must be cheap;
/// `finish` may block (it syncs files and writes the database). Destroyed without `finish`,
/// the body was cut short (the client went away) and nothing of it is kept.
class BodySink {
public:
    virtual ~BodySink() = default;
    /// The next piece; false asks the listener to stop reading (`finish` then says why).
    [[nodiscard]] virtual bool write(std::string_view piece) = 0;
    /// The body ended, or `write` refused more: the response.
    [[nodiscard]] virtual RegistryResponse finish() = 0;
};

/// The first step of handling a request: either the response, or (when the request's body is
/// wanted) a sink to stream it into.
struct Dispatch {
    RegistryResponse response;
    std::unique_ptr<BodySink> body;
};

} // namespace pilot::registry
