#pragma once

// Test support: Debian's docker-registry as a child process on 127.0.0.1 (a free port), with
// optional htpasswd (Basic) or token (Bearer) authentication; skopeo pushes; and a tiny token
// server issuing ES256 JWTs the registry verifies (no real token server ships with Debian).

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <sys/types.h>

namespace pilot::agent::testing {

/// Whether a program is on this machine (for GTEST_SKIP).
[[nodiscard]] bool haveProgram(const std::string& path);

/// Runs a program, waits, returns its exit code (-1 if it could not run); output captured.
int runProgram(const std::vector<std::string>& argv, std::string* output = nullptr);

/// A free TCP port on 127.0.0.1 (bound and released: a tiny race the caller accepts).
[[nodiscard]] int freePort();

class TokenServer;

class RegistryProcess {
public:
    enum class Auth { None, Basic, Token };

    RegistryProcess(Auth auth = Auth::None, std::string username = "puller",
                    std::string password = "s3cret");
    ~RegistryProcess();
    RegistryProcess(const RegistryProcess&) = delete;
    RegistryProcess& operator=(const RegistryProcess&) = delete;

    /// Serve HTTPS with a new self-signed certificate for 127.0.0.1 (call before start()).
    void enableTls() { m_tls = true; }
    /// The PEM certificate clients must trust when TLS is on.
    [[nodiscard]] std::string caFile() const { return (m_dir / "registry.crt").string(); }

    /// Starts the registry and returns once it logs that it listens; false with `error()`.
    [[nodiscard]] bool start(std::chrono::seconds limit = std::chrono::seconds(30));
    void stop();

    /// `127.0.0.1:PORT`.
    [[nodiscard]] const std::string& host() const { return m_host; }
    [[nodiscard]] const std::string& error() const { return m_error; }
    [[nodiscard]] const std::filesystem::path& dir() const { return m_dir; }
    /// Requests the token server answered (Token auth only).
    [[nodiscard]] int tokensIssued() const;

    /// skopeo copy of an OCI layout's tag to `repository:tag` on this registry (`--all` so
    /// indexes keep every platform). False with `error()` set on failure.
    [[nodiscard]] bool push(const std::string& layoutDir, const std::string& layoutTag,
                            const std::string& repositoryAndTag);

private:
    Auth m_auth;
    std::string m_username;
    std::string m_password;
    std::filesystem::path m_dir;
    std::string m_host;
    std::string m_error;
    pid_t m_pid = -1;
    bool m_tls = false;
    std::unique_ptr<TokenServer> m_tokens;
};

} // namespace pilot::agent::testing
