#include "nodeagent/pod/envresolver.h"

#include "core/base64.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"
#include "nodeagent/pod/expansion.h"

#include <fmt/format.h>

#include <map>

namespace pilot::agent {
namespace json = boost::json;
using kube::objectAt;
using kube::stringAt;

namespace {

/// Relaxed environment variable names (1.32): printable ASCII except `=`.
bool validEnvName(std::string_view name) {
    if (name.empty()) {
        return false;
    }
    for (char c : name) {
        if (c < 32 || c > 126 || c == '=') {
            return false;
        }
    }
    return true;
}

class Builder {
public:
    void set(const std::string& name, std::string value) {
        auto it = m_index.find(name);
        if (it == m_index.end()) {
            m_index[name] = m_vars.size();
            m_vars.emplace_back(name, std::move(value));
        } else {
            m_vars[it->second].second = std::move(value);
        }
    }
    [[nodiscard]] std::optional<std::string> get(std::string_view name) const {
        auto it = m_index.find(std::string(name));
        if (it == m_index.end()) {
            return std::nullopt;
        }
        return m_vars[it->second].second;
    }
    EnvList take() { return std::move(m_vars); }

private:
    EnvList m_vars;
    std::map<std::string, size_t> m_index;
};

std::map<std::string, std::string> dataOf(const json::object& object, bool secret) {
    std::map<std::string, std::string> out;
    if (const json::object* data = objectAt(object, "data")) {
        for (const auto& [k, v] : *data) {
            if (v.is_string()) {
                out[std::string(k)] = secret ? base64Decode(std::string(v.as_string())).value_or("")
                                             : std::string(v.as_string());
            }
        }
    }
    if (!secret) {
        if (const json::object* binary = objectAt(object, "binaryData")) {
            for (const auto& [k, v] : *binary) {
                if (v.is_string()) {
                    out[std::string(k)] = base64Decode(std::string(v.as_string())).value_or("");
                }
            }
        }
    }
    return out;
}

} // namespace

Result<ResolvedEnv> resolveEnvironment(const json::object& pod, const json::object& container,
                                       VolumeSources& sources, const EnvContext& context) {
    ResolvedEnv out;
    Builder env;
    std::string ns(kube::namespaceOf(pod));
    if (const json::array* envFrom = kube::arrayAt(container, "envFrom")) {
        for (const json::value& v : *envFrom) {
            if (!v.is_object()) {
                continue;
            }
            const json::object& source = v.as_object();
            std::string prefix = stringAt(source, "prefix");
            const json::object* ref = objectAt(source, "configMapRef");
            bool secret = false;
            if (!ref) {
                ref = objectAt(source, "secretRef");
                secret = true;
            }
            if (!ref) {
                continue;
            }
            std::string name = stringAt(*ref, "name");
            bool optional = kube::boolAt(*ref, "optional").value_or(false);
            auto object = secret ? sources.secret(ns, name) : sources.configMap(ns, name);
            if (!object) {
                if (optional && object.error().code == ErrorCode::NotFound) {
                    continue;
                }
                return std::unexpected(object.error());
            }
            std::vector<std::string> invalid;
            for (auto& [key, value] : dataOf(*object, secret)) {
                std::string full = prefix + key;
                if (!validEnvName(full)) {
                    invalid.push_back(full);
                    continue;
                }
                env.set(full, value);
            }
            if (!invalid.empty()) {
                std::string list;
                for (const auto& k : invalid) {
                    list += (list.empty() ? "" : ", ") + k;
                }
                out.skippedMessages.push_back(fmt::format(
                    "Keys [{}] from the EnvFrom {} {}/{} were skipped since they are considered "
                    "invalid environment variable names.",
                    list, secret ? "secret" : "configMap", ns, name));
            }
        }
    }
    const EnvList& serviceEnv = context.serviceEnv;
    VariableLookup lookup = [&](std::string_view name) -> std::optional<std::string> {
        if (auto value = env.get(name)) {
            return value;
        }
        for (const auto& [k, v] : serviceEnv) {
            if (k == name) {
                return v;
            }
        }
        return std::nullopt;
    };
    if (const json::array* vars = kube::arrayAt(container, "env")) {
        for (const json::value& v : *vars) {
            if (!v.is_object()) {
                continue;
            }
            const json::object& var = v.as_object();
            std::string name = stringAt(var, "name");
            const json::object* from = objectAt(var, "valueFrom");
            if (!from) {
                env.set(name, expandVariables(stringAt(var, "value"), lookup));
                continue;
            }
            if (const json::object* field = objectAt(*from, "fieldRef")) {
                auto value = podFieldValue(pod, stringAt(*field, "fieldPath"), context.network);
                if (!value) {
                    return std::unexpected(value.error());
                }
                env.set(name, *value);
            } else if (const json::object* res = objectAt(*from, "resourceFieldRef")) {
                const json::object* target = &container;
                if (std::string other = stringAt(*res, "containerName");
                    !other.empty() && other != stringAt(container, "name")) {
                    const json::object* spec = objectAt(pod, "spec");
                    for (const char* list : {"containers", "initContainers"}) {
                        if (const json::array* cs = spec ? kube::arrayAt(*spec, list) : nullptr) {
                            for (const json::value& c : *cs) {
                                if (c.is_object() && stringAt(c.as_object(), "name") == other) {
                                    target = &c.as_object();
                                }
                            }
                        }
                    }
                }
                std::string divisor;
                if (const json::value* d = res->if_contains("divisor")) {
                    divisor = kube::scalarString(*d);
                }
                auto value = resourceFieldValue(*target, stringAt(*res, "resource"), divisor,
                                                context.nodeAllocatable);
                if (!value) {
                    return std::unexpected(value.error());
                }
                env.set(name, *value);
            } else if (const json::object* ref = objectAt(*from, "configMapKeyRef")) {
                std::string source = stringAt(*ref, "name");
                std::string key = stringAt(*ref, "key");
                bool optional = kube::boolAt(*ref, "optional").value_or(false);
                auto object = sources.configMap(ns, source);
                if (!object) {
                    if (optional && object.error().code == ErrorCode::NotFound) {
                        continue;
                    }
                    return std::unexpected(object.error());
                }
                auto data = dataOf(*object, false);
                auto it = data.find(key);
                if (it == data.end()) {
                    if (optional) {
                        continue;
                    }
                    return fail(
                        ErrorCode::NotFound,
                        fmt::format("couldn't find key {} in ConfigMap {}/{}", key, ns, source));
                }
                env.set(name, it->second);
            } else if (const json::object* secretRef = objectAt(*from, "secretKeyRef")) {
                std::string source = stringAt(*secretRef, "name");
                std::string key = stringAt(*secretRef, "key");
                bool optional = kube::boolAt(*secretRef, "optional").value_or(false);
                auto object = sources.secret(ns, source);
                if (!object) {
                    if (optional && object.error().code == ErrorCode::NotFound) {
                        continue;
                    }
                    return std::unexpected(object.error());
                }
                auto data = dataOf(*object, true);
                auto it = data.find(key);
                if (it == data.end()) {
                    if (optional) {
                        continue;
                    }
                    return fail(
                        ErrorCode::NotFound,
                        fmt::format("couldn't find key {} in Secret {}/{}", key, ns, source));
                }
                env.set(name, it->second);
            }
        }
    }
    for (const auto& [k, v] : serviceEnv) {
        if (!env.get(k)) {
            env.set(k, v);
        }
    }
    out.vars = env.take();
    return out;
}

std::vector<std::string> expandCommand(const std::vector<std::string>& words, const EnvList& env) {
    VariableLookup lookup = lookupIn(env);
    std::vector<std::string> out;
    out.reserve(words.size());
    for (const auto& w : words) {
        out.push_back(expandVariables(w, lookup));
    }
    return out;
}

} // namespace pilot::agent
