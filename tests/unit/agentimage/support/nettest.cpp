#include "tests/unit/agentimage/support/nettest.h"

#include <arpa/inet.h>
#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace pilot::agent::testing {

std::optional<std::string> httpGet(const std::string& ip, int port, const std::string& path,
                                   std::chrono::milliseconds timeout) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        return std::nullopt;
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, ip.c_str(), &address.sin_addr);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    auto left = [&] {
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now())
                      .count();
        return static_cast<int>(std::max<long long>(ms, 0));
    };
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        if (errno != EINPROGRESS) {
            ::close(fd);
            return std::nullopt;
        }
        pollfd pfd{fd, POLLOUT, 0};
        int error = 0;
        socklen_t length = sizeof error;
        if (::poll(&pfd, 1, left()) != 1 ||
            ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0) {
            ::close(fd);
            return std::nullopt;
        }
    }
    std::string request = "GET " + path + " HTTP/1.0\r\nHost: " + ip + "\r\n\r\n";
    size_t sent = 0;
    while (sent < request.size()) {
        pollfd pfd{fd, POLLOUT, 0};
        if (::poll(&pfd, 1, left()) != 1) {
            ::close(fd);
            return std::nullopt;
        }
        ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) {
            ::close(fd);
            return std::nullopt;
        }
        sent += static_cast<size_t>(n);
    }
    std::string response;
    while (true) {
        pollfd pfd{fd, POLLIN, 0};
        if (::poll(&pfd, 1, left()) != 1) {
            break;
        }
        char buffer[4096];
        ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) {
            break;
        }
        response.append(buffer, static_cast<size_t>(n));
    }
    ::close(fd);
    if (response.empty()) {
        return std::nullopt;
    }
    return response;
}

std::optional<std::string> httpGetWithin(const std::string& ip, int port, const std::string& path,
                                         std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (true) {
        auto response = httpGet(ip, port, path, std::chrono::milliseconds(1000));
        if (response || std::chrono::steady_clock::now() >= deadline) {
            return response;
        }
        // The server is starting: connection refused comes back at once, so pace the retries.
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

} // namespace pilot::agent::testing
