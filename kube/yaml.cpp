#include "kube/yaml.h"

#include "kube/yamlscalar.h"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace pilot::kube {

namespace json = boost::json;

namespace {

struct YamlError {
    std::string message;
};

// ---------------------------------------------------------------------------------------------
// YAML node -> JSON value
// ---------------------------------------------------------------------------------------------

constexpr int MaxYamlDepth = 2000;

std::string position(const YAML::Mark& mark) {
    if (mark.is_null()) {
        return "yaml";
    }
    return fmt::format("yaml: line {}, column {}", mark.line + 1, mark.column + 1);
}

class Converter {
public:
    explicit Converter(size_t budget) : m_budget(budget) {}

    json::value convert(const YAML::Node& node, int depth) {
        if (depth > MaxYamlDepth) {
            throw YamlError{fmt::format("{}: document is nested too deeply (cyclic alias?)",
                                        position(node.Mark()))};
        }
        if (m_budget == 0) {
            throw YamlError{"yaml: document contains excessive aliasing"};
        }
        --m_budget;
        switch (node.Type()) {
        case YAML::NodeType::Undefined:
        case YAML::NodeType::Null:
            return nullptr;
        case YAML::NodeType::Scalar:
            return scalar(node);
        case YAML::NodeType::Sequence: {
            json::array arr;
            arr.reserve(node.size());
            for (const YAML::Node& item : node) {
                arr.push_back(convert(item, depth + 1));
            }
            return arr;
        }
        case YAML::NodeType::Map:
            return mapping(node, depth);
        }
        return nullptr;
    }

private:
    json::value scalar(const YAML::Node& node) {
        const std::string& text = node.Scalar();
        const std::string& tag = node.Tag();
        if (tag == "?") {
            json::value out;
            switch (resolvePlainScalar(text, out)) {
            case PlainScalar::NotJson:
                throw YamlError{fmt::format("{}: cannot convert {} to JSON: infinity and NaN are "
                                            "not JSON numbers",
                                            position(node.Mark()), text)};
            case PlainScalar::Value:
                return out;
            case PlainScalar::Merge:
            case PlainScalar::String:
                return json::string(text);
            }
        }
        constexpr std::string_view Prefix = "tag:yaml.org,2002:";
        if (tag.starts_with(Prefix)) {
            const std::string_view kind = std::string_view(tag).substr(Prefix.size());
            if (kind == "str" || kind == "binary" || kind == "timestamp") {
                return json::string(text);
            }
            json::value out;
            const PlainScalar r = resolvePlainScalar(text, out);
            const bool ok =
                r == PlainScalar::Value &&
                ((kind == "int" && (out.is_int64() || out.is_uint64())) ||
                 (kind == "float" && (out.is_number())) || (kind == "bool" && out.is_bool()) ||
                 (kind == "null" && out.is_null()));
            if (ok) {
                return out;
            }
            if (kind == "int" || kind == "float" || kind == "bool" || kind == "null") {
                throw YamlError{fmt::format("{}: cannot decode `{}` as a !!{}",
                                            position(node.Mark()), text, kind)};
            }
        }
        // Quoted scalars ("!"), block scalars and application tags stay strings.
        return json::string(text);
    }

    std::string keyString(const YAML::Node& key) {
        if (!key.IsScalar()) {
            if (key.IsNull()) {
                throw YamlError{fmt::format("{}: map key must not be null", position(key.Mark()))};
            }
            throw YamlError{fmt::format("{}: map key must be a scalar, not a {}",
                                        position(key.Mark()),
                                        key.IsMap() ? "mapping" : "sequence")};
        }
        if (key.Tag() != "?") {
            return key.Scalar();
        }
        json::value v;
        if (resolvePlainScalar(key.Scalar(), v) != PlainScalar::Value) {
            return key.Scalar();
        }
        // sigs.k8s.io/yaml turns typed keys back into strings.
        if (v.is_bool()) {
            return v.get_bool() ? "true" : "false";
        }
        if (v.is_int64()) {
            return std::to_string(v.get_int64());
        }
        if (v.is_uint64()) {
            return std::to_string(v.get_uint64());
        }
        if (v.is_double()) {
            return fmt::format("{}", static_cast<float>(v.get_double()));
        }
        throw YamlError{fmt::format("{}: map key must not be null", position(key.Mark()))};
    }

    void mergeInto(json::object& target, const json::value& source, const YAML::Node& node) {
        if (!source.is_object()) {
            throw YamlError{fmt::format("{}: map merge requires map or sequence of maps as the "
                                        "value",
                                        position(node.Mark()))};
        }
        for (const auto& [k, v] : source.get_object()) {
            if (!target.contains(k)) {
                target.emplace(k, v);
            }
        }
    }

    json::value mapping(const YAML::Node& node, int depth) {
        json::object obj;
        std::vector<std::pair<json::value, YAML::Node>> merges;
        for (const auto& entry : node) {
            const YAML::Node& key = entry.first;
            if (key.IsScalar() && key.Tag() == "?" && key.Scalar() == "<<") {
                merges.emplace_back(convert(entry.second, depth + 1), entry.second);
                continue;
            }
            std::string name = keyString(key);
            obj.insert_or_assign(name, convert(entry.second, depth + 1));
        }
        // Explicit keys win over merged ones; earlier merge sources win over later ones.
        for (const auto& [value, source] : merges) {
            if (value.is_array()) {
                for (const json::value& item : value.get_array()) {
                    mergeInto(obj, item, source);
                }
            } else {
                mergeInto(obj, value, source);
            }
        }
        return obj;
    }

    size_t m_budget;
};

// ---------------------------------------------------------------------------------------------
// JSON errors
// ---------------------------------------------------------------------------------------------

std::string quoteChar(char c) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
    case '\n':
        return "'\\n'";
    case '\r':
        return "'\\r'";
    case '\t':
        return "'\\t'";
    case '\'':
        return "'\\''";
    default:
        if (u < 0x20 || u >= 0x7F) {
            return fmt::format("'\\x{:02x}'", u);
        }
        return fmt::format("'{}'", c);
    }
}

std::string lineColumn(std::string_view text, size_t offset) {
    size_t line = 1;
    size_t column = 1;
    for (size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return fmt::format("line {}, column {}", line, column);
}

std::string jsonSyntaxMessage(std::string_view text, size_t offset) {
    if (offset >= text.size()) {
        return "unexpected end of JSON input";
    }
    size_t prev = offset;
    while (prev > 0 && (text[prev - 1] == ' ' || text[prev - 1] == '\n' || text[prev - 1] == '\r' ||
                        text[prev - 1] == '\t')) {
        --prev;
    }
    std::string context;
    if (prev == 0 || text[prev - 1] == ':' || text[prev - 1] == '[') {
        context = " looking for beginning of value";
    } else if (text[prev - 1] == '{') {
        context = " looking for beginning of object key string";
    } else if (text[prev - 1] == '"' && offset > 0 && text[offset - 1] != '"') {
        context = " in string literal";
    }
    return fmt::format("invalid character {}{} ({})", quoteChar(text[offset]), context,
                       lineColumn(text, offset));
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

Result<std::vector<json::value>> parseYamlDocuments(std::string_view text) {
    try {
        std::vector<YAML::Node> nodes = YAML::LoadAll(std::string(text));
        Converter converter(std::max<size_t>(1'000'000, text.size() * 20));
        std::vector<json::value> docs;
        docs.reserve(nodes.size());
        for (const YAML::Node& node : nodes) {
            if (node.IsNull() || !node.IsDefined()) {
                continue;
            }
            docs.push_back(converter.convert(node, 0));
        }
        return docs;
    } catch (const YAML::ParserException& e) {
        // yaml-cpp reports its nesting limit (about 500 levels) as "bad file".
        const std::string_view reason =
            e.msg == "bad file" ? "document is nested too deeply" : std::string_view(e.msg);
        return fail(ErrorCode::InvalidArgument, fmt::format("{}: {}", position(e.mark), reason));
    } catch (const YAML::Exception& e) {
        return fail(ErrorCode::InvalidArgument, fmt::format("{}: {}", position(e.mark), e.msg));
    } catch (const YamlError& e) {
        return fail(ErrorCode::InvalidArgument, e.message);
    } catch (const std::exception& e) {
        return fail(ErrorCode::InvalidArgument, fmt::format("yaml: {}", e.what()));
    }
}

Result<json::value> parseYaml(std::string_view text) {
    auto docs = parseYamlDocuments(text);
    if (!docs) {
        return std::unexpected(docs.error());
    }
    if (docs->empty()) {
        return fail(ErrorCode::InvalidArgument, "yaml: no document found");
    }
    if (docs->size() > 1) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("yaml: expected a single document, found {}", docs->size()));
    }
    return std::move(docs->front());
}

Result<json::value> parseJson(std::string_view text) {
    json::parse_options options;
    options.max_depth = MaxJsonDepth;
    json::stream_parser parser({}, options);
    boost::system::error_code ec;
    const size_t consumed = parser.write(text.data(), text.size(), ec);
    if (!ec) {
        parser.finish(ec);
        if (!ec) {
            return parser.release();
        }
    }
    if (ec == json::error::incomplete) {
        return fail(ErrorCode::InvalidArgument, "unexpected end of JSON input");
    }
    if (ec == json::error::too_deep) {
        return fail(
            ErrorCode::InvalidArgument,
            fmt::format("exceeded max depth of {} ({})", MaxJsonDepth, lineColumn(text, consumed)));
    }
    if (ec == json::error::extra_data) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("invalid character {} after top-level value ({})",
                                quoteChar(text[consumed]), lineColumn(text, consumed)));
    }
    if (consumed < text.size()) {
        return fail(ErrorCode::InvalidArgument, jsonSyntaxMessage(text, consumed));
    }
    return fail(ErrorCode::InvalidArgument, fmt::format("invalid JSON: {}", ec.message()));
}

} // namespace pilot::kube
