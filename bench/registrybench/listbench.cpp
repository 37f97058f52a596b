// pilot-registrybench-lists: closed-loop request rate of the registry listings (`_catalog`
// pages and tag lists) against any OCI registry, for bench/registrybench/registrybench.py.
// Reuses the API benchmark's keep-alive client pool; anonymous reads over TLS.
#include "bench/apibench/clientpool.h"
#include "bench/apibench/servers.h"

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/verb.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

namespace {

namespace bench = pilot::bench;

constexpr const char* Usage = R"(Usage: pilot-registrybench-lists --url https://H:P --ca FILE
           [--mode catalog|tags] [--repos N] [--prefix P] [--clients N] [--seconds S]

Sends GET /v2/_catalog?n=100&last=<random repository> (catalog) or GET /v2/<random
repository>/tags/list (tags) back to back from N keep-alive connections for S seconds and prints
one JSON line: {"mode", "rate", "p50_ms", "p99_ms", "ok", "failed"}. Repositories are named
P + five-digit index (P00000 .. P<N-1>), as registrybench.py creates them.
)";

std::string argument(int& i, int argc, char** argv) {
    if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n%s", argv[i], Usage);
        std::exit(2);
    }
    return argv[++i];
}

} // namespace

int main(int argc, char** argv) {
    std::string url;
    std::string ca;
    std::string mode = "catalog";
    std::string prefix = "bench/repo-";
    size_t repos = 10000;
    size_t clients = 8;
    double seconds = 5;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--url") {
            url = argument(i, argc, argv);
        } else if (arg == "--ca") {
            ca = argument(i, argc, argv);
        } else if (arg == "--mode") {
            mode = argument(i, argc, argv);
        } else if (arg == "--prefix") {
            prefix = argument(i, argc, argv);
        } else if (arg == "--repos") {
            repos = std::stoul(argument(i, argc, argv));
        } else if (arg == "--clients") {
            clients = std::stoul(argument(i, argc, argv));
        } else if (arg == "--seconds") {
            seconds = std::stod(argument(i, argc, argv));
        } else {
            std::fputs(Usage, arg == "--help" ? stdout : stderr);
            return arg == "--help" ? 0 : 2;
        }
    }
    if (url.empty() || ca.empty() || repos == 0 || (mode != "catalog" && mode != "tags")) {
        std::fputs(Usage, stderr);
        return 2;
    }
    auto endpoint = bench::Endpoint::parse(url);
    if (!endpoint) {
        std::fprintf(stderr, "%s\n", endpoint.error().message.c_str());
        return 2;
    }
    bench::Server server;
    server.endpoint = *endpoint;
    server.tls = std::make_unique<bench::net::ssl::context>(bench::net::ssl::context::tls_client);
    boost::system::error_code ec;
    server.tls->load_verify_file(ca, ec);
    if (ec) {
        std::fprintf(stderr, "%s: %s\n", ca.c_str(), ec.message().c_str());
        return 2;
    }
    server.tls->set_verify_mode(bench::net::ssl::verify_peer);

    bench::ClientPool pool(server, clients, 1);
    if (auto ok = pool.connectAll(); !ok) {
        std::fprintf(stderr, "connect: %s\n", ok.error().message.c_str());
        return 1;
    }
    auto name = [&](uint64_t seq) {
        // A cheap deterministic spread over the repositories.
        uint64_t index = (seq * 2654435761ull) % repos;
        return fmt::format("{}{:05}", prefix, index);
    };
    bench::Operation op =
        [&](bench::HttpClient& client,
            const bench::OpContext& context) -> bench::net::awaitable<bench::Response> {
        std::string target = mode == "catalog"
                                 ? fmt::format("/v2/_catalog?n=100&last={}", name(context.seq))
                                 : fmt::format("/v2/{}/tags/list", name(context.seq));
        co_return co_await client.request(boost::beast::http::verb::get, target);
    };
    auto duration = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(seconds));
    bench::RunStats stats = pool.closedLoop(duration, UINT64_MAX, op);
    std::printf("{\"mode\":\"%s\",\"rate\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"ok\":%llu,"
                "\"failed\":%llu,\"failure\":\"%s\"}\n",
                mode.c_str(), stats.rate(), bench::toMs(stats.latency.percentile(0.5)),
                bench::toMs(stats.latency.percentile(0.99)),
                static_cast<unsigned long long>(stats.ok),
                static_cast<unsigned long long>(stats.failed), stats.failed ? "see stderr" : "");
    if (stats.failed) {
        std::fprintf(stderr, "%s\n", stats.failureSummary().c_str());
    }
    return 0;
}
