#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <sys/types.h>

namespace pilot::testsupport {

/// A real pilothouse-engine child process on 127.0.0.1:0 with a temporary data directory.
/// start() returns once the engine printed its ready line (never a sleep); stop() sends
/// SIGTERM, waits, and removes the data directory.
class EngineProcess {
public:
    explicit EngineProcess(std::string binary, std::vector<std::string> extraArgs = {});
    ~EngineProcess();
    EngineProcess(const EngineProcess&) = delete;
    EngineProcess& operator=(const EngineProcess&) = delete;

    [[nodiscard]] bool start(std::chrono::seconds limit = std::chrono::seconds(60));
    void stop();

    [[nodiscard]] const std::string& kubeconfig() const { return m_kubeconfig; }
    [[nodiscard]] const std::string& apiUrl() const { return m_api; }
    /// `https://HOST:PORT` of the engine's OCI registry (the ready line's `registry=`).
    [[nodiscard]] const std::string& registryUrl() const { return m_registry; }
    [[nodiscard]] const std::filesystem::path& dataDir() const { return m_dir; }

private:
    [[nodiscard]] bool readReadyLine(std::chrono::seconds limit);
    static std::string field(const std::string& line, const std::string& prefix);

    std::string m_binary;
    std::vector<std::string> m_extraArgs;
    std::filesystem::path m_dir;
    pid_t m_pid = -1;
    int m_stdout = -1;
    std::string m_api;
    std::string m_registry;
    std::string m_kubeconfig;
};

} // namespace pilot::testsupport
