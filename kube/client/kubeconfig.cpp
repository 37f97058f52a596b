#include "kube/client/kubeconfig.h"

#include "core/base64.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

namespace pilot::kube {

namespace {

Result<std::string> readFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::error_code ec;
        bool exists = std::filesystem::exists(path, ec);
        return fail(exists ? ErrorCode::Forbidden : ErrorCode::NotFound,
                    fmt::format("cannot read {}", path.string()));
    }
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

std::string scalar(const YAML::Node& map, const std::string& key) {
    if (!map.IsMap()) {
        return {};
    }
    YAML::Node value = map[key];
    if (!value || !value.IsScalar()) {
        return {};
    }
    return value.Scalar();
}

/// The `body` map (cluster/user/context) of the entry `name` in the list `section`.
std::optional<YAML::Node> namedEntry(const YAML::Node& root, const char* section, const char* body,
                                     const std::string& name) {
    YAML::Node list = root[section];
    if (!list || !list.IsSequence()) {
        return std::nullopt;
    }
    for (const YAML::Node& entry : list) {
        if (scalar(entry, "name") == name) {
            YAML::Node value = entry[body];
            return value ? value : YAML::Node(YAML::NodeType::Map);
        }
    }
    return std::nullopt;
}

std::filesystem::path resolvePath(const std::string& file, const std::string& baseDir) {
    std::filesystem::path path(file);
    return path.is_relative() && !baseDir.empty() ? std::filesystem::path(baseDir) / path : path;
}

/// `<key>-data` (base64) or the file named by `<key>`; empty when neither is set.
Result<std::string> dataOrFile(const YAML::Node& map, const std::string& key,
                               const std::string& baseDir, const std::string& what) {
    if (std::string data = scalar(map, key + "-data"); !data.empty()) {
        auto decoded = base64Decode(data);
        if (!decoded) {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("{}: {}-data: not valid base64", what, key));
        }
        return std::move(*decoded);
    }
    std::string file = scalar(map, key);
    if (file.empty()) {
        return std::string();
    }
    auto content = readFile(resolvePath(file, baseDir));
    if (!content) {
        return fail(content.error().code,
                    fmt::format("{}: {}: {}", what, key, content.error().message));
    }
    return content;
}

Status resolveUser(const YAML::Node& user, const std::string& baseDir, const std::string& what,
                   Kubeconfig& config) {
    auto cert = dataOrFile(user, "client-certificate", baseDir, what);
    if (!cert) {
        return std::unexpected(cert.error());
    }
    auto key = dataOrFile(user, "client-key", baseDir, what);
    if (!key) {
        return std::unexpected(key.error());
    }
    if (cert->empty() != key->empty()) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("{}: client certificate and key must both be set", what));
    }
    config.clientCertificatePem = std::move(*cert);
    config.clientKeyPem = std::move(*key);
    config.token = scalar(user, "token");
    if (std::string tokenFile = scalar(user, "tokenFile");
        config.token.empty() && !tokenFile.empty()) {
        auto token = readFile(resolvePath(tokenFile, baseDir));
        if (!token) {
            return fail(token.error().code,
                        fmt::format("{}: tokenFile: {}", what, token.error().message));
        }
        while (!token->empty() && std::isspace(static_cast<unsigned char>(token->back()))) {
            token->pop_back();
        }
        config.token = std::move(*token);
    }
    bool plugin = user["exec"] || user["auth-provider"];
    if (plugin && config.token.empty() && config.clientCertificatePem.empty()) {
        return fail(
            ErrorCode::InvalidArgument,
            fmt::format("{}: exec and auth-provider credential plugins are not supported", what));
    }
    return {};
}

Result<Kubeconfig> resolve(const YAML::Node& root, const std::string& baseDir,
                           std::string_view requestedContext, const std::string& origin) {
    if (!root.IsMap()) {
        return fail(ErrorCode::InvalidArgument, fmt::format("{}: not a kubeconfig", origin));
    }
    Kubeconfig config;
    config.contextName =
        requestedContext.empty() ? scalar(root, "current-context") : std::string(requestedContext);
    if (config.contextName.empty()) {
        return fail(ErrorCode::NotFound, fmt::format("{}: current-context: not set", origin));
    }
    auto context = namedEntry(root, "contexts", "context", config.contextName);
    if (!context) {
        return fail(ErrorCode::NotFound,
                    fmt::format("{}: context \"{}\" not found", origin, config.contextName));
    }
    std::string clusterName = scalar(*context, "cluster");
    std::string userName = scalar(*context, "user");
    config.clusterName = clusterName;
    config.userName = userName;
    config.namespaceName = scalar(*context, "namespace");

    auto cluster = namedEntry(root, "clusters", "cluster", clusterName);
    if (!cluster) {
        return fail(ErrorCode::NotFound,
                    fmt::format("{}: cluster \"{}\" not found", origin, clusterName));
    }
    std::string clusterWhat = fmt::format("{}: cluster \"{}\"", origin, clusterName);
    config.server = scalar(*cluster, "server");
    if (config.server.empty()) {
        return fail(ErrorCode::InvalidArgument, clusterWhat + ": server: required");
    }
    config.tlsServerName = scalar(*cluster, "tls-server-name");
    config.insecureSkipTlsVerify = scalar(*cluster, "insecure-skip-tls-verify") == "true";
    auto ca = dataOrFile(*cluster, "certificate-authority", baseDir, clusterWhat);
    if (!ca) {
        return std::unexpected(ca.error());
    }
    config.certificateAuthorityPem = std::move(*ca);

    if (userName.empty()) {
        return config; // anonymous
    }
    auto user = namedEntry(root, "users", "user", userName);
    if (!user) {
        return fail(ErrorCode::NotFound,
                    fmt::format("{}: user \"{}\" not found", origin, userName));
    }
    if (auto status =
            resolveUser(*user, baseDir, fmt::format("{}: user \"{}\"", origin, userName), config);
        !status) {
        return std::unexpected(status.error());
    }
    return config;
}

} // namespace

Result<Kubeconfig> parseKubeconfig(std::string_view text, const std::string& baseDir,
                                   std::string_view context, std::string_view origin) {
    try {
        YAML::Node root = YAML::Load(std::string(text));
        return resolve(root, baseDir, context, std::string(origin));
    } catch (const YAML::Exception& e) {
        return fail(ErrorCode::InvalidArgument, fmt::format("{}: {}", origin, e.what()));
    }
}

Result<Kubeconfig> loadKubeconfig(const std::string& path, std::string_view context) {
    auto text = readFile(path);
    if (!text) {
        return std::unexpected(text.error());
    }
    std::string baseDir = std::filesystem::path(path).parent_path().string();
    return parseKubeconfig(*text, baseDir, context, path);
}

} // namespace pilot::kube
