#pragma once

#include "bench/apibench/childprocess.h"
#include "bench/apibench/httpclient.h"
#include "core/error.h"

#include <memory>
#include <string>

namespace pilot::bench {

/// A server under test: where it listens, how to trust it, and its process when we started it.
struct Server {
    Endpoint endpoint;
    std::unique_ptr<net::ssl::context> tls; ///< null for plain HTTP
    std::unique_ptr<ChildProcess> process;  ///< null when the server was started elsewhere
    pid_t pid = -1;                         ///< for memory and CPU figures; -1 if unknown
};

/// Starts `pilothouse-engine --data-dir WORK/engine --listen 127.0.0.1:0`, waits for its
/// `ready api=... kubeconfig=DIR/admin.kubeconfig` line and loads the admin client certificate
/// from DIR/pki.
[[nodiscard]] Result<Server> startEngine(const std::string& binary, const std::string& workDir);

/// Connects to an engine started elsewhere, with the admin certificate from `pkiDir`.
[[nodiscard]] Result<Server> useEngine(const std::string& url, const std::string& pkiDir,
                                       pid_t pid);

/// Starts a single-member etcd on two free loopback ports with its data under WORK/etcd and waits
/// until it logs that it serves client traffic (zap logger). Durable as shipped: default fsync
/// settings.
[[nodiscard]] Result<Server> startEtcd(const std::string& binary, const std::string& workDir);

/// Connects to an etcd started elsewhere (plain HTTP JSON gateway).
[[nodiscard]] Result<Server> useEtcd(const std::string& url);

} // namespace pilot::bench
