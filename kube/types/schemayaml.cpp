#include "kube/types/schemayaml.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <string>

namespace pilot::kube {

namespace {

boost::json::value convert(const YAML::Node& node) {
    switch (node.Type()) {
    case YAML::NodeType::Map: {
        boost::json::object out;
        out.reserve(node.size());
        for (const auto& entry : node) {
            out[entry.first.Scalar()] = convert(entry.second);
        }
        return out;
    }
    case YAML::NodeType::Sequence: {
        boost::json::array out;
        out.reserve(node.size());
        for (const YAML::Node& item : node) {
            out.push_back(convert(item));
        }
        return out;
    }
    case YAML::NodeType::Scalar:
        return boost::json::value(node.Scalar());
    default:
        return nullptr;
    }
}

} // namespace

Result<boost::json::value> schemaYamlToJson(std::string_view text, std::string_view fileName) {
    try {
        return convert(YAML::Load(std::string(text)));
    } catch (const YAML::Exception& e) {
        return fail(
            ErrorCode::InvalidArgument,
            fmt::format("{}:{}:{}: {}", fileName, e.mark.line + 1, e.mark.column + 1, e.msg));
    }
}

} // namespace pilot::kube
