#include "nodeagent/image/imageconfig.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <fmt/format.h>

namespace pilot::agent::image {

namespace json = boost::json;

namespace {

std::string text(const json::object& object, std::string_view key) {
    auto it = object.find(key);
    return it != object.end() && it->value().is_string() ? std::string(it->value().as_string())
                                                         : std::string();
}

std::vector<std::string> strings(const json::object& object, std::string_view key) {
    std::vector<std::string> out;
    auto it = object.find(key);
    if (it == object.end() || !it->value().is_array()) {
        return out;
    }
    for (const auto& item : it->value().as_array()) {
        if (item.is_string()) {
            out.emplace_back(item.as_string());
        }
    }
    return out;
}

} // namespace

Result<ImageConfig> parseImageConfig(std::string_view body) {
    boost::system::error_code ec;
    json::value value = json::parse(body, ec);
    if (ec || !value.is_object()) {
        return fail(ErrorCode::InvalidArgument, "image config: not a JSON object");
    }
    const auto& root = value.as_object();
    ImageConfig config;
    config.os = text(root, "os");
    config.architecture = text(root, "architecture");
    if (auto it = root.find("config"); it != root.end() && it->value().is_object()) {
        const auto& c = it->value().as_object();
        config.entrypoint = strings(c, "Entrypoint");
        config.cmd = strings(c, "Cmd");
        config.env = strings(c, "Env");
        config.workingDir = text(c, "WorkingDir");
        config.user = text(c, "User");
        config.stopSignal = text(c, "StopSignal");
        if (auto labels = c.find("Labels"); labels != c.end() && labels->value().is_object()) {
            for (const auto& [key, label] : labels->value().as_object()) {
                if (label.is_string()) {
                    config.labels[std::string(key)] = std::string(label.as_string());
                }
            }
        }
    }
    auto rootfs = root.find("rootfs");
    if (rootfs == root.end() || !rootfs->value().is_object()) {
        return fail(ErrorCode::InvalidArgument, "image config: no rootfs");
    }
    for (const auto& id : strings(rootfs->value().as_object(), "diff_ids")) {
        auto digest = parseDigest(id);
        if (!digest) {
            return fail(ErrorCode::InvalidArgument,
                        "image config: rootfs.diff_ids: " + digest.error().message);
        }
        config.diffIds.push_back(*digest);
    }
    return config;
}

std::vector<Digest> chainIds(const std::vector<Digest>& diffIds) {
    std::vector<Digest> out;
    for (const Digest& diff : diffIds) {
        if (out.empty()) {
            out.push_back(diff);
        } else {
            out.push_back(sha256Of(out.back().str() + " " + diff.str()));
        }
    }
    return out;
}

} // namespace pilot::agent::image
