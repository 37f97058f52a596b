#pragma once

#include "engine/apiserver/http.h"
#include "engine/nodeproxy/agentconnection.h"

#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>

#include <array>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pilot::nodeproxy {

/// An agent's log response relayed to the client as it arrives (`follow` keeps it open until
/// the container exits or the client leaves). Reads pause while more than a megabyte waits for
/// the client, so a slow reader never makes the engine buffer a whole log.
class LogStream final : public apiserver::ResponseStream,
                        public std::enable_shared_from_this<LogStream> {
public:
    LogStream(std::shared_ptr<AgentConnection> connection,
              std::unique_ptr<AgentConnection::HeadParser> head);

    [[nodiscard]] std::string contentType() const override { return "text/plain"; }
    void start(std::function<void()> wake) override;
    [[nodiscard]] std::string next(bool& finished) override;
    void cancel() override;

private:
    void read();

    std::shared_ptr<AgentConnection> m_connection;
    std::unique_ptr<AgentConnection::HeadParser> m_head;
    std::optional<boost::beast::http::response_parser<boost::beast::http::buffer_body>> m_parser;
    std::array<char, 16384> m_chunk{};
    std::function<void()> m_wake;
    std::mutex m_mutex;
    std::string m_pending;
    bool m_finished = false;
    bool m_paused = false;
};

/// The byte tunnel behind an upgraded exec/attach connection: what the client sends goes to the
/// agent in order, what the agent sends goes to the client, until either side closes.
class ExecTunnel final : public apiserver::Tunnel, public std::enable_shared_from_this<ExecTunnel> {
public:
    ExecTunnel(std::shared_ptr<AgentConnection> connection,
               std::vector<std::pair<std::string, std::string>> headers);

    [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& headers() const override {
        return m_headers;
    }
    void start(std::function<void(std::string)> toClient, std::function<void()> closed) override;
    void write(std::string data) override;
    void close() override;

private:
    void read();
    void writeNext();
    void finish();

    std::shared_ptr<AgentConnection> m_connection;
    std::vector<std::pair<std::string, std::string>> m_headers;
    std::function<void(std::string)> m_toClient;
    std::function<void()> m_closed;
    std::array<char, 16384> m_chunk{};
    std::deque<std::string> m_out; // touched only on the connection's executor
    bool m_writing = false;
    bool m_finished = false;
};

} // namespace pilot::nodeproxy
