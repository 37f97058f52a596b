#include "nodeagent/agent/agentoptions.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string_view>

namespace pilot::agent {

namespace {

/// `--insecure-registry` takes what image references start with: `host[:port]`, no scheme.
Result<std::string> registryHost(std::string_view value) {
    auto bad = [&](std::string_view why) {
        return fail(
            ErrorCode::InvalidArgument,
            fmt::format("--insecure-registry: expected HOST[:PORT] {}, got {:?}", why, value));
    };
    if (value.find("://") != std::string_view::npos) {
        return bad("without a scheme");
    }
    if (value.find('/') != std::string_view::npos) {
        return bad("without a path");
    }
    std::string_view host = value;
    std::string_view port;
    if (value.starts_with('[')) {
        size_t close = value.find(']');
        if (close == std::string_view::npos ||
            (close + 1 < value.size() && value[close + 1] != ':')) {
            return bad("(IPv6 in brackets)");
        }
        host = value.substr(1, close - 1);
        port = close + 1 < value.size() ? value.substr(close + 2) : std::string_view();
        if (close + 1 < value.size() && port.empty()) {
            return bad("with a port after the colon");
        }
    } else if (size_t colon = value.rfind(':'); colon != std::string_view::npos) {
        host = value.substr(0, colon);
        port = value.substr(colon + 1);
        if (port.empty()) {
            return bad("with a port after the colon");
        }
    }
    if (host.empty() || std::any_of(host.begin(), host.end(), [](unsigned char c) {
            return std::isspace(c) || c == '@' || c == '?' || c == '#';
        })) {
        return bad("with a host name or address");
    }
    if (!port.empty()) {
        int number = 0;
        auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
        if (ec != std::errc() || ptr != port.data() + port.size() || number < 1 || number > 65535) {
            return bad("with a port 1-65535");
        }
    }
    std::string lower(value);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower;
}

} // namespace

const char* agentUsage() {
    return "Usage: pilothouse-agent --kubeconfig FILE --node-name NAME --data-dir DIR\n"
           "                        [--runtime auto|runc|process] [--node-ip IP] [--port N]\n"
           "                        [--registry-mirror HOST=URL]... [--registry-ca FILE]\n"
           "                        [--insecure-registry HOST[:PORT]]...\n"
           "                        [--registry-verify-loopback] [--context NAME]\n"
           "                        [--eviction-hard SIGNAL<VALUE,...]\n"
           "\n"
           "Runs a Pilothouse node agent: registers the node NAME with the API server of FILE,\n"
           "runs the pods bound to it and serves their logs, exec and stats over HTTPS.\n"
           "\n"
           "  --kubeconfig FILE         credentials for the API server (required)\n"
           "  --context NAME            kubeconfig context (default: current-context)\n"
           "  --node-name NAME          the Node to register (required)\n"
           "  --data-dir DIR            pods, volumes, logs, container state (required)\n"
           "  --runtime KIND            auto (default: runc when root with runc installed,\n"
           "                            else process), runc or process\n"
           "  --node-ip IP              InternalIP (default: the first non-loopback IPv4)\n"
           "  --port N                  HTTPS port for logs/exec/stats (default 10250; 0 = free)\n"
           "  --registry-mirror H=URL   pull images of registry H (docker.io) from URL\n"
           "  --registry-ca FILE        also trust the CA certificates in FILE (PEM) for\n"
           "                            registries; the system store and the kubeconfig\n"
           "                            cluster's CA (which signs the Pilothouse registry's\n"
           "                            certificate) are always trusted\n"
           "  --insecure-registry HOST[:PORT]  pull from HOST without verifying its\n"
           "                            certificate, falling back to plain HTTP (repeatable)\n"
           "  --registry-verify-loopback  verify the certificates of registries on loopback\n"
           "                            addresses too (default: they are insecure, as Docker's)\n"
           "  --eviction-hard LIST      hard eviction thresholds, as kubelet's: the node reports\n"
           "                            memory, disk or PID pressure (and its pods stop being\n"
           "                            scheduled) below them. Signals: memory.available,\n"
           "                            nodefs.available, nodefs.inodesFree, imagefs.available,\n"
           "                            imagefs.inodesFree, pid.available; 0% disables one.\n"
           "                            The list replaces the defaults: memory.available<100Mi,\n"
           "                            nodefs.available<10%,nodefs.inodesFree<5%,\n"
           "                            imagefs.available<15%\n"
           "  --image-gc-high-threshold PERCENT  image filesystem usage that starts image\n"
           "                            garbage collection (default 85; 100 disables it)\n"
           "  --image-gc-low-threshold PERCENT   usage it frees down to (default 80)\n"
           "  --version                 print the version and exit\n"
           "  --help                    this text\n"
           "\n"
           "Prints `ready node=NAME runtime=KIND` once the node is registered. Containers keep\n"
           "running when the agent stops; a restarted agent adopts them.\n";
}

const char* agentVersion() {
    return "pilothouse-agent 0.1.0 (kubelet v1.32 compatible)";
}

Result<AgentOptions> parseAgentOptions(const std::vector<std::string>& args) {
    AgentOptions options;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        std::string name = arg;
        std::string value;
        bool inlineValue = false;
        if (arg.starts_with("--") && arg.find('=') != std::string::npos) {
            name = arg.substr(0, arg.find('='));
            value = arg.substr(arg.find('=') + 1);
            inlineValue = true;
        }
        auto take = [&]() -> Result<std::string> {
            if (inlineValue) {
                return value;
            }
            if (i + 1 >= args.size()) {
                return fail(ErrorCode::InvalidArgument, fmt::format("{} needs a value", name));
            }
            return args[++i];
        };
        if (name == "--help" || name == "-h") {
            options.help = true;
            continue;
        }
        if (name == "--version") {
            options.version = true;
            continue;
        }
        std::string* target = nullptr;
        if (name == "--kubeconfig") {
            target = &options.kubeconfig;
        } else if (name == "--context") {
            target = &options.context;
        } else if (name == "--node-name") {
            target = &options.nodeName;
        } else if (name == "--data-dir") {
            target = &options.dataDir;
        } else if (name == "--runtime") {
            target = &options.runtime;
        } else if (name == "--node-ip") {
            target = &options.nodeIp;
        }
        if (target) {
            auto v = take();
            if (!v) {
                return std::unexpected(v.error());
            }
            *target = *v;
            continue;
        }
        if (name == "--port") {
            auto v = take();
            if (!v) {
                return std::unexpected(v.error());
            }
            int port = -1;
            auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), port);
            if (ec != std::errc() || ptr != v->data() + v->size() || port < 0 || port > 65535) {
                return fail(ErrorCode::InvalidArgument,
                            fmt::format("--port: invalid port {:?}", *v));
            }
            options.port = port;
            continue;
        }
        if (name == "--eviction-hard") {
            auto v = take();
            if (!v) {
                return std::unexpected(v.error());
            }
            auto thresholds = parseEvictionHard(*v);
            if (!thresholds) {
                return std::unexpected(thresholds.error());
            }
            options.evictionHard = std::move(*thresholds);
            continue;
        }
        if (name == "--image-gc-high-threshold" || name == "--image-gc-low-threshold") {
            auto v = take();
            if (!v) {
                return std::unexpected(v.error());
            }
            int percent = -1;
            auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), percent);
            if (ec != std::errc() || ptr != v->data() + v->size() || percent < 0 || percent > 100) {
                return fail(ErrorCode::InvalidArgument,
                            fmt::format("{}: expected a percentage 0-100, got {:?}", name, *v));
            }
            (name == "--image-gc-high-threshold" ? options.imageGcHighThreshold
                                                 : options.imageGcLowThreshold) = percent;
            continue;
        }
        if (name == "--registry-verify-loopback") {
            if (inlineValue && value != "true" && value != "false") {
                return fail(ErrorCode::InvalidArgument,
                            fmt::format("{}: expected true or false, got {:?}", name, value));
            }
            options.registryVerifyLoopback = !inlineValue || value == "true";
            continue;
        }
        if (name == "--registry-ca") {
            auto v = take();
            if (!v) {
                return std::unexpected(v.error());
            }
            if (v->empty()) {
                return fail(ErrorCode::InvalidArgument, "--registry-ca: expected a file name");
            }
            options.registryCa = *v;
            continue;
        }
        if (name == "--insecure-registry") {
            auto v = take();
            if (!v) {
                return std::unexpected(v.error());
            }
            auto host = registryHost(*v);
            if (!host) {
                return std::unexpected(host.error());
            }
            options.insecureRegistries.push_back(std::move(*host));
            continue;
        }
        if (name == "--registry-mirror") {
            auto v = take();
            if (!v) {
                return std::unexpected(v.error());
            }
            size_t eq = v->find('=');
            if (eq == std::string::npos || eq == 0 || eq + 1 == v->size()) {
                return fail(ErrorCode::InvalidArgument,
                            fmt::format("--registry-mirror: expected HOST=URL, got {:?}", *v));
            }
            options.registryMirrors.emplace_back(v->substr(0, eq), v->substr(eq + 1));
            continue;
        }
        return fail(ErrorCode::InvalidArgument, fmt::format("unknown argument {}", arg));
    }
    if (options.help || options.version) {
        return options;
    }
    if (options.runtime != "auto" && options.runtime != "runc" && options.runtime != "process") {
        return fail(
            ErrorCode::InvalidArgument,
            fmt::format("--runtime: expected auto, runc or process, got {:?}", options.runtime));
    }
    if (options.imageGcLowThreshold > options.imageGcHighThreshold) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("--image-gc-low-threshold ({}) must not exceed "
                                "--image-gc-high-threshold ({})",
                                options.imageGcLowThreshold, options.imageGcHighThreshold));
    }
    for (auto [flag, value] :
         {std::pair{"--kubeconfig", &options.kubeconfig},
          std::pair{"--node-name", &options.nodeName}, std::pair{"--data-dir", &options.dataDir}}) {
        if (value->empty()) {
            return fail(ErrorCode::InvalidArgument, fmt::format("{} is required", flag));
        }
    }
    return options;
}

} // namespace pilot::agent
