#include "bench/apibench/servers.h"

#include <fmt/format.h>

#include <filesystem>

namespace pilot::bench {

namespace {

constexpr auto StartTimeout = std::chrono::seconds(60);

/// The value of `key=` in a space-separated line.
std::string field(const std::string& line, std::string_view key) {
    auto start = line.find(fmt::format(" {}=", key));
    if (start == std::string::npos) {
        return {};
    }
    start += key.size() + 2;
    auto end = line.find(' ', start);
    return line.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

} // namespace

Result<Server> useEngine(const std::string& url, const std::string& pkiDir, pid_t pid) {
    auto endpoint = Endpoint::parse(url);
    if (!endpoint) {
        return std::unexpected(endpoint.error());
    }
    auto tls = makeClientTls(pkiDir + "/ca.crt", pkiDir + "/admin.crt", pkiDir + "/admin.key");
    if (!tls) {
        return std::unexpected(tls.error());
    }
    Server server;
    server.endpoint = std::move(*endpoint);
    server.tls = std::move(*tls);
    server.pid = pid;
    return server;
}

Result<Server> startEngine(const std::string& binary, const std::string& workDir) {
    std::string dataDir = workDir + "/engine";
    std::filesystem::create_directories(dataDir);
    auto process = ChildProcess::start({binary, "--data-dir", dataDir, "--listen", "127.0.0.1:0"},
                                       workDir + "/engine.log", ChildProcess::Watched::Stdout);
    if (!process) {
        return std::unexpected(process.error());
    }
    auto line = (*process)->waitForLine("ready api=", StartTimeout);
    if (!line) {
        return std::unexpected(line.error());
    }
    std::string api = field(" " + *line, "api");
    std::string kubeconfig = field(" " + *line, "kubeconfig");
    if (api.empty() || kubeconfig.empty()) {
        return fail(ErrorCode::Internal, fmt::format("unexpected ready line: {}", *line));
    }
    std::string pkiDir = std::filesystem::path(kubeconfig).parent_path().string() + "/pki";
    auto server = useEngine(api, pkiDir, (*process)->pid());
    if (!server) {
        return server;
    }
    server->process = std::move(*process);
    return server;
}

Result<Server> startEtcd(const std::string& binary, const std::string& workDir) {
    auto clientPort = freeLoopbackPort();
    auto peerPort = freeLoopbackPort();
    if (!clientPort || !peerPort) {
        return std::unexpected(clientPort ? peerPort.error() : clientPort.error());
    }
    std::string clientUrl = fmt::format("http://127.0.0.1:{}", *clientPort);
    std::string peerUrl = fmt::format("http://127.0.0.1:{}", *peerPort);
    auto process = ChildProcess::start(
        {binary, "--name", "bench", "--data-dir", workDir + "/etcd", "--listen-client-urls",
         clientUrl, "--advertise-client-urls", clientUrl, "--listen-peer-urls", peerUrl,
         "--initial-advertise-peer-urls", peerUrl, "--initial-cluster", "bench=" + peerUrl,
         "--logger", "zap", "--log-outputs", "stderr"},
        workDir + "/etcd.log", ChildProcess::Watched::Stderr);
    if (!process) {
        return std::unexpected(process.error());
    }
    if (auto line = (*process)->waitForLine("serving client traffic", StartTimeout); !line) {
        return std::unexpected(line.error());
    }
    Server server;
    server.endpoint = *Endpoint::parse(clientUrl);
    server.pid = (*process)->pid();
    server.process = std::move(*process);
    return server;
}

Result<Server> useEtcd(const std::string& url) {
    auto endpoint = Endpoint::parse(url);
    if (!endpoint) {
        return std::unexpected(endpoint.error());
    }
    Server server;
    server.endpoint = std::move(*endpoint);
    return server;
}

} // namespace pilot::bench
