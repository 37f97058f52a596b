#include "engine/auth/kubeconfig.h"

#include "core/base64.h"

#include "engine/auth/atomicfile.h"
#include "engine/auth/pki.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <filesystem>
#include <optional>

namespace pilot::auth {

namespace {

constexpr std::string_view ClusterName = "pilothouse";
constexpr std::string_view ContextName = "pilothouse";

std::string scalar(const YAML::Node& map, const char* key) {
    if (!map.IsMap()) {
        return {};
    }
    YAML::Node value = map[key];
    if (!value || !value.IsScalar()) {
        return {};
    }
    return value.Scalar();
}

/// The `body` (cluster/user/context map) of the entry called `name` in the list `section`.
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

/// Inline `<key>-data` (base64) wins over the file named by `<key>`, as in client-go.
Result<std::string> dataOrFile(const YAML::Node& map, const std::string& key,
                               const std::filesystem::path& baseDir, std::string_view what) {
    std::string data = scalar(map, (key + "-data").c_str());
    if (!data.empty()) {
        auto decoded = base64Decode(data);
        if (!decoded) {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("{}: {}-data: not valid base64", what, key));
        }
        return *decoded;
    }
    std::string file = scalar(map, key.c_str());
    if (file.empty()) {
        return std::string();
    }
    std::filesystem::path path(file);
    if (path.is_relative()) {
        path = baseDir / path;
    }
    auto content = readWholeFile(path.string());
    if (!content) {
        return fail(content.error().code,
                    fmt::format("{}: {}: {}", what, key, content.error().message));
    }
    return content;
}

Result<Kubeconfig> resolve(const YAML::Node& root, const std::filesystem::path& baseDir,
                           std::string_view requestedContext, const std::string& path) {
    if (!root.IsMap()) {
        return fail(ErrorCode::InvalidArgument, fmt::format("{}: not a kubeconfig", path));
    }
    Kubeconfig config;
    config.contextName =
        requestedContext.empty() ? scalar(root, "current-context") : std::string(requestedContext);
    if (config.contextName.empty()) {
        return fail(ErrorCode::NotFound, fmt::format("{}: current-context: not set", path));
    }
    auto context = namedEntry(root, "contexts", "context", config.contextName);
    if (!context) {
        return fail(ErrorCode::NotFound,
                    fmt::format("{}: context \"{}\" not found", path, config.contextName));
    }
    config.clusterName = scalar(*context, "cluster");
    config.userName = scalar(*context, "user");
    config.namespaceName = scalar(*context, "namespace");

    auto cluster = namedEntry(root, "clusters", "cluster", config.clusterName);
    if (!cluster) {
        return fail(ErrorCode::NotFound,
                    fmt::format("{}: cluster \"{}\" not found", path, config.clusterName));
    }
    config.server = scalar(*cluster, "server");
    if (config.server.empty()) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("{}: cluster \"{}\": server: required", path, config.clusterName));
    }
    config.tlsServerName = scalar(*cluster, "tls-server-name");
    config.insecureSkipTlsVerify = scalar(*cluster, "insecure-skip-tls-verify") == "true";
    std::string clusterWhat = fmt::format("{}: cluster \"{}\"", path, config.clusterName);
    auto ca = dataOrFile(*cluster, "certificate-authority", baseDir, clusterWhat);
    if (!ca) {
        return std::unexpected(ca.error());
    }
    config.certificateAuthorityPem = std::move(*ca);

    if (config.userName.empty()) {
        return config; // anonymous
    }
    auto user = namedEntry(root, "users", "user", config.userName);
    if (!user) {
        return fail(ErrorCode::NotFound,
                    fmt::format("{}: user \"{}\" not found", path, config.userName));
    }
    std::string userWhat = fmt::format("{}: user \"{}\"", path, config.userName);
    auto cert = dataOrFile(*user, "client-certificate", baseDir, userWhat);
    if (!cert) {
        return std::unexpected(cert.error());
    }
    auto key = dataOrFile(*user, "client-key", baseDir, userWhat);
    if (!key) {
        return std::unexpected(key.error());
    }
    if (cert->empty() != key->empty()) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("{}: client certificate and key must both be set", userWhat));
    }
    config.clientCertificatePem = std::move(*cert);
    config.clientKeyPem = std::move(*key);
    config.token = scalar(*user, "token");
    if (config.token.empty()) {
        if (std::string tokenFile = scalar(*user, "tokenFile"); !tokenFile.empty()) {
            std::filesystem::path tokenPath(tokenFile);
            if (tokenPath.is_relative()) {
                tokenPath = baseDir / tokenPath;
            }
            auto token = readWholeFile(tokenPath.string());
            if (!token) {
                return fail(token.error().code,
                            fmt::format("{}: tokenFile: {}", userWhat, token.error().message));
            }
            while (!token->empty() && (token->back() == '\n' || token->back() == '\r' ||
                                       token->back() == ' ' || token->back() == '\t')) {
                token->pop_back();
            }
            config.token = std::move(*token);
        }
    }
    const YAML::Node& userNode = *user;
    bool plugin = userNode["exec"] || userNode["auth-provider"];
    if (plugin && config.token.empty() && config.clientCertificatePem.empty()) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("{}: exec and auth-provider credential plugins are not supported",
                                userWhat));
    }
    return config;
}

} // namespace

Status writeAdminKubeconfig(const std::string& path, const std::string& serverUrl, const Pki& pki) {
    const std::string userName(Pki::AdminUser);
    YAML::Emitter out;
    out << YAML::BeginMap;
    out << YAML::Key << "apiVersion" << YAML::Value << "v1";
    out << YAML::Key << "kind" << YAML::Value << "Config";

    out << YAML::Key << "clusters" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << std::string(ClusterName);
    out << YAML::Key << "cluster" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "certificate-authority-data" << YAML::Value
        << base64Encode(pki.caCertificatePem());
    out << YAML::Key << "server" << YAML::Value << serverUrl;
    out << YAML::EndMap << YAML::EndMap << YAML::EndSeq;

    out << YAML::Key << "users" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << userName;
    out << YAML::Key << "user" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "client-certificate-data" << YAML::Value
        << base64Encode(pki.admin().certificatePem);
    out << YAML::Key << "client-key-data" << YAML::Value << base64Encode(pki.admin().privateKeyPem);
    out << YAML::EndMap << YAML::EndMap << YAML::EndSeq;

    out << YAML::Key << "contexts" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << std::string(ContextName);
    out << YAML::Key << "context" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "cluster" << YAML::Value << std::string(ClusterName);
    out << YAML::Key << "user" << YAML::Value << userName;
    out << YAML::EndMap << YAML::EndMap << YAML::EndSeq;

    out << YAML::Key << "current-context" << YAML::Value << std::string(ContextName);
    out << YAML::Key << "preferences" << YAML::Value << YAML::BeginMap << YAML::EndMap;
    out << YAML::EndMap;
    if (!out.good()) {
        return fail(ErrorCode::Internal,
                    fmt::format("{}: emit YAML: {}", path, out.GetLastError()));
    }
    std::string text = out.c_str();
    text += '\n';
    return writeFileAtomically(path, text, 0600);
}

Result<Kubeconfig> readKubeconfig(const std::string& path, std::string_view context) {
    auto text = readWholeFile(path);
    if (!text) {
        return std::unexpected(text.error());
    }
    std::error_code error;
    std::filesystem::path baseDir = std::filesystem::absolute(path, error).parent_path();
    // yaml-cpp reports errors by throwing; this is the boundary where they become values.
    try {
        YAML::Node root = YAML::Load(*text);
        return resolve(root, baseDir, context, path);
    } catch (const YAML::Exception& e) {
        return fail(ErrorCode::InvalidArgument, fmt::format("{}: {}", path, e.what()));
    } catch (const std::exception& e) {
        return fail(ErrorCode::InvalidArgument, fmt::format("{}: {}", path, e.what()));
    }
}

std::string serverUrlForListener(std::string_view host, std::uint16_t port) {
    std::string address(host);
    if (address.size() >= 2 && address.front() == '[' && address.back() == ']') {
        address = address.substr(1, address.size() - 2);
    }
    if (address.empty() || address == "0.0.0.0") {
        address = "127.0.0.1";
    } else if (address == "::" || address == "::0") {
        address = "::1";
    }
    if (address.find(':') != std::string::npos) {
        return fmt::format("https://[{}]:{}", address, port);
    }
    return fmt::format("https://{}:{}", address, port);
}

} // namespace pilot::auth
