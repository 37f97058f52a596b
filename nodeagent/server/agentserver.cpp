#include "nodeagent/server/agentserver.h"

#include "core/log.h"
#include "core/threadname.h"
#include "engine/auth/certificate.h"
#include "engine/auth/tlscontext.h"
#include "nodeagent/logs/logreader.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>

#include <charconv>
#include <deque>
#include <thread>

namespace pilot::agent {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = net::ssl;
namespace json = boost::json;
using tcp = net::ip::tcp;
using SslStream = beast::ssl_stream<beast::tcp_stream>;

namespace {

constexpr const char* Component = "agent-server";
constexpr auto HandshakeTimeout = std::chrono::seconds(15);
constexpr auto IdleTimeout = std::chrono::seconds(120);
constexpr auto LogPollInterval = std::chrono::milliseconds(200);

std::string urlDecode(std::string_view in) {
    std::string out;
    for (size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '+') {
            out.push_back(' ');
        } else if (in[i] == '%' && i + 2 < in.size()) {
            int value = 0;
            std::from_chars(in.data() + i + 1, in.data() + i + 3, value, 16);
            out.push_back(static_cast<char>(value));
            i += 2;
        } else {
            out.push_back(in[i]);
        }
    }
    return out;
}

/// The decoded path segments and query of a request target.
struct Target {
    std::vector<std::string> segments;
    std::string path;
    std::string query;
    std::vector<std::pair<std::string, std::string>> params;

    [[nodiscard]] std::vector<std::string> all(std::string_view key) const {
        std::vector<std::string> out;
        for (const auto& [k, v] : params) {
            if (k == key) {
                out.push_back(v);
            }
        }
        return out;
    }
    [[nodiscard]] bool flag(std::string_view key) const {
        for (const auto& [k, v] : params) {
            if (k == key) {
                return v.empty() || v == "1" || v == "true" || v == "True" || v == "TRUE" ||
                       v == "t" || v == "T";
            }
        }
        return false;
    }
};

Target parseTarget(std::string_view target) {
    Target out;
    size_t q = target.find('?');
    out.path = std::string(target.substr(0, q));
    out.query = q == std::string_view::npos ? "" : std::string(target.substr(q + 1));
    std::string_view path = out.path;
    while (!path.empty()) {
        size_t start = path.find_first_not_of('/');
        if (start == std::string_view::npos) {
            break;
        }
        path.remove_prefix(start);
        size_t end = path.find('/');
        out.segments.push_back(urlDecode(path.substr(0, end)));
        path = end == std::string_view::npos ? std::string_view() : path.substr(end);
    }
    std::string_view query = out.query;
    while (!query.empty()) {
        size_t amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty()) {
            continue;
        }
        size_t eq = pair.find('=');
        out.params.emplace_back(urlDecode(pair.substr(0, eq)),
                                eq == std::string_view::npos ? "" : urlDecode(pair.substr(eq + 1)));
    }
    return out;
}

enum class Caller { Anonymous, Authorized, Forbidden };

struct Identity {
    Caller caller = Caller::Anonymous;
    std::string user;
};

Identity identify(SSL* ssl) {
    Identity id;
    X509* peer = SSL_get0_peer_certificate(ssl);
    if (!peer || SSL_get_verify_result(ssl) != X509_V_OK) {
        return id;
    }
    const X509_NAME* subject = X509_get_subject_name(peer);
    auto names = auth::nameEntries(subject, NID_commonName);
    auto orgs = auth::nameEntries(subject, NID_organizationName);
    id.user = names.empty() ? "" : names.front();
    id.caller = isAuthorizedClient(id.user, orgs) ? Caller::Authorized : Caller::Forbidden;
    return id;
}

http::response<http::string_body>
textResponse(const http::request<http::string_body>& request, http::status status, std::string body,
             std::string_view contentType = "text/plain; charset=utf-8") {
    http::response<http::string_body> response{status, request.version()};
    response.set(http::field::content_type, contentType);
    response.keep_alive(request.keep_alive());
    response.body() = std::move(body);
    response.prepare_payload();
    return response;
}

} // namespace

bool isAuthorizedClient(const std::string& commonName,
                        const std::vector<std::string>& organizations) {
    if (commonName == "kube-apiserver-kubelet-client") {
        return true;
    }
    return std::find(organizations.begin(), organizations.end(), "system:masters") !=
           organizations.end();
}

struct AgentServer::Impl {
    AgentServerOptions options;
    ServerBackend& backend;
    net::io_context io{1};
    ssl::context tls{ssl::context::tls_server};
    tcp::acceptor acceptor{io};
    std::thread thread;
    bool started = false;

    Impl(AgentServerOptions o, ServerBackend& b) : options(std::move(o)), backend(b) {}
    void accept();
};

namespace {

// --- Log streaming (`follow=true`): chunked, polling the file. ---------------------------------

class LogStream : public std::enable_shared_from_this<LogStream> {
public:
    LogStream(std::shared_ptr<SslStream> stream, ServerBackend& backend, ServedContainer container,
              LogOptions options, unsigned version)
        : m_stream(std::move(stream)), m_backend(backend), m_container(std::move(container)),
          m_reader(m_container.logPath, options), m_timer(m_stream->get_executor()),
          m_version(version) {}

    void start() {
        m_response.version(m_version);
        m_response.result(http::status::ok);
        m_response.set(http::field::content_type, "text/plain; charset=utf-8");
        m_response.set(http::field::transfer_encoding, "chunked");
        m_response.keep_alive(false);
        m_serializer.emplace(m_response);
        http::async_write_header(*m_stream, *m_serializer,
                                 [self = shared_from_this()](beast::error_code ec, size_t) {
                                     if (ec) {
                                         return self->finish();
                                     }
                                     self->poll();
                                 });
    }

private:
    void poll() {
        auto chunk = m_reader.read();
        std::string data = chunk ? std::move(*chunk) : std::string();
        if (!data.empty()) {
            m_chunk = std::move(data);
            beast::get_lowest_layer(*m_stream).expires_after(IdleTimeout);
            net::async_write(*m_stream, http::make_chunk(net::buffer(m_chunk)),
                             [self = shared_from_this()](beast::error_code ec, size_t) {
                                 if (ec) {
                                     return self->finish();
                                 }
                                 self->poll();
                             });
            return;
        }
        if (m_reader.exhausted() || !m_backend.isRunning(m_container.containerId)) {
            // One more read after the container stopped catches its last words.
            if (!m_lastRead && !m_reader.exhausted()) {
                m_lastRead = true;
                return poll();
            }
            return end();
        }
        m_timer.expires_after(LogPollInterval);
        m_timer.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (!ec) {
                self->poll();
            }
        });
    }

    void end() {
        net::async_write(
            *m_stream, http::make_chunk_last(),
            [self = shared_from_this()](beast::error_code, size_t) { self->finish(); });
    }

    void finish() {
        beast::get_lowest_layer(*m_stream).expires_after(std::chrono::seconds(5));
        m_stream->async_shutdown([self = shared_from_this()](beast::error_code) {
            beast::error_code ignored;
            beast::get_lowest_layer(*self->m_stream).socket().close(ignored);
        });
    }

    std::shared_ptr<SslStream> m_stream;
    ServerBackend& m_backend;
    ServedContainer m_container;
    LogReader m_reader;
    net::steady_timer m_timer;
    unsigned m_version;
    bool m_lastRead = false;
    std::string m_chunk;
    http::response<http::empty_body> m_response;
    std::optional<http::response_serializer<http::empty_body>> m_serializer;
};

// --- Exec over WebSocket (v4/v5.channel.k8s.io). -----------------------------------------------

constexpr uint8_t StdinChannel = 0;
constexpr uint8_t StdoutChannel = 1;
constexpr uint8_t StderrChannel = 2;
constexpr uint8_t ErrorChannel = 3;
constexpr uint8_t ResizeChannel = 4;
constexpr uint8_t CloseChannel = 255;

std::string chooseProtocol(std::string_view offered) {
    for (const char* wanted : {"v5.channel.k8s.io", "v4.channel.k8s.io", "v3.channel.k8s.io",
                               "v2.channel.k8s.io", "channel.k8s.io"}) {
        size_t start = 0;
        while (start < offered.size()) {
            size_t end = offered.find(',', start);
            std::string_view item = offered.substr(start, end - start);
            while (!item.empty() && item.front() == ' ') {
                item.remove_prefix(1);
            }
            while (!item.empty() && item.back() == ' ') {
                item.remove_suffix(1);
            }
            if (item == wanted) {
                return wanted;
            }
            if (end == std::string_view::npos) {
                break;
            }
            start = end + 1;
        }
    }
    return {};
}

class ExecSocket : public std::enable_shared_from_this<ExecSocket> {
public:
    ExecSocket(std::shared_ptr<SslStream> stream, beast::flat_buffer buffer, ServerBackend& backend,
               std::string containerId, ExecOptions options, std::string protocol)
        : m_ws(std::move(*stream)), m_buffer(std::move(buffer)), m_backend(backend),
          m_containerId(std::move(containerId)), m_options(std::move(options)),
          m_protocol(std::move(protocol)) {}

    void start(http::request<http::string_body> request) {
        m_ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        m_ws.set_option(
            websocket::stream_base::decorator([protocol = m_protocol](websocket::response_type& r) {
                r.set(http::field::sec_websocket_protocol, protocol);
            }));
        m_ws.binary(true);
        m_ws.async_accept(request, [self = shared_from_this()](beast::error_code ec) {
            if (ec) {
                return;
            }
            self->run();
        });
    }

private:
    void run() {
        std::weak_ptr<ExecSocket> weak = weak_from_this();
        auto executor = m_ws.get_executor();
        ExecOptions options = m_options;
        bool tty = options.tty;
        options.output = [weak, executor, tty](StreamKind kind, std::string_view data) {
            std::string frame(1,
                              static_cast<char>(kind == StreamKind::Stdout || tty ? StdoutChannel
                                                                                  : StderrChannel));
            frame.append(data);
            net::post(executor, [weak, frame = std::move(frame)]() mutable {
                if (auto self = weak.lock()) {
                    self->send(std::move(frame));
                }
            });
        };
        options.onExit = [weak, executor](int code) {
            net::post(executor, [weak, code] {
                if (auto self = weak.lock()) {
                    self->exited(code);
                }
            });
        };
        auto session = m_backend.exec(m_containerId, std::move(options));
        if (!session) {
            send(std::string(1, static_cast<char>(StderrChannel)) + session.error().message + "\n");
            exited(session.error().code == ErrorCode::NotFound ? 127 : 126);
            return;
        }
        m_session = std::move(*session);
        if (!m_options.stdinOpen) {
            m_session->closeStdin();
        }
        read();
    }

    void read() {
        m_ws.async_read(m_read, [self = shared_from_this()](beast::error_code ec, size_t) {
            if (ec) {
                return self->closed();
            }
            self->received();
            self->read();
        });
    }

    void received() {
        std::string data = beast::buffers_to_string(m_read.data());
        m_read.consume(m_read.size());
        if (data.empty() || !m_session) {
            return;
        }
        uint8_t channel = static_cast<uint8_t>(data[0]);
        std::string_view payload(data.data() + 1, data.size() - 1);
        if (channel == StdinChannel) {
            m_session->writeStdin(payload);
        } else if (channel == ResizeChannel) {
            boost::system::error_code ec;
            json::value size = json::parse(payload, ec);
            if (!ec && size.is_object()) {
                auto width = size.as_object().if_contains("Width");
                auto height = size.as_object().if_contains("Height");
                if (width && height && width->is_number() && height->is_number()) {
                    m_session->resize(static_cast<uint16_t>(width->to_number<int64_t>()),
                                      static_cast<uint16_t>(height->to_number<int64_t>()));
                }
            }
        } else if (channel == CloseChannel && !payload.empty() &&
                   static_cast<uint8_t>(payload[0]) == StdinChannel) {
            m_session->closeStdin();
        }
    }

    void send(std::string frame) {
        if (m_closing) {
            return;
        }
        m_queue.push_back(std::move(frame));
        if (!m_writing) {
            write();
        }
    }

    void write() {
        if (m_queue.empty()) {
            m_writing = false;
            if (m_exited && !m_closing) {
                close();
            }
            return;
        }
        m_writing = true;
        m_ws.async_write(net::buffer(m_queue.front()),
                         [self = shared_from_this()](beast::error_code ec, size_t) {
                             self->m_queue.pop_front();
                             if (ec) {
                                 self->m_queue.clear();
                                 self->m_writing = false;
                                 return self->closed();
                             }
                             self->write();
                         });
    }

    void exited(int code) {
        json::object status{{"metadata", json::object()}};
        if (code == 0) {
            status["status"] = "Success";
        } else {
            status["status"] = "Failure";
            status["reason"] = "NonZeroExitCode";
            status["message"] = fmt::format("command terminated with non-zero exit code: error "
                                            "executing command, exit code {}",
                                            code);
            status["details"] = json::object{
                {"causes", json::array{json::object{{"reason", "ExitCode"},
                                                    {"message", std::to_string(code)}}}}};
        }
        send(std::string(1, static_cast<char>(ErrorChannel)) + json::serialize(status));
        m_exited = true;
        if (!m_writing) {
            close();
        }
    }

    void close() {
        m_closing = true;
        m_ws.async_close(websocket::close_code::normal,
                         [self = shared_from_this()](beast::error_code) { self->closed(); });
    }

    void closed() {
        if (m_session) {
            m_session->terminate();
            m_session.reset();
        }
    }

    websocket::stream<SslStream> m_ws;
    beast::flat_buffer m_buffer;
    beast::flat_buffer m_read;
    ServerBackend& m_backend;
    std::string m_containerId;
    ExecOptions m_options;
    std::string m_protocol;
    std::unique_ptr<ExecSession> m_session;
    std::deque<std::string> m_queue;
    bool m_writing = false;
    bool m_exited = false;
    bool m_closing = false;
};

// --- One HTTPS connection. --------------------------------------------------------------------

class HttpSession : public std::enable_shared_from_this<HttpSession> {
public:
    HttpSession(tcp::socket socket, ssl::context& tls, ServerBackend& backend)
        : m_stream(std::make_shared<SslStream>(std::move(socket), tls)), m_backend(backend) {}

    void start() {
        beast::get_lowest_layer(*m_stream).expires_after(HandshakeTimeout);
        m_stream->async_handshake(ssl::stream_base::server,
                                  [self = shared_from_this()](beast::error_code ec) {
                                      if (ec) {
                                          return;
                                      }
                                      self->m_identity = identify(self->m_stream->native_handle());
                                      self->read();
                                  });
    }

private:
    void read() {
        m_parser.emplace();
        m_parser->body_limit(1 << 20);
        beast::get_lowest_layer(*m_stream).expires_after(IdleTimeout);
        http::async_read(*m_stream, m_buffer, *m_parser,
                         [self = shared_from_this()](beast::error_code ec, size_t) {
                             if (ec) {
                                 return self->shutdown();
                             }
                             self->handle(self->m_parser->release());
                         });
    }

    void respond(http::response<http::string_body> response) {
        auto owned = std::make_shared<http::response<http::string_body>>(std::move(response));
        bool keepAlive = owned->keep_alive();
        http::async_write(
            *m_stream, *owned,
            [self = shared_from_this(), owned, keepAlive](beast::error_code ec, size_t) {
                if (ec || !keepAlive) {
                    return self->shutdown();
                }
                self->read();
            });
    }

    void shutdown() {
        beast::get_lowest_layer(*m_stream).expires_after(std::chrono::seconds(5));
        m_stream->async_shutdown([self = shared_from_this()](beast::error_code) {
            beast::error_code ignored;
            beast::get_lowest_layer(*self->m_stream).socket().close(ignored);
        });
    }

    void handle(http::request<http::string_body> request) {
        Target target = parseTarget(request.target());
        const auto& s = target.segments;
        std::string first = s.empty() ? "" : s[0];
        if (first == "healthz" || first == "livez" || first == "readyz") {
            return respond(textResponse(request, http::status::ok, "ok"));
        }
        if (m_identity.caller == Caller::Anonymous) {
            return respond(textResponse(request, http::status::unauthorized, "Unauthorized"));
        }
        if (m_identity.caller == Caller::Forbidden) {
            std::string subresource = first == "containerLogs" ? "log"
                                      : first == "stats"       ? "stats"
                                      : first == "metrics"     ? "metrics"
                                                               : "proxy";
            return respond(textResponse(
                request, http::status::forbidden,
                fmt::format("Forbidden (user={}, verb={}, resource=nodes, subresource={})",
                            m_identity.user, request.method() == http::verb::get ? "get" : "create",
                            subresource)));
        }
        if (first == "pods" && s.size() == 1) {
            return respond(
                textResponse(request, http::status::ok, m_backend.podList(), "application/json"));
        }
        if (first == "stats" && s.size() == 2 && s[1] == "summary") {
            return respond(textResponse(request, http::status::ok, m_backend.statsSummary(),
                                        "application/json"));
        }
        if (first == "metrics" && s.size() == 1) {
            return respond(textResponse(request, http::status::ok, m_backend.metrics(),
                                        "text/plain; version=0.0.4; charset=utf-8"));
        }
        if (first == "metrics" && s.size() == 2 && s[1] == "resource") {
            return respond(textResponse(request, http::status::ok, m_backend.resourceMetrics(),
                                        "text/plain; version=0.0.4; charset=utf-8"));
        }
        if (first == "containerLogs" && s.size() == 4) {
            return logs(std::move(request), target);
        }
        if ((first == "exec") && (s.size() == 4 || s.size() == 5)) {
            return exec(std::move(request), target);
        }
        respond(textResponse(request, http::status::not_found, "404 page not found\n"));
    }

    void logs(http::request<http::string_body> request, const Target& target) {
        auto parsed = parseLogQuery(target.query, std::chrono::system_clock::now());
        if (!parsed) {
            return respond(
                textResponse(request, http::status::bad_request, parsed.error().message));
        }
        const auto& s = target.segments;
        auto container = m_backend.container(s[1], s[2], s[3], parsed->previous);
        if (!container) {
            auto status = container.error().code == ErrorCode::NotFound ? http::status::not_found
                                                                        : http::status::bad_request;
            return respond(textResponse(request, status, container.error().message));
        }
        if (parsed->options.follow) {
            auto stream = std::make_shared<LogStream>(m_stream, m_backend, *container,
                                                      parsed->options, request.version());
            return stream->start();
        }
        LogReader reader(container->logPath, parsed->options);
        std::string body;
        while (true) {
            auto chunk = reader.read();
            if (!chunk || chunk->empty()) {
                break;
            }
            body += *chunk;
        }
        respond(textResponse(request, http::status::ok, std::move(body)));
    }

    void exec(http::request<http::string_body> request, const Target& target) {
        const auto& s = target.segments;
        // `/exec/{ns}/{pod}/{container}` (kubelet also accepts a pod uid before the container).
        std::string containerName = s.back();
        auto container = m_backend.container(s[1], s[2], containerName, false);
        if (!container) {
            return respond(
                textResponse(request, http::status::not_found, container.error().message));
        }
        if (!container->running) {
            return respond(
                textResponse(request, http::status::bad_request,
                             fmt::format("container not running ({})", container->containerId)));
        }
        ExecOptions options;
        options.command = target.all("command");
        options.tty = target.flag("tty");
        options.stdinOpen = target.flag("stdin") || target.flag("input");
        if (options.command.empty()) {
            return respond(textResponse(request, http::status::bad_request,
                                        "you must specify at least one command for the container"));
        }
        if (!websocket::is_upgrade(request)) {
            return respond(textResponse(request, http::status::bad_request,
                                        "this agent serves exec over WebSocket (v5.channel.k8s.io, "
                                        "v4.channel.k8s.io) only"));
        }
        std::string protocol =
            chooseProtocol(std::string(request[http::field::sec_websocket_protocol]));
        if (protocol.empty()) {
            return respond(textResponse(request, http::status::bad_request,
                                        "no supported WebSocket subprotocol: expected "
                                        "v5.channel.k8s.io or v4.channel.k8s.io"));
        }
        beast::get_lowest_layer(*m_stream).expires_never();
        auto socket =
            std::make_shared<ExecSocket>(m_stream, std::move(m_buffer), m_backend,
                                         container->containerId, std::move(options), protocol);
        socket->start(std::move(request));
    }

    std::shared_ptr<SslStream> m_stream;
    ServerBackend& m_backend;
    beast::flat_buffer m_buffer;
    std::optional<http::request_parser<http::string_body>> m_parser;
    Identity m_identity;
};

} // namespace

void AgentServer::Impl::accept() {
    acceptor.async_accept(net::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
        if (ec) {
            if (ec == net::error::operation_aborted) {
                return;
            }
        } else {
            std::make_shared<HttpSession>(std::move(socket), tls, backend)->start();
        }
        accept();
    });
}

AgentServer::AgentServer(AgentServerOptions options, ServerBackend& backend)
    : m_impl(std::make_unique<Impl>(std::move(options), backend)) {}

AgentServer::~AgentServer() {
    stop();
}

Result<uint16_t> AgentServer::start() {
    Impl& impl = *m_impl;
    if (auto configured =
            auth::configureServerTls(impl.tls.native_handle(), impl.options.certificatePem,
                                     impl.options.keyPem, impl.options.clientCaPem);
        !configured) {
        return std::unexpected(configured.error());
    }
    beast::error_code ec;
    auto address = net::ip::make_address(impl.options.host, ec);
    if (ec) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("listen address {:?}: {}", impl.options.host, ec.message()));
    }
    tcp::endpoint endpoint(address, impl.options.port);
    impl.acceptor.open(endpoint.protocol(), ec);
    if (!ec) {
        impl.acceptor.set_option(net::socket_base::reuse_address(true), ec);
        impl.acceptor.bind(endpoint, ec);
    }
    if (!ec) {
        impl.acceptor.listen(net::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        return fail(ErrorCode::Unavailable, fmt::format("listen on {}:{}: {}", impl.options.host,
                                                        impl.options.port, ec.message()));
    }
    uint16_t port = impl.acceptor.local_endpoint().port();
    impl.accept();
    impl.started = true;
    impl.thread = std::thread([&impl] {
        setThreadName("agent-io");
        impl.io.run();
    });
    log::info(Component, "serving HTTPS on {}:{}", impl.options.host, port);
    return port;
}

void AgentServer::stop() {
    Impl& impl = *m_impl;
    if (!impl.started) {
        return;
    }
    impl.started = false;
    net::post(impl.io, [&impl] {
        beast::error_code ignored;
        impl.acceptor.close(ignored);
    });
    impl.io.stop();
    if (impl.thread.joinable()) {
        impl.thread.join();
    }
}

} // namespace pilot::agent
