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
