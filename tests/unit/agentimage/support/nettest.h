#pragma once

// Test support: tiny TCP/HTTP helpers for reaching pods from the host.

#include <chrono>
#include <optional>
#include <string>

namespace pilot::agent::testing {

/// GET `path` from http://ip:port over a plain socket (HTTP/1.0); nullopt when the connection
/// fails. The whole response (status line, headers, body).
[[nodiscard]] std::optional<std::string>
httpGet(const std::string& ip, int port, const std::string& path = "/",
        std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));

/// Retries httpGet until it answers or `limit` passes (a server that is starting up).
[[nodiscard]] std::optional<std::string> httpGetWithin(const std::string& ip, int port,
                                                       const std::string& path,
                                                       std::chrono::milliseconds limit);

} // namespace pilot::agent::testing
