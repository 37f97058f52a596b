#include "kube/jsonpatch.h"

#include "kube/jsonutil.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <optional>

namespace pilot::kube {

namespace json = boost::json;

namespace {

using Tokens = std::vector<std::string>;

/// Failure reason without the operation context; the caller adds it.
struct Failure {
    std::string reason;
};

template <typename T>
using Step = std::expected<T, Failure>;

std::unexpected<Failure> failure(std::string reason) {
    return std::unexpected(Failure{std::move(reason)});
}

std::string pointerText(const Tokens& tokens, size_t count) {
    std::string out;
    for (size_t i = 0; i < count && i < tokens.size(); ++i) {
        out += '/';
        for (char c : tokens[i]) {
            if (c == '~') {
                out += "~0";
            } else if (c == '/') {
                out += "~1";
            } else {
                out.push_back(c);
            }
        }
    }
    return out;
}

/// Parses an array index token: decimal, no sign, no leading zeros.
std::optional<size_t> parseIndex(std::string_view token) {
    if (token.empty() || token.size() > 18 || (token.size() > 1 && token[0] == '0')) {
        return std::nullopt;
    }
    size_t v = 0;
    for (char c : token) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        v = v * 10 + static_cast<size_t>(c - '0');
    }
    return v;
}

/// The value the first `count` tokens point at.
Step<json::value*> resolve(json::value& root, const Tokens& tokens, size_t count) {
    json::value* cur = &root;
    for (size_t i = 0; i < count; ++i) {
        const std::string& token = tokens[i];
        if (cur->is_object()) {
            cur = cur->get_object().if_contains(token);
            if (cur == nullptr) {
                return failure(fmt::format("path {} not found", pointerText(tokens, i + 1)));
            }
        } else if (cur->is_array()) {
            json::array& arr = cur->get_array();
            const auto index = parseIndex(token);
            if (!index) {
                return failure(fmt::format("invalid array index {:?} in {}", token,
                                           pointerText(tokens, i + 1)));
            }
            if (*index >= arr.size()) {
                return failure(fmt::format("array index {} out of range in {} (length {})", *index,
                                           pointerText(tokens, i + 1), arr.size()));
            }
            cur = &arr[*index];
        } else {
            return failure(fmt::format("path {} not found: {} is a {}, not an object or array",
                                       pointerText(tokens, i + 1), pointerText(tokens, i),
                                       jsonTypeName(*cur)));
        }
    }
    return cur;
}

Step<void> add(json::value& root, const Tokens& tokens, json::value value) {
    if (tokens.empty()) {
        root = std::move(value);
        return {};
    }
    auto parent = resolve(root, tokens, tokens.size() - 1);
    if (!parent) {
        return std::unexpected(parent.error());
    }
    const std::string& last = tokens.back();
    json::value& target = **parent;
    if (target.is_object()) {
        target.get_object().insert_or_assign(last, std::move(value));
        return {};
    }
    if (target.is_array()) {
        json::array& arr = target.get_array();
        if (last == "-") {
            arr.push_back(std::move(value));
            return {};
        }
        const auto index = parseIndex(last);
        if (!index) {
            return failure(fmt::format("invalid array index {:?}", last));
        }
        if (*index > arr.size()) {
            return failure(
                fmt::format("array index {} out of range (length {})", *index, arr.size()));
        }
        arr.insert(arr.begin() + static_cast<std::ptrdiff_t>(*index), std::move(value));
        return {};
    }
    return failure(fmt::format("cannot add to {}: it is a {}, not an object or array",
                               pointerText(tokens, tokens.size() - 1), jsonTypeName(target)));
}

Step<json::value> remove(json::value& root, const Tokens& tokens) {
    if (tokens.empty()) {
        return failure("cannot remove the whole document");
    }
    auto parent = resolve(root, tokens, tokens.size() - 1);
    if (!parent) {
        return std::unexpected(parent.error());
    }
    const std::string& last = tokens.back();
    json::value& target = **parent;
    if (target.is_object()) {
        json::object& obj = target.get_object();
        auto it = obj.find(last);
        if (it == obj.end()) {
            return failure(fmt::format("path {} not found", pointerText(tokens, tokens.size())));
        }
        json::value removed = std::move(it->value());
        obj.stable_erase(it);
        return removed;
    }
    if (target.is_array()) {
        json::array& arr = target.get_array();
        const auto index = parseIndex(last);
        if (!index) {
            return failure(fmt::format("invalid array index {:?}", last));
        }
        if (*index >= arr.size()) {
            return failure(
                fmt::format("array index {} out of range (length {})", *index, arr.size()));
        }
        json::value removed = std::move(arr[*index]);
        arr.erase(arr.begin() + static_cast<std::ptrdiff_t>(*index));
        return removed;
    }
    return failure(fmt::format("path {} not found: {} is a {}", pointerText(tokens, tokens.size()),
                               pointerText(tokens, tokens.size() - 1), jsonTypeName(target)));
}

Step<void> replace(json::value& root, const Tokens& tokens, json::value value) {
    auto target = resolve(root, tokens, tokens.size());
    if (!target) {
        return std::unexpected(target.error());
    }
    **target = std::move(value);
    return {};
}

bool isProperPrefix(const Tokens& prefix, const Tokens& tokens) {
    if (prefix.size() >= tokens.size()) {
        return false;
    }
    for (size_t i = 0; i < prefix.size(); ++i) {
        if (prefix[i] != tokens[i]) {
            return false;
        }
    }
    return true;
}

Step<Tokens> pointerMember(const json::object& op, std::string_view member) {
    const json::value* v = op.if_contains(member);
    if (v == nullptr) {
        return failure(fmt::format("missing \"{}\"", member));
    }
    if (!v->is_string()) {
        return failure(fmt::format("\"{}\" must be a string", member));
    }
    auto tokens = parseJsonPointer(v->get_string());
    if (!tokens) {
        return failure(tokens.error().message);
    }
    return std::move(*tokens);
}

Step<void> applyOperation(json::value& doc, const json::object& op, std::string_view name) {
    auto path = pointerMember(op, "path");
    if (!path) {
        return std::unexpected(path.error());
    }
    const json::value* value = op.if_contains("value");
    const bool needsValue = name == "add" || name == "replace" || name == "test";
    if (needsValue && value == nullptr) {
        return failure("missing \"value\"");
    }
    if (name == "add") {
        return add(doc, *path, *value);
    }
    if (name == "remove") {
        auto removed = remove(doc, *path);
        if (!removed) {
            return std::unexpected(removed.error());
        }
        return {};
    }
    if (name == "replace") {
        return replace(doc, *path, *value);
    }
    if (name == "test") {
        auto target = resolve(doc, *path, path->size());
        if (!target) {
            return std::unexpected(target.error());
        }
        if (!jsonEqual(**target, *value)) {
            return failure(fmt::format("test failed: value at {} is {}, expected {}",
                                       pointerText(*path, path->size()), json::serialize(**target),
                                       json::serialize(*value)));
        }
        return {};
    }
    if (name == "move" || name == "copy") {
        auto from = pointerMember(op, "from");
        if (!from) {
            return std::unexpected(from.error());
        }
        if (name == "move") {
            if (*from == *path) {
                auto exists = resolve(doc, *from, from->size());
                if (!exists) {
                    return std::unexpected(exists.error());
                }
                return {};
            }
            if (isProperPrefix(*from, *path)) {
                return failure("cannot move a value into one of its own children");
            }
            auto moved = remove(doc, *from);
            if (!moved) {
                return std::unexpected(moved.error());
            }
            return add(doc, *path, std::move(*moved));
        }
        auto source = resolve(doc, *from, from->size());
        if (!source) {
            return std::unexpected(source.error());
        }
        json::value copy = **source;
        return add(doc, *path, std::move(copy));
    }
    return failure(fmt::format("unknown operation \"{}\"", name));
}

} // namespace

Result<std::vector<std::string>> parseJsonPointer(std::string_view pointer) {
    std::vector<std::string> tokens;
    if (pointer.empty()) {
        return tokens;
    }
    if (pointer.front() != '/') {
        return fail(
            ErrorCode::InvalidArgument,
            fmt::format("invalid JSON pointer {:?}: must be empty or start with '/'", pointer));
    }
    std::string current;
    for (size_t i = 1; i <= pointer.size(); ++i) {
        if (i == pointer.size() || pointer[i] == '/') {
            tokens.push_back(std::move(current));
            current.clear();
            continue;
        }
        if (pointer[i] == '~') {
            const char next = i + 1 < pointer.size() ? pointer[i + 1] : '\0';
            if (next != '0' && next != '1') {
                return fail(ErrorCode::InvalidArgument,
                            fmt::format("invalid JSON pointer {:?}: '~' must be followed by '0' "
                                        "or '1'",
                                        pointer));
            }
            current.push_back(next == '0' ? '~' : '/');
            ++i;
            continue;
        }
        current.push_back(pointer[i]);
    }
    return tokens;
}

Result<json::value> applyJsonPatch(const json::value& doc, const json::value& patch) {
    if (!patch.is_array()) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("json patch must be an array of operations, not a {}",
                                jsonTypeName(patch)));
    }
    const json::array& ops = patch.get_array();
    if (ops.size() > MaxJsonPatchOperations) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("The allowed maximum operations in a JSON patch is {}, got {}",
                                MaxJsonPatchOperations, ops.size()));
    }
    json::value result = doc;
    for (size_t i = 0; i < ops.size(); ++i) {
        if (!ops[i].is_object()) {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("json patch operation {}: must be an object, not a {}", i,
                                    jsonTypeName(ops[i])));
        }
        const json::object& op = ops[i].get_object();
        const json::value* name = op.if_contains("op");
        if (name == nullptr || !name->is_string()) {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("json patch operation {}: missing string \"op\"", i));
        }
        const json::value* path = op.if_contains("path");
        const std::string pathText =
            path != nullptr && path->is_string() ? std::string(path->get_string()) : "<none>";
        auto applied = applyOperation(result, op, name->get_string());
        if (!applied) {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("json patch operation {} ({} {}): {}", i,
                                    std::string_view(name->get_string()), pathText,
                                    applied.error().reason));
        }
    }
    return result;
}

} // namespace pilot::kube
