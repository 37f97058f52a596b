#pragma once

// The fixture of the handler tests: requests sent through ApiHandler::handle() as kubectl and the
// Python client send them, and watch responses read the way the HTTP session reads them.

#include "apitestutil.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pilot::apiserver::test {

constexpr const char* KubectlGetAccept =
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;"
    "g=meta.k8s.io,application/json";
constexpr const char* KubectlDiscoveryAccept =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
    "application/json";
constexpr const char* ConfigMaps = "/api/v1/namespaces/default/configmaps";
constexpr const char* Deployments = "/apis/apps/v1/namespaces/default/deployments";
constexpr const char* Pods = "/api/v1/namespaces/default/pods";

using Query = std::vector<std::pair<std::string, std::string>>;

/// A watch response driven the way the HTTP session drives it, without a socket.
class StreamReader {
public:
    explicit StreamReader(std::shared_ptr<ResponseStream> stream) : m_stream(std::move(stream)) {
        m_stream->start([this] { ++m_wakes; });
    }
    ~StreamReader() { m_stream->cancel(); }

    /// The events available now, one parsed JSON object per line.
    std::vector<json::object> events() {
        bool finished = false;
        std::string chunk = m_stream->next(finished);
        m_finished = m_finished || finished;
        std::vector<json::object> out;
        size_t start = 0;
        while (start < chunk.size()) {
            size_t nl = chunk.find('\n', start);
            EXPECT_NE(nl, std::string::npos) << "every event ends with a newline: " << chunk;
            if (nl == std::string::npos) {
                break;
            }
            out.push_back(json::parse(chunk.substr(start, nl - start)).as_object());
            start = nl + 1;
        }
        return out;
    }
    [[nodiscard]] bool finished() const { return m_finished; }
    [[nodiscard]] int wakes() const { return m_wakes; }

private:
    std::shared_ptr<ResponseStream> m_stream;
    int m_wakes = 0;
    bool m_finished = false;
};

/// Twelve ConfigMaps created in `env`, whose cache keeps five events per resource
/// (`ApiEnv small(5)`): a watch from resourceVersion 2 has then expired.
inline void createBeyondHistory(ApiEnv& env) {
    env.createNamespace("default");
    for (int i = 0; i < 12; ++i) {
        HandlerResult r =
            env.send("POST", ConfigMaps, json::serialize(configMap("c" + std::to_string(i))));
        EXPECT_EQ(r.response.status, 201) << r.response.body;
    }
}

inline std::string eventSummary(const json::object& event) {
    return str(event, "type") + " " + str(event, "object.metadata.name");
}

inline std::vector<std::string> summaries(const std::vector<json::object>& events) {
    std::vector<std::string> out;
    for (const json::object& e : events) {
        out.push_back(eventSummary(e));
    }
    return out;
}

inline std::vector<std::string> itemNames(const json::object& list) {
    std::vector<std::string> out;
    for (const json::value& item : list.at("items").as_array()) {
        out.push_back(str(item.as_object(), "metadata.name"));
    }
    return out;
}

inline std::string headerOf(const HandlerResult& result, std::string_view name) {
    for (const auto& [k, v] : result.response.headers) {
        if (k == name) {
            return v;
        }
    }
    return {};
}

class ApiHandlerTest : public ::testing::Test {
protected:
    void SetUp() override { env.createNamespace("default"); }

    HandlerResult send(std::string method, std::string path, std::string body = {},
                       Query query = {}, std::string contentType = "application/json",
                       std::string accept = {}) {
        return env.send(std::move(method), std::move(path), std::move(body), std::move(query),
                        std::move(contentType), std::move(accept));
    }
    HandlerResult post(const std::string& path, const json::object& body, Query query = {}) {
        return send("POST", path, json::serialize(body), std::move(query));
    }
    json::object mustPost(const std::string& path, const json::object& body) {
        HandlerResult r = post(path, body);
        EXPECT_EQ(r.response.status, 201) << r.response.body;
        return bodyOf(r);
    }
    HandlerResult get(const std::string& path, Query query = {}, std::string accept = {}) {
        return send("GET", path, {}, std::move(query), "", std::move(accept));
    }
    HandlerResult patch(const std::string& path, const std::string& body,
                        const std::string& contentType, Query query = {}) {
        return send("PATCH", path, body, std::move(query), contentType);
    }
    std::shared_ptr<ResponseStream> watch(const std::string& path, Query query,
                                          std::string accept = {}) {
        query.emplace_back("watch", "true");
        HandlerResult r = get(path, std::move(query), std::move(accept));
        EXPECT_TRUE(r.stream) << r.response.status << " " << r.response.body;
        return r.stream;
    }
    /// Status JSON checks shared by every error.
    static void expectStatus(const HandlerResult& r, int code, const std::string& reason) {
        EXPECT_EQ(r.response.status, code) << r.response.body;
        EXPECT_EQ(r.response.contentType, "application/json");
        json::object status = bodyOf(r);
        EXPECT_EQ(str(status, "kind"), "Status");
        EXPECT_EQ(str(status, "apiVersion"), "v1");
        EXPECT_EQ(str(status, "status"), "Failure");
        EXPECT_EQ(str(status, "reason"), reason);
        const json::value* c = status.if_contains("code");
        EXPECT_TRUE(c && c->is_int64() && c->get_int64() == code) << r.response.body;
    }

    ApiEnv env;
};

} // namespace pilot::apiserver::test
