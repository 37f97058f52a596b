#pragma once

// Test helper: YAML manifests -> JSON values with YAML 1.2 core scalar typing, enough for the
// manifests under tests/data (the engine's own YAML parser lives in pilot::kube).

#include <boost/json.hpp>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace pilot::kube::test {

inline boost::json::value yamlToValue(const YAML::Node& node) {
    switch (node.Type()) {
    case YAML::NodeType::Map: {
        boost::json::object out;
        for (const auto& entry : node) {
            out[entry.first.Scalar()] = yamlToValue(entry.second);
        }
        return out;
    }
    case YAML::NodeType::Sequence: {
        boost::json::array out;
        for (const YAML::Node& item : node) {
            out.push_back(yamlToValue(item));
        }
        return out;
    }
    case YAML::NodeType::Scalar: {
        const std::string& s = node.Scalar();
        if (node.Tag() == "!") {
            return boost::json::value(s); // quoted
        }
        static const std::regex integer("[-+]?[0-9]+");
        static const std::regex real("[-+]?([0-9]*\\.[0-9]+|[0-9]+\\.)([eE][-+]?[0-9]+)?");
        if (s == "true" || s == "false") {
            return s == "true";
        }
        if (s == "null" || s == "~" || s.empty()) {
            return nullptr;
        }
        if (std::regex_match(s, integer)) {
            return std::stoll(s);
        }
        if (std::regex_match(s, real)) {
            return std::stod(s);
        }
        return boost::json::value(s);
    }
    default:
        return nullptr;
    }
}

inline std::vector<boost::json::value> parseYamlText(const std::string& text) {
    std::vector<boost::json::value> out;
    for (const YAML::Node& doc : YAML::LoadAll(text)) {
        if (doc.IsNull()) {
            continue;
        }
        out.push_back(yamlToValue(doc));
    }
    return out;
}

inline std::vector<boost::json::value> loadManifest(const std::string& name) {
    std::ifstream in(std::string(PILOT_TEST_DATA_DIR) + "/manifests/" + name);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return parseYamlText(buffer.str());
}

} // namespace pilot::kube::test
