// Probes against real local servers, and the probe workers' thresholds.
#include "nodeagent/probe/probemanager.h"
#include "nodeagent/probe/prober.h"
#include "nodeagent/runtime/executor.h"
#include "tests/unit/agent/nullruntime.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace pilot;
using namespace pilot::agent;
namespace json = boost::json;

namespace {

/// Container c1 of pod "u" at 127.0.0.1, started now, with `containerJson` as its spec (the
/// probes under test).
ProbeTarget localTarget(const std::string& containerJson) {
    ProbeTarget target;
    target.container = json::parse(containerJson).as_object();
    target.podUid = "u";
    target.containerName = std::string(target.container.at("name").as_string());
    target.containerId = "c1";
    target.podIp = "127.0.0.1";
    target.startedAt = std::chrono::system_clock::now();
    return target;
}

/// A tiny HTTP server on 127.0.0.1:0 answering every request with `status`.
class TestHttpServer {
public:
    TestHttpServer() {
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        ::listen(m_fd, 16);
        socklen_t len = sizeof addr;
        ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&addr), &len);
        m_port = ntohs(addr.sin_port);
        m_thread = std::thread([this] { serve(); });
    }
    ~TestHttpServer() {
        m_stop = true;
        ::shutdown(m_fd, SHUT_RDWR);
        m_thread.join();
        ::close(m_fd);
    }
    int port() const { return m_port; }
    void setStatus(int status) { m_status = status; }
    std::string lastRequest() {
        std::lock_guard lock(m_mutex);
        return m_lastRequest;
    }

private:
    void serve() {
        while (!m_stop) {
            pollfd p{m_fd, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) {
                continue;
            }
            int client = ::accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0) {
                continue;
            }
            char buffer[4096];
            std::string request;
            while (request.find("\r\n\r\n") == std::string::npos) {
                ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
                if (n <= 0) {
                    break;
                }
                request.append(buffer, static_cast<size_t>(n));
            }
            {
                std::lock_guard lock(m_mutex);
                m_lastRequest = request;
            }
            std::string response = "HTTP/1.1 " + std::to_string(m_status.load()) +
                                   " X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
            ::send(client, response.data(), response.size(), MSG_NOSIGNAL);
            ::close(client);
        }
    }

    int m_fd = -1;
    int m_port = 0;
    std::atomic<int> m_status{200};
    std::atomic<bool> m_stop{false};
    std::mutex m_mutex;
    std::string m_lastRequest;
    std::thread m_thread;
};

int closedPort() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

/// Only execSync matters to probes.
class ExecRuntime final : public test::NullRuntime {
public:
    std::atomic<int> exitCode{0};
    Result<ExecResult> execSync(const std::string&, const std::vector<std::string>& command,
                                std::chrono::milliseconds) override {
        ExecResult r;
        r.exitCode = exitCode;
        r.output = "ran " + command.front();
        return r;
    }
};

} // namespace

TEST(Prober, HttpProbeSucceedsOn2xxAnd3xxAndNamesTheStatusOtherwise) {
    TestHttpServer server;
    HttpProbeTarget target;
    target.host = "127.0.0.1";
    target.port = server.port();
    target.path = "/healthz";
    target.headers = {{"X-Custom", "yes"}};
    EXPECT_EQ(probeHttp(target, std::chrono::seconds(2)).result, ProbeResult::Success);
    EXPECT_NE(server.lastRequest().find("GET /healthz HTTP/1.1"), std::string::npos);
    EXPECT_NE(server.lastRequest().find("User-Agent: kube-probe/1.32"), std::string::npos);
    EXPECT_NE(server.lastRequest().find("X-Custom: yes"), std::string::npos);
    server.setStatus(302);
    EXPECT_EQ(probeHttp(target, std::chrono::seconds(2)).result, ProbeResult::Success);
    server.setStatus(503);
    ProbeOutcome failed = probeHttp(target, std::chrono::seconds(2));
    EXPECT_EQ(failed.result, ProbeResult::Failure);
    EXPECT_EQ(failed.message, "HTTP probe failed with statuscode: 503");
}

TEST(Prober, ConnectionFailuresUseGosWording) {
    int port = closedPort();
    ProbeOutcome tcp = probeTcp("127.0.0.1", port, std::chrono::seconds(1));
    EXPECT_EQ(tcp.result, ProbeResult::Failure);
    EXPECT_EQ(tcp.message,
              "dial tcp 127.0.0.1:" + std::to_string(port) + ": connect: connection refused");
    HttpProbeTarget target;
    target.host = "127.0.0.1";
    target.port = port;
    target.path = "/x";
    ProbeOutcome http = probeHttp(target, std::chrono::seconds(1));
    EXPECT_EQ(http.message, "Get \"http://127.0.0.1:" + std::to_string(port) +
                                "/x\": dial tcp 127.0.0.1:" + std::to_string(port) +
                                ": connect: connection refused");
    TestHttpServer server;
    EXPECT_EQ(probeTcp("127.0.0.1", server.port(), std::chrono::seconds(1)).result,
              ProbeResult::Success);
}

TEST(Prober, ProbesResolveNamedPortsAndRunExecInTheContainer) {
    TestHttpServer server;
    ExecRuntime runtime;
    json::object container =
        json::parse(R"({"name":"web","ports":[{"name":"http","containerPort":)" +
                    std::to_string(server.port()) + "}]}")
            .as_object();
    HandlerContext context{&runtime, "cid", "127.0.0.1", &container};
    json::object http =
        json::parse(R"({"httpGet":{"path":"/","port":"http"},"timeoutSeconds":2})").as_object();
    EXPECT_EQ(runProbe(http, context).result, ProbeResult::Success);
    json::object exec = json::parse(R"({"exec":{"command":["check"]}})").as_object();
    EXPECT_EQ(runProbe(exec, context).result, ProbeResult::Success);
    runtime.exitCode = 1;
    ProbeOutcome failed = runProbe(exec, context);
    EXPECT_EQ(failed.result, ProbeResult::Failure);
    EXPECT_EQ(failed.message, "ran check");
    EXPECT_TRUE(runHandler(json::parse(R"({"sleep":{"seconds":0}})").as_object(), context,
                           std::chrono::seconds(1)));
    EXPECT_FALSE(runHandler(exec, context, std::chrono::seconds(1)));
}

TEST(ProbeManager, ReadinessNeedsASuccessAndLivenessRestartsAfterTheThreshold) {
    TestHttpServer server;
    ExecRuntime runtime;
    WorkerPool pool(4);
    std::mutex mutex;
    std::condition_variable cv;
    int changes = 0;
    std::vector<ProbeEvent> events;
    ProbeManager probes(
        runtime, pool,
        [&](const std::string&) {
            std::lock_guard lock(mutex);
            ++changes;
            cv.notify_all();
        },
        [&](const ProbeEvent& e) {
            std::lock_guard lock(mutex);
            events.push_back(e);
        });
    ProbeTarget target = localTarget(
        R"({"name":"web","readinessProbe":{"httpGet":{"path":"/","port":)" +
        std::to_string(server.port()) +
        R"(},"periodSeconds":1},"livenessProbe":{"exec":{"command":["alive"]},"periodSeconds":1,"failureThreshold":2}})");
    EXPECT_TRUE(probes.isStarted("u", "web"));
    probes.addContainer(target);
    {
        std::unique_lock lock(mutex);
        ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10),
                                [&] { return probes.isReady("u", "web"); }));
    }
    EXPECT_FALSE(probes.restartReason("u", "web", "c1"));
    runtime.exitCode = 1; // Liveness starts failing: after 2 failures the container must restart.
    {
        std::unique_lock lock(mutex);
        ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] {
            return probes.restartReason("u", "web", "c1").has_value();
        }));
    }
    EXPECT_EQ(*probes.restartReason("u", "web", "c1"), "liveness");
    {
        std::lock_guard lock(mutex);
        ASSERT_FALSE(events.empty());
        EXPECT_EQ(events.back().kind, ProbeKind::Liveness);
        EXPECT_EQ(events.back().message, "ran alive");
    }
    // A new container replaces the failed one: probing starts over.
    runtime.exitCode = 0;
    target.containerId = "c2";
    probes.addContainer(target);
    EXPECT_FALSE(probes.restartReason("u", "web", "c2"));
    probes.stop();
    pool.stop();
}

TEST(ProbeManager, StartupProbeGatesTheOthers) {
    ExecRuntime runtime;
    runtime.exitCode = 1;
    WorkerPool pool(4);
    std::mutex mutex;
    std::condition_variable cv;
    ProbeManager probes(
        runtime, pool,
        [&](const std::string&) {
            std::lock_guard lock(mutex);
            cv.notify_all();
        },
        nullptr);
    ProbeTarget target = localTarget(R"({"name":"app",
        "startupProbe":{"exec":{"command":["started"]},"periodSeconds":1,"failureThreshold":30},
        "readinessProbe":{"exec":{"command":["ready"]},"periodSeconds":1}})");
    probes.addContainer(target);
    EXPECT_FALSE(probes.isStarted("u", "app"));
    runtime.exitCode = 0;
    std::unique_lock lock(mutex);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] {
        return probes.isStarted("u", "app") && probes.isReady("u", "app");
    }));
    lock.unlock();
    probes.stop();
    pool.stop();
}

TEST(Prober, GrpcProbesFailOnAClosedPortAndWarnOnAnOpenOne) {
    // No gRPC client here: what a TCP connection can tell, worded as kubelet's gRPC prober.
    int port = closedPort();
    HandlerContext context{nullptr, "cid", "127.0.0.1", nullptr};
    json::object closed =
        json::parse(R"({"grpc":{"port":)" + std::to_string(port) + "}}").as_object();
    ProbeOutcome refused = runProbe(closed, context);
    EXPECT_EQ(refused.result, ProbeResult::Failure);
    std::string address = "127.0.0.1:" + std::to_string(port);
    EXPECT_EQ(refused.message, "error: failed to connect service at \"" + address +
                                   "\": dial tcp " + address + ": connect: connection refused");

    TestHttpServer server;
    json::object open = json::parse(R"({"grpc":{"port":)" + std::to_string(server.port()) +
                                    R"(,"service":"billing"}})")
                            .as_object();
    ProbeOutcome warned = runProbe(open, context);
    EXPECT_EQ(warned.result, ProbeResult::Warning);
    EXPECT_EQ(warned.message, "gRPC probes are not supported by this agent: 127.0.0.1:" +
                                  std::to_string(server.port()) +
                                  " accepts connections, but grpc.health.v1.Health/Check (service "
                                  "\"billing\") was not called; the probe counts as successful");
}

TEST(ProbeManager, GrpcProbesOnAnOpenPortCountAsSuccessAndReportTheirWarning) {
    TestHttpServer server;
    ExecRuntime runtime;
    WorkerPool pool(4);
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<ProbeEvent> events;
    ProbeManager probes(
        runtime, pool,
        [&](const std::string&) {
            std::lock_guard lock(mutex);
            cv.notify_all();
        },
        [&](const ProbeEvent& e) {
            std::lock_guard lock(mutex);
            events.push_back(e);
            cv.notify_all();
        });
    std::string grpc = R"({"grpc":{"port":)" + std::to_string(server.port()) +
                       R"(},"periodSeconds":1,"failureThreshold":1})";
    ProbeTarget target =
        localTarget(R"({"name":"api","startupProbe":)" + grpc + R"(,"readinessProbe":)" + grpc +
                    R"(,"livenessProbe":)" + grpc + "}");
    probes.addContainer(target);
    {
        std::unique_lock lock(mutex);
        ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] {
            return probes.isStarted("u", "api") && probes.isReady("u", "api") && events.size() >= 3;
        }));
        for (const ProbeEvent& e : events) {
            EXPECT_EQ(e.result, ProbeResult::Warning);
            EXPECT_NE(e.message.find("gRPC probes are not supported by this agent"),
                      std::string::npos);
        }
    }
    EXPECT_FALSE(probes.restartReason("u", "api", "c1"));

    // The port closes: a liveness failure kubelet's gRPC probe would see too.
    ProbeTarget closed = target;
    closed.containerId = "c2";
    closed.container =
        json::parse(R"({"name":"api","livenessProbe":{"grpc":{"port":)" +
                    std::to_string(closedPort()) + R"(},"periodSeconds":1,"failureThreshold":1}})")
            .as_object();
    probes.addContainer(closed);
    {
        std::unique_lock lock(mutex);
        ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] {
            return probes.restartReason("u", "api", "c2").has_value();
        }));
        ASSERT_FALSE(events.empty());
        EXPECT_EQ(events.back().result, ProbeResult::Failure);
        EXPECT_TRUE(events.back().message.starts_with("error: failed to connect service at"));
    }
    probes.stop();
    pool.stop();
}
