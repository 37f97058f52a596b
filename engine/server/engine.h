#pragma once

#include "core/error.h"

#include <memory>
#include <string>

namespace pilot::server {

struct EngineOptions {
    std::string dataDir;
    std::string listen = "127.0.0.1:6443";
    std::string registryListen; // empty: the API host, port 0
    std::string storeUrl;       // empty: sqlite://DATA/state.db
    /// Testing only (--test-cronjob-time-scale): CronJob schedules run this many times faster
    /// than the wall clock, so tests see `*/1` schedules fire every few seconds.
    double cronJobTimeScale = 1.0;
    /// false (--disable-controllers): serve the API only, without the controllers and the
    /// scheduler, which then run elsewhere (`pilothouse-engine --controllers-only`).
    bool controllers = true;
};

/// The whole control plane in one process: PKI and admin kubeconfig, the store, the watch cache,
/// the API server and the in-process controllers that Engine I needs (namespace lifecycle,
/// garbage collection). `start` returns once the API answers; `stop` drains and flushes.
class Engine {
public:
    explicit Engine(EngineOptions options);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    [[nodiscard]] Status start();
    void stop();

    /// `https://HOST:PORT` of the bound API listener (valid after start).
    [[nodiscard]] const std::string& apiUrl() const;
    [[nodiscard]] std::string kubeconfigPath() const;
    /// The architecture.md §2 ready line.
    [[nodiscard]] std::string readyLine() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// Parses `HOST:PORT` (`[::1]:0` for IPv6).
[[nodiscard]] Result<std::pair<std::string, uint16_t>> parseHostPort(const std::string& text);

} // namespace pilot::server
