#include "nodeagent/probe/prober.h"

#include "kube/jsonutil.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace pilot::agent {
namespace json = boost::json;

namespace {

using Clock = std::chrono::steady_clock;

int remainingMs(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

std::string hostPort(const std::string& host, int port) {
    if (host.find(':') != std::string::npos) {
        return fmt::format("[{}]:{}", host, port);
    }
    return fmt::format("{}:{}", host, port);
}

/// Connects with a deadline; returns the socket or -1 with `error` in Go's wording.
int dial(const std::string& host, int port, Clock::time_point deadline, std::string& error) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* list = nullptr;
    std::string service = std::to_string(port);
    if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &list); rc != 0) {
        error = fmt::format("dial tcp: lookup {}: {}", host, ::gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    error = fmt::format("dial tcp {}: connect: connection refused", hostPort(host, port));
    for (addrinfo* a = list; a; a = a->ai_next) {
        fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
        if (fd < 0) {
            continue;
        }
        int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
        if (rc != 0 && errno == EINPROGRESS) {
            pollfd p{fd, POLLOUT, 0};
            int ready = ::poll(&p, 1, remainingMs(deadline));
            if (ready == 0) {
                error = fmt::format("dial tcp {}: i/o timeout", hostPort(host, port));
                ::close(fd);
                fd = -1;
                break;
            }
            int soError = 0;
            socklen_t len = sizeof soError;
            ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &len);
            rc = soError == 0 ? 0 : -1;
            errno = soError;
        }
        if (rc == 0) {
            break;
        }
        // Go spells syscall errors in lower case: "connect: connection refused".
        std::string reason = std::strerror(errno);
        std::transform(reason.begin(), reason.end(), reason.begin(), ::tolower);
        error = fmt::format("dial tcp {}: connect: {}", hostPort(host, port), reason);
        ::close(fd);
        fd = -1;
    }
    ::freeaddrinfo(list);
    return fd;
}

/// A blocking-with-deadline byte stream over a socket, optionally TLS.
class Connection {
public:
    Connection(int fd, Clock::time_point deadline) : m_fd(fd), m_deadline(deadline) {}
    ~Connection() {
        if (m_ssl) {
            SSL_free(m_ssl);
        }
        if (m_ctx) {
            SSL_CTX_free(m_ctx);
        }
        ::close(m_fd);
    }

    bool startTls(const std::string& host) {
        m_ctx = SSL_CTX_new(TLS_client_method());
        if (!m_ctx) {
            return false;
        }
        SSL_CTX_set_verify(m_ctx, SSL_VERIFY_NONE, nullptr); // kubelet: InsecureSkipVerify
        m_ssl = SSL_new(m_ctx);
        SSL_set_fd(m_ssl, m_fd);
        SSL_set_tlsext_host_name(m_ssl, host.c_str());
        while (true) {
            int rc = SSL_connect(m_ssl);
            if (rc == 1) {
                return true;
            }
            if (!waitFor(SSL_get_error(m_ssl, rc))) {
                return false;
            }
        }
    }

    bool writeAll(std::string_view data) {
        while (!data.empty()) {
            ssize_t n;
            if (m_ssl) {
                int rc = SSL_write(m_ssl, data.data(), static_cast<int>(data.size()));
                if (rc <= 0) {
                    if (!waitFor(SSL_get_error(m_ssl, rc))) {
                        return false;
                    }
                    continue;
                }
                n = rc;
            } else {
                n = ::send(m_fd, data.data(), data.size(), MSG_NOSIGNAL);
                if (n < 0 && errno == EAGAIN) {
                    if (!waitFd(POLLOUT)) {
                        return false;
                    }
                    continue;
                }
                if (n <= 0) {
                    return false;
                }
            }
            data.remove_prefix(static_cast<size_t>(n));
        }
        return true;
    }

    /// Reads until `out` holds `needle` or the peer closes; false on timeout or error.
    bool readUntil(std::string& out, std::string_view needle, size_t limit) {
        char buffer[4096];
        while (out.find(needle) == std::string::npos && out.size() < limit) {
            ssize_t n;
            if (m_ssl) {
                int rc = SSL_read(m_ssl, buffer, sizeof buffer);
                if (rc <= 0) {
                    int err = SSL_get_error(m_ssl, rc);
                    if (err == SSL_ERROR_ZERO_RETURN) {
                        return true;
                    }
                    if (!waitFor(err)) {
                        return false;
                    }
                    continue;
                }
                n = rc;
            } else {
                n = ::recv(m_fd, buffer, sizeof buffer, 0);
                if (n < 0 && errno == EAGAIN) {
                    if (!waitFd(POLLIN)) {
                        return false;
                    }
                    continue;
                }
                if (n <= 0) {
                    return n == 0;
                }
            }
            out.append(buffer, static_cast<size_t>(n));
        }
        return true;
    }

    bool timedOut() const { return Clock::now() >= m_deadline; }

private:
    bool waitFd(short events) {
        pollfd p{m_fd, events, 0};
        return ::poll(&p, 1, remainingMs(m_deadline)) > 0;
    }
    bool waitFor(int sslError) {
        if (sslError == SSL_ERROR_WANT_READ) {
            return waitFd(POLLIN);
        }
        if (sslError == SSL_ERROR_WANT_WRITE) {
            return waitFd(POLLOUT);
        }
        return false;
    }

    int m_fd;
    Clock::time_point m_deadline;
    SSL_CTX* m_ctx = nullptr;
    SSL* m_ssl = nullptr;
};

std::chrono::milliseconds probeTimeout(const json::object& probe) {
    int64_t seconds = kube::integerAt(probe, "timeoutSeconds").value_or(1);
    return std::chrono::seconds(seconds < 1 ? 1 : seconds);
}

HttpProbeTarget httpTarget(const json::object& httpGet, const HandlerContext& context) {
    HttpProbeTarget target;
    target.scheme = kube::stringAt(httpGet, "scheme");
    if (target.scheme.empty()) {
        target.scheme = "HTTP";
    }
    target.host = kube::stringAt(httpGet, "host");
    if (target.host.empty()) {
        target.host = context.podIp.empty() ? "127.0.0.1" : context.podIp;
    }
    target.port = resolvePort(httpGet.if_contains("port"), context.container);
    target.path = kube::stringAt(httpGet, "path");
    if (target.path.empty() || target.path.front() != '/') {
        target.path = "/" + target.path;
    }
    if (const json::array* headers = kube::arrayAt(httpGet, "httpHeaders")) {
        for (const json::value& h : *headers) {
            if (h.is_object()) {
                target.headers.emplace_back(kube::stringAt(h.as_object(), "name"),
                                            kube::stringAt(h.as_object(), "value"));
            }
        }
    }
    return target;
}

std::string joinCommand(const std::vector<std::string>& command) {
    std::string out;
    for (const auto& part : command) {
        out += (out.empty() ? "" : " ") + part;
    }
    return out;
}

} // namespace

int resolvePort(const json::value* port, const json::object* container) {
    if (!port) {
        return 0;
    }
    if (auto number = kube::asInteger(*port)) {
        return static_cast<int>(*number);
    }
    if (!port->is_string()) {
        return 0;
    }
    std::string name(port->as_string());
    if (!name.empty() && std::all_of(name.begin(), name.end(), ::isdigit)) {
        return std::stoi(name);
    }
    if (const json::array* ports = container ? kube::arrayAt(*container, "ports") : nullptr) {
        for (const json::value& p : *ports) {
            if (p.is_object() && kube::stringAt(p.as_object(), "name") == name) {
                return static_cast<int>(
                    kube::integerAt(p.as_object(), "containerPort").value_or(0));
            }
        }
    }
    return 0;
}

ProbeOutcome probeTcp(const std::string& host, int port, std::chrono::milliseconds timeout) {
    std::string error;
    int fd = dial(host, port, Clock::now() + timeout, error);
    if (fd < 0) {
        return {ProbeResult::Failure, error};
    }
    ::close(fd);
    return {ProbeResult::Success, ""};
}

ProbeOutcome probeGrpc(const std::string& host, int port, const std::string& service,
                       std::chrono::milliseconds timeout) {
    std::string address = hostPort(host, port);
    std::string error;
    int fd = dial(host, port, Clock::now() + timeout, error);
    if (fd < 0) {
        // kubelet's gRPC prober words connection failures like this (a timeout, or the cause).
        if (error.ends_with("i/o timeout")) {
            return {ProbeResult::Failure,
                    fmt::format("timeout: failed to connect service {:?} within {}s: {}", address,
                                std::chrono::ceil<std::chrono::seconds>(timeout).count(), error)};
        }
        return {ProbeResult::Failure,
                fmt::format("error: failed to connect service at {:?}: {}", address, error)};
    }
    ::close(fd);
    return {ProbeResult::Warning,
            fmt::format("gRPC probes are not supported by this agent: {} accepts connections, but "
                        "grpc.health.v1.Health/Check{} was not called; the probe counts as "
                        "successful",
                        address, service.empty() ? "" : fmt::format(" (service {:?})", service))};
}

ProbeOutcome probeHttp(const HttpProbeTarget& target, std::chrono::milliseconds timeout) {
    std::string scheme = target.scheme == "HTTPS" ? "https" : "http";
    std::string url =
        fmt::format("{}://{}{}", scheme, hostPort(target.host, target.port), target.path);
    auto deadline = Clock::now() + timeout;
    std::string error;
    int fd = dial(target.host, target.port, deadline, error);
    if (fd < 0) {
        return {ProbeResult::Failure, fmt::format("Get {:?}: {}", url, error)};
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    Connection connection(fd, deadline);
    auto timedOut = [&] {
        return ProbeOutcome{ProbeResult::Failure,
                            fmt::format("Get {:?}: context deadline exceeded (Client.Timeout "
                                        "exceeded while awaiting headers)",
                                        url)};
    };
    if (scheme == "https" && !connection.startTls(target.host)) {
        return connection.timedOut()
                   ? timedOut()
                   : ProbeOutcome{ProbeResult::Failure,
                                  fmt::format("Get {:?}: tls handshake failed", url)};
    }
    std::string host = hostPort(target.host, target.port);
    bool userAgent = false, accept = false;
    std::string extra;
    for (const auto& [name, value] : target.headers) {
        std::string lower = name;
        std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
        if (lower == "host") {
            host = value;
            continue;
        }
        userAgent = userAgent || lower == "user-agent";
        accept = accept || lower == "accept";
        extra += name + ": " + value + "\r\n";
    }
    std::string request = fmt::format("GET {} HTTP/1.1\r\nHost: {}\r\n", target.path, host);
    if (!userAgent) {
        request += "User-Agent: kube-probe/1.32\r\n";
    }
    if (!accept) {
        request += "Accept: */*\r\n";
    }
    request += extra + "Connection: close\r\n\r\n";
    if (!connection.writeAll(request)) {
        return connection.timedOut()
                   ? timedOut()
                   : ProbeOutcome{ProbeResult::Failure, fmt::format("Get {:?}: write failed", url)};
    }
    std::string response;
    if (!connection.readUntil(response, "\r\n", 8192) ||
        response.find("\r\n") == std::string::npos) {
        return connection.timedOut()
                   ? timedOut()
                   : ProbeOutcome{ProbeResult::Failure, fmt::format("Get {:?}: EOF", url)};
    }
    // "HTTP/1.1 200 OK"
    int status = 0;
    size_t space = response.find(' ');
    if (space != std::string::npos) {
        status = std::atoi(response.c_str() + space + 1);
    }
    if (status >= 200 && status < 400) {
        return {ProbeResult::Success, ""};
    }
    return {ProbeResult::Failure, fmt::format("HTTP probe failed with statuscode: {}", status)};
}

ProbeOutcome runProbe(const json::object& probe, const HandlerContext& context) {
    auto timeout = probeTimeout(probe);
    if (const json::object* exec = kube::objectAt(probe, "exec")) {
        std::vector<std::string> command = kube::stringsAt(*exec, "command");
        if (!context.runtime) {
            return {ProbeResult::Unknown, "no runtime"};
        }
        auto result = context.runtime->execSync(context.containerId, command, timeout);
        if (!result) {
            return {ProbeResult::Unknown, result.error().message};
        }
        if (result->timedOut) {
            return {ProbeResult::Failure,
                    fmt::format("command {:?} timed out", joinCommand(command))};
        }
        if (result->exitCode == 0) {
            return {ProbeResult::Success, ""};
        }
        return {ProbeResult::Failure, result->output};
    }
    if (const json::object* httpGet = kube::objectAt(probe, "httpGet")) {
        return probeHttp(httpTarget(*httpGet, context), timeout);
    }
    if (const json::object* tcp = kube::objectAt(probe, "tcpSocket")) {
        std::string host = kube::stringAt(*tcp, "host");
        if (host.empty()) {
            host = context.podIp.empty() ? "127.0.0.1" : context.podIp;
        }
        return probeTcp(host, resolvePort(tcp->if_contains("port"), context.container), timeout);
    }
    if (const json::object* grpc = kube::objectAt(probe, "grpc")) {
        // kubelet probes the pod IP only (no host field), the port is a number.
        std::string host = context.podIp.empty() ? "127.0.0.1" : context.podIp;
        auto port = kube::integerAt(*grpc, "port").value_or(0);
        return probeGrpc(host, static_cast<int>(port), kube::stringAt(*grpc, "service"), timeout);
    }
    return {ProbeResult::Unknown, "missing probe handler"};
}

Status runHandler(const json::object& handler, const HandlerContext& context,
                  std::chrono::milliseconds limit) {
    if (const json::object* exec = kube::objectAt(handler, "exec")) {
        std::vector<std::string> command = kube::stringsAt(*exec, "command");
        if (!context.runtime) {
            return fail(ErrorCode::Internal, "no runtime");
        }
        auto result = context.runtime->execSync(context.containerId, command, limit);
        if (!result) {
            return std::unexpected(result.error());
        }
        if (result->exitCode != 0 || result->timedOut) {
            return fail(ErrorCode::Internal,
                        fmt::format("command {:?} exited with {}: {}", joinCommand(command),
                                    result->exitCode, result->output));
        }
        return {};
    }
    if (const json::object* httpGet = kube::objectAt(handler, "httpGet")) {
        auto timeout = std::min<std::chrono::milliseconds>(limit, std::chrono::seconds(30));
        ProbeOutcome outcome = probeHttp(httpTarget(*httpGet, context), timeout);
        if (outcome.result != ProbeResult::Success) {
            return fail(ErrorCode::Internal, outcome.message);
        }
        return {};
    }
    if (const json::object* tcp = kube::objectAt(handler, "tcpSocket")) {
        std::string host = kube::stringAt(*tcp, "host");
        ProbeOutcome outcome = probeTcp(host.empty() ? context.podIp : host,
                                        resolvePort(tcp->if_contains("port"), context.container),
                                        std::chrono::seconds(1));
        if (outcome.result != ProbeResult::Success) {
            return fail(ErrorCode::Internal, outcome.message);
        }
        return {};
    }
    if (const json::object* sleep = kube::objectAt(handler, "sleep")) {
        auto seconds = std::chrono::seconds(kube::integerAt(*sleep, "seconds").value_or(0));
        std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(seconds, limit));
        return {};
    }
    return fail(ErrorCode::InvalidArgument, "handler has no action");
}

} // namespace pilot::agent
