#include "gui/editors/yamllocator.h"

#include <yaml-cpp/yaml.h>

#include <exception>

namespace pilot::gui {

namespace {

void setLocation(YamlLocation& location, const YAML::Mark& mark) {
    if (mark.is_null()) {
        return;
    }
    location.line = mark.line + 1;
    location.column = mark.column + 1;
}

} // namespace

YamlLocation locateField(const QString& text, const FieldPath& path, int documentIndex) {
    YamlLocation location;
    try {
        const std::vector<YAML::Node> documents = YAML::LoadAll(text.toStdString());
        int index = 0;
        for (const YAML::Node& document : documents) {
            if (!document.IsDefined() || document.IsNull()) {
                continue; // empty documents are skipped, as parseYamlDocuments does
            }
            if (index++ != documentIndex) {
                continue;
            }
            YAML::Node node;
            node.reset(document); // Node::operator= would assign through the reference
            setLocation(location, node.Mark());
            location.exact = path.isEmpty();
            for (const FieldPath::Step& step : path.steps()) {
                bool found = false;
                if (node.IsSequence()) {
                    if (const int* i = std::get_if<int>(&step); i && *i < int(node.size())) {
                        const YAML::Node item = node[static_cast<size_t>(*i)];
                        node.reset(item);
                        setLocation(location, node.Mark());
                        found = true;
                    }
                } else if (node.IsMap()) {
                    const std::string key = std::holds_alternative<int>(step)
                                                ? std::to_string(std::get<int>(step))
                                                : std::get<QString>(step).toStdString();
                    for (auto it = node.begin(); it != node.end(); ++it) {
                        if (it->first.IsScalar() && it->first.Scalar() == key) {
                            setLocation(location, it->first.Mark());
                            node.reset(it->second);
                            found = true;
                            break;
                        }
                    }
                }
                if (!found) {
                    return location;
                }
            }
            location.exact = true;
            return location;
        }
    } catch (const std::exception&) {
        return {};
    }
    return location;
}

} // namespace pilot::gui
