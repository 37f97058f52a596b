#include "kube/fieldmanager/fieldsv1.h"

#include "kube/jsonutil.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <charconv>

namespace pilot::kube::fieldmanager {

namespace json = boost::json;

namespace {

constexpr int MaxDepth = 500;

std::unexpected<Error> invalid(std::string_view what) {
    return fail(ErrorCode::InvalidArgument, fmt::format("invalid FieldsV1: {}", what));
}

Result<FieldSet> readNode(const json::object& node, int depth, bool& isMember) {
    if (depth > MaxDepth) {
        return invalid("nested too deeply");
    }
    FieldSet out;
    bool any = false;
    for (const auto& [key, value] : node) {
        if (key == ".") {
            isMember = true;
            continue;
        }
        if (!value.is_object()) {
            return invalid(
                fmt::format("the value of {:?} is not an object", std::string_view(key)));
        }
        auto element = decodePathElement(key);
        if (!element) {
            return std::unexpected(element.error());
        }
        any = true;
        bool childIsMember = false;
        auto below = readNode(value.get_object(), depth + 1, childIsMember);
        if (!below) {
            return std::unexpected(below.error());
        }
        if (childIsMember) {
            out.insertMember(*element);
        }
        if (!below->empty()) {
            out.child(*element) = std::move(*below);
        }
    }
    if (!any) {
        isMember = true; // `{}`: the path ends here
    }
    return out;
}

} // namespace

std::string encodePathElement(const PathElement& element) {
    switch (element.kind()) {
    case PathElement::Kind::Field:
        return "f:" + element.name();
    case PathElement::Kind::Key: {
        json::object key;
        for (const auto& [name, value] : element.keyFields()) {
            key[name] = value;
        }
        return "k:" + json::serialize(key);
    }
    case PathElement::Kind::Value:
        return "v:" + json::serialize(element.value());
    case PathElement::Kind::Index:
        return "i:" + std::to_string(element.index());
    }
    return {};
}

Result<PathElement> decodePathElement(std::string_view key) {
    if (key.size() < 2 || key[1] != ':') {
        return invalid(fmt::format("unknown path element {:?}", key));
    }
    const std::string_view rest = key.substr(2);
    switch (key[0]) {
    case 'f':
        return PathElement::ofField(std::string(rest));
    case 'k': {
        boost::system::error_code ec;
        json::value parsed = kube::parseJsonText(rest, ec);
        if (ec || !parsed.is_object() || parsed.get_object().empty()) {
            return invalid(fmt::format("bad key in {:?}", key));
        }
        std::vector<PathElement::KeyField> fields;
        for (const auto& [name, value] : parsed.get_object()) {
            fields.emplace_back(std::string(name), value);
        }
        return PathElement::ofKey(std::move(fields));
    }
    case 'v': {
        boost::system::error_code ec;
        json::value parsed = kube::parseJsonText(rest, ec);
        if (ec) {
            return invalid(fmt::format("bad value in {:?}", key));
        }
        return PathElement::ofValue(std::move(parsed));
    }
    case 'i': {
        int64_t index = 0;
        const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), index);
        if (ec != std::errc() || end != rest.data() + rest.size()) {
            return invalid(fmt::format("bad index in {:?}", key));
        }
        return PathElement::ofIndex(index);
    }
    default:
        return invalid(fmt::format("unknown path element {:?}", key));
    }
}

json::object toFieldsV1(const FieldSet& set) {
    json::object out;
    const auto& members = set.members();
    const auto& children = set.children();
    size_t m = 0;
    size_t c = 0;
    while (m < members.size() || c < children.size()) {
        const int order = m >= members.size()    ? 1
                          : c >= children.size() ? -1
                                                 : members[m].compare(children[c].element);
        if (order < 0) {
            out[encodePathElement(members[m++])] = json::object();
            continue;
        }
        json::object node;
        if (order == 0) {
            node["."] = json::object();
            ++m;
        }
        for (auto& [key, value] : toFieldsV1(children[c].set)) {
            node[key] = std::move(value);
        }
        out[encodePathElement(children[c].element)] = std::move(node);
        ++c;
    }
    return out;
}

Result<FieldSet> fromFieldsV1(const json::value& fields) {
    if (!fields.is_object()) {
        return invalid("not an object");
    }
    bool rootIsMember = false;
    return readNode(fields.get_object(), 0, rootIsMember);
}

} // namespace pilot::kube::fieldmanager
