#include "tests/unit/agentimage/support/registryprocess.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <atomic>
#include <condition_variable>
#include <crypt.h>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <mutex>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace pilot::agent::testing {

namespace fs = std::filesystem;
namespace net = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using tcp = boost::asio::ip::tcp;

namespace {

std::string base64Url(const std::string& data) {
    std::string out((data.size() + 2) / 3 * 4 + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(data.data()),
                            static_cast<int>(data.size()));
    out.resize(static_cast<size_t>(n));
    while (!out.empty() && out.back() == '=') {
        out.pop_back();
    }
    for (char& c : out) {
        if (c == '+') {
            c = '-';
        } else if (c == '/') {
            c = '_';
        }
    }
    return out;
}

std::string base64Std(const std::string& data) {
    std::string out((data.size() + 2) / 3 * 4 + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(data.data()),
                            static_cast<int>(data.size()));
    out.resize(static_cast<size_t>(n));
    return out;
}

std::string urlDecode(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            out.push_back(
                static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
            i += 2;
        } else if (text[i] == '+') {
            out.push_back(' ');
        } else {
            out.push_back(text[i]);
        }
    }
    return out;
}

void writeFile(const fs::path& path, const std::string& data) {
    std::ofstream out(path, std::ios::binary);
    out << data;
}

} // namespace

bool haveProgram(const std::string& path) {
    return ::access(path.c_str(), X_OK) == 0;
}

int runProgram(const std::vector<std::string>& argv, std::string* output) {
    int pipeFds[2];
    if (::pipe2(pipeFds, O_CLOEXEC) != 0) {
        return -1;
    }
    pid_t pid = ::fork();
    if (pid < 0) {
        return -1;
    }
    if (pid == 0) {
        ::dup2(pipeFds[1], 1);
        ::dup2(pipeFds[1], 2);
        int devnull = ::open("/dev/null", O_RDONLY);
        ::dup2(devnull, 0);
        std::vector<char*> args;
        for (const auto& arg : argv) {
            args.push_back(const_cast<char*>(arg.c_str()));
        }
        args.push_back(nullptr);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    ::close(pipeFds[1]);
    std::string captured;
    char buffer[4096];
    ssize_t n = 0;
    while ((n = ::read(pipeFds[0], buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR)) {
        if (n > 0) {
            captured.append(buffer, static_cast<size_t>(n));
        }
    }
    ::close(pipeFds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (output != nullptr) {
        *output = captured;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int freePort() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(fd);
    return ntohs(address.sin_port);
}

/// Issues Docker registry tokens (ES256 JWTs with an x5c chain) to clients presenting the right
/// Basic credentials; anonymous or wrong credentials get 401.
class TokenServer {
public:
    TokenServer(fs::path dir, std::string username, std::string password)
        : m_dir(std::move(dir)), m_username(std::move(username)), m_password(std::move(password)),
          m_acceptor(m_io) {}

    ~TokenServer() {
        m_stopping = true;
        boost::system::error_code ignored;
        m_acceptor.close(ignored);
        // Wake a blocking accept.
        if (m_port != 0) {
            net::io_context io;
            tcp::socket socket(io);
            socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), m_port), ignored);
        }
        if (m_thread.joinable()) {
            m_thread.join();
        }
        EVP_PKEY_free(m_key);
    }

    bool start() {
        std::string key = (m_dir / "token.key").string();
        std::string cert = (m_dir / "token.crt").string();
        std::string output;
        int rc = runProgram({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                             "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                             "-subj", "/CN=pilot-test-token", "-days", "2"},
                            &output);
        if (rc != 0) {
            return false;
        }
        FILE* f = std::fopen(key.c_str(), "r");
        m_key = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
        std::fclose(f);
        f = std::fopen(cert.c_str(), "r");
        X509* x509 = PEM_read_X509(f, nullptr, nullptr, nullptr);
        std::fclose(f);
        unsigned char* der = nullptr;
        int length = i2d_X509(x509, &der);
        m_certDer = std::string(reinterpret_cast<char*>(der), static_cast<size_t>(length));
        OPENSSL_free(der);
        X509_free(x509);
        tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
        m_acceptor.open(endpoint.protocol());
        m_acceptor.bind(endpoint);
        m_acceptor.listen();
        m_port = m_acceptor.local_endpoint().port();
        m_thread = std::thread([this] { serve(); });
        return m_key != nullptr;
    }

    std::string realm() const { return "http://127.0.0.1:" + std::to_string(m_port) + "/token"; }
    std::string certPath() const { return (m_dir / "token.crt").string(); }
    int issued() const { return m_issued.load(); }

private:
    void serve() {
        while (!m_stopping) {
            tcp::socket socket(m_io);
            boost::system::error_code ec;
            m_acceptor.accept(socket, ec);
            if (ec || m_stopping) {
                return;
            }
            boost::beast::flat_buffer buffer;
            while (true) {
                http::request<http::string_body> request;
                http::read(socket, buffer, request, ec);
                if (ec) {
                    break;
                }
                http::response<http::string_body> response = answer(request);
                response.keep_alive(request.keep_alive());
                response.prepare_payload();
                http::write(socket, response, ec);
                if (ec || !request.keep_alive()) {
                    break;
                }
            }
        }
    }

    http::response<http::string_body> answer(const http::request<http::string_body>& request) {
        http::response<http::string_body> response;
        response.version(11);
        std::string expected = "Basic " + base64Std(m_username + ":" + m_password);
        if (request[http::field::authorization] != expected) {
            response.result(http::status::unauthorized);
            response.set(http::field::content_type, "application/json");
            response.body() = R"({"details":"invalid credentials"})";
            return response;
        }
        std::string target(request.target());
        std::string service;
        std::vector<std::string> scopes;
        if (size_t q = target.find('?'); q != std::string::npos) {
            std::string query = target.substr(q + 1);
            size_t start = 0;
            while (start <= query.size()) {
                size_t amp = query.find('&', start);
                std::string pair = query.substr(start, amp - start);
                size_t eq = pair.find('=');
                std::string name = pair.substr(0, eq);
                std::string value = eq == std::string::npos ? "" : urlDecode(pair.substr(eq + 1));
                if (name == "service") {
                    service = value;
                } else if (name == "scope") {
                    scopes.push_back(value);
                }
                if (amp == std::string::npos) {
                    break;
                }
                start = amp + 1;
            }
        }
        json::array access;
        for (const auto& scope : scopes) {
            // repository:NAME:ACTIONS
            size_t first = scope.find(':');
            size_t last = scope.rfind(':');
            if (first == std::string::npos || last == first) {
                continue;
            }
            json::array actions;
            std::string list = scope.substr(last + 1);
            size_t start = 0;
            while (start <= list.size()) {
                size_t comma = list.find(',', start);
                actions.emplace_back(list.substr(start, comma - start));
                if (comma == std::string::npos) {
                    break;
                }
                start = comma + 1;
            }
            access.push_back(json::object{{"type", scope.substr(0, first)},
                                          {"name", scope.substr(first + 1, last - first - 1)},
                                          {"actions", actions}});
        }
        auto now = static_cast<int64_t>(std::time(nullptr));
        json::object header{
            {"alg", "ES256"}, {"typ", "JWT"}, {"x5c", json::array{base64Std(m_certDer)}}};
        json::object claims{{"iss", "pilot-test-issuer"},
                            {"sub", m_username},
                            {"aud", service},
                            {"exp", now + 300},
                            {"nbf", now - 10},
                            {"iat", now},
                            {"jti", std::to_string(m_issued.load()) + "-" + std::to_string(now)},
                            {"access", access}};
        std::string signingInput =
            base64Url(json::serialize(header)) + "." + base64Url(json::serialize(claims));
        response.result(http::status::ok);
        response.set(http::field::content_type, "application/json");
        response.body() = json::serialize(json::object{
            {"token", signingInput + "." + base64Url(sign(signingInput))}, {"expires_in", 300}});
        ++m_issued;
        return response;
    }

    /// ES256: ECDSA P-256 over SHA-256, as raw r||s (JWS), not DER.
    std::string sign(const std::string& input) {
        EVP_MD_CTX* ctx = EVP_MD_CTX_new();
        EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, m_key);
        size_t length = 0;
        EVP_DigestSign(ctx, nullptr, &length, reinterpret_cast<const unsigned char*>(input.data()),
                       input.size());
        std::string der(length, '\0');
        EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(der.data()), &length,
                       reinterpret_cast<const unsigned char*>(input.data()), input.size());
        der.resize(length);
        EVP_MD_CTX_free(ctx);
        const auto* p = reinterpret_cast<const unsigned char*>(der.data());
        ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
        const BIGNUM* r = nullptr;
        const BIGNUM* s = nullptr;
        ECDSA_SIG_get0(sig, &r, &s);
        std::string raw(64, '\0');
        BN_bn2binpad(r, reinterpret_cast<unsigned char*>(raw.data()), 32);
        BN_bn2binpad(s, reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
        ECDSA_SIG_free(sig);
        return raw;
    }

    fs::path m_dir;
    std::string m_username;
    std::string m_password;
    net::io_context m_io;
    tcp::acceptor m_acceptor;
    std::thread m_thread;
    std::atomic<bool> m_stopping{false};
    std::atomic<int> m_issued{0};
    unsigned short m_port = 0;
    EVP_PKEY* m_key = nullptr;
    std::string m_certDer;
};

RegistryProcess::RegistryProcess(Auth auth, std::string username, std::string password)
    : m_auth(auth), m_username(std::move(username)), m_password(std::move(password)) {
    char pattern[] = "/tmp/pilot-registry-XXXXXX";
    m_dir = ::mkdtemp(pattern);
}

RegistryProcess::~RegistryProcess() {
    stop();
    m_tokens.reset();
    std::error_code ignored;
    fs::remove_all(m_dir, ignored);
}

int RegistryProcess::tokensIssued() const {
    return m_tokens ? m_tokens->issued() : 0;
}

bool RegistryProcess::start(std::chrono::seconds limit) {
    if (!haveProgram("/usr/bin/docker-registry")) {
        m_error = "docker-registry is not installed";
        return false;
    }
    int port = freePort();
    m_host = "127.0.0.1:" + std::to_string(port);
    std::string config = "version: 0.1\n"
                         "log:\n  level: info\n  accesslog:\n    disabled: true\n"
                         "storage:\n  filesystem:\n    rootdirectory: " +
                         (m_dir / "storage").string() +
                         "\n  delete:\n    enabled: true\n"
                         "http:\n  addr: " +
                         m_host + "\n";
    if (m_tls) {
        std::string output;
        int rc =
            runProgram({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                        (m_dir / "registry.key").string(), "-out", caFile(), "-subj",
                        "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-days", "2"},
                       &output);
        if (rc != 0) {
            m_error = "openssl req failed: " + output;
            return false;
        }
        config += "  tls:\n    certificate: " + caFile() +
                  "\n    key: " + (m_dir / "registry.key").string() + "\n";
    }
    if (m_auth == Auth::Basic) {
        char setting[CRYPT_GENSALT_OUTPUT_SIZE];
        crypt_gensalt_rn("$2b$", 4, nullptr, 0, setting, sizeof setting);
        crypt_data data{};
        const char* hash = crypt_r(m_password.c_str(), setting, &data);
        writeFile(m_dir / "htpasswd", m_username + ":" + hash + "\n");
        config += "auth:\n  htpasswd:\n    realm: pilot-test\n    path: " +
                  (m_dir / "htpasswd").string() + "\n";
    } else if (m_auth == Auth::Token) {
        m_tokens = std::make_unique<TokenServer>(m_dir, m_username, m_password);
        if (!m_tokens->start()) {
            m_error = "token server did not start";
            return false;
        }
        config += "auth:\n  token:\n    realm: " + m_tokens->realm() +
                  "\n    service: pilot-test-registry\n    issuer: pilot-test-issuer\n"
                  "    rootcertbundle: " +
                  m_tokens->certPath() + "\n";
    }
    writeFile(m_dir / "config.yml", config);
    int pipeFds[2];
    if (::pipe2(pipeFds, O_CLOEXEC) != 0) {
        m_error = "pipe failed";
        return false;
    }
    std::string configPath = (m_dir / "config.yml").string();
    m_pid = ::fork();
    if (m_pid == 0) {
        ::dup2(pipeFds[1], 2);
        int devnull = ::open("/dev/null", O_RDWR);
        ::dup2(devnull, 0);
        ::dup2(devnull, 1);
        ::execl("/usr/bin/docker-registry", "docker-registry", "serve", configPath.c_str(),
                static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(pipeFds[1]);
    // Read stderr until the "listening on" line, then keep draining it in the background so the
    // registry never blocks on a full pipe.
    std::string seen;
    auto deadline = std::chrono::steady_clock::now() + limit;
    bool ready = false;
    while (!ready) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            break;
        }
        pollfd pfd{pipeFds[0], POLLIN, 0};
        if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) {
            continue;
        }
        char buffer[4096];
        ssize_t n = ::read(pipeFds[0], buffer, sizeof buffer);
        if (n <= 0) {
            break;
        }
        seen.append(buffer, static_cast<size_t>(n));
        ready = seen.find("listening on") != std::string::npos;
    }
    if (!ready) {
        ::close(pipeFds[0]);
        m_error = "docker-registry did not start: " + seen;
        stop();
        return false;
    }
    int fd = pipeFds[0];
    std::thread([fd] {
        char buffer[4096];
        while (::read(fd, buffer, sizeof buffer) > 0) {
        }
        ::close(fd);
    }).detach();
    return true;
}

void RegistryProcess::stop() {
    if (m_pid > 0) {
        ::kill(m_pid, SIGTERM);
        int status = 0;
        ::waitpid(m_pid, &status, 0);
        m_pid = -1;
    }
}

bool RegistryProcess::push(const std::string& layoutDir, const std::string& layoutTag,
                           const std::string& repositoryAndTag) {
    std::vector<std::string> argv = {"/usr/bin/skopeo", "copy", "--all", "--quiet",
                                     "--dest-tls-verify=false"};
    if (m_auth != Auth::None) {
        argv.push_back("--dest-creds=" + m_username + ":" + m_password);
    }
    argv.push_back("oci:" + layoutDir + ":" + layoutTag);
    argv.push_back("docker://" + m_host + "/" + repositoryAndTag);
    std::string output;
    if (runProgram(argv, &output) != 0) {
        m_error = "skopeo copy failed: " + output;
        return false;
    }
    return true;
}

} // namespace pilot::agent::testing
