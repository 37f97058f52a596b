#include "kube/strategicmerge.h"

#include "kube/jsonutil.h"
#include "kube/patchmeta.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <optional>
#include <unordered_set>

namespace pilot::kube {

namespace json = boost::json;

namespace {

constexpr std::string_view DirectiveMarker = "$patch";
constexpr std::string_view RetainKeysDirective = "$retainKeys";
constexpr std::string_view SetElementOrderPrefix = "$setElementOrder";
constexpr std::string_view DeleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList";
constexpr int MaxDepth = 500;

using FieldMeta = PatchMeta;

std::string childPath(std::string_view path, std::string_view key) {
    return fmt::format("{}.{}", path, key);
}

enum class Outcome { Merged, Deleted };

enum class ElemKind { None, Object, Scalar };

/// Where an item sits in a list, matching items by merge key (maps) or by value (scalars).
/// Works on the keys only, so the lists themselves can be moved, not copied.
class Ordering {
public:
    explicit Ordering(std::string_view mergeKey) : m_mergeKey(mergeKey) {}

    [[nodiscard]] const json::value& key(const json::value& item) const {
        static const json::value Null;
        if (m_mergeKey.empty()) {
            return item;
        }
        if (!item.is_object()) {
            return Null;
        }
        const json::value* k = item.get_object().if_contains(m_mergeKey);
        return k != nullptr ? *k : Null;
    }

    [[nodiscard]] std::vector<json::value> keys(const json::array& list) const {
        std::vector<json::value> out;
        out.reserve(list.size());
        for (const json::value& item : list) {
            out.push_back(key(item));
        }
        return out;
    }

    [[nodiscard]] std::ptrdiff_t indexIn(const std::vector<json::value>& keys,
                                         const json::value& item) const {
        const json::value& k = key(item);
        for (size_t i = 0; i < keys.size(); ++i) {
            if (jsonEqual(keys[i], k)) {
                return static_cast<std::ptrdiff_t>(i);
            }
        }
        return -1;
    }

    /// Upstream normalizeElementOrder: items named in `order` sorted by it, the others by their
    /// place in `server`, then interleaved so server-only items keep their relative position.
    [[nodiscard]] json::array normalize(json::array merged, const std::vector<json::value>& order,
                                        const std::vector<json::value>& server) const {
        std::vector<Keyed> named;
        std::vector<Keyed> serverOnly;
        for (json::value& item : merged) {
            const auto orderIndex = indexIn(order, item);
            const auto serverIndex = indexIn(server, item);
            if (orderIndex >= 0) {
                named.push_back({orderIndex, serverIndex, std::move(item)});
            } else {
                serverOnly.push_back({serverIndex, serverIndex, std::move(item)});
            }
        }
        const auto bySortKey = [](const Keyed& a, const Keyed& b) {
            // -1 (not listed) converts to the largest value and sorts last.
            return static_cast<size_t>(a.sortKey) < static_cast<size_t>(b.sortKey);
        };
        std::stable_sort(named.begin(), named.end(), bySortKey);
        std::stable_sort(serverOnly.begin(), serverOnly.end(), bySortKey);
        json::array out;
        out.reserve(named.size() + serverOnly.size());
        size_t i = 0;
        size_t j = 0;
        while (i < serverOnly.size() || j < named.size()) {
            const bool takeServer =
                j >= named.size() ||
                (i < serverOnly.size() && serverOnly[i].serverIndex >= 0 &&
                 named[j].serverIndex >= 0 && serverOnly[i].serverIndex < named[j].serverIndex);
            out.push_back(std::move(takeServer ? serverOnly[i++].item : named[j++].item));
        }
        return out;
    }

private:
    struct Keyed {
        std::ptrdiff_t sortKey;
        std::ptrdiff_t serverIndex;
        json::value item;
    };

    std::string_view m_mergeKey;
};

class Merger {
public:
    Result<Outcome> mergeObject(json::object& original, const json::object& patch,
                                const schema::Type* type, const std::string& path, int depth) {
        if (depth > MaxDepth) {
            return error(path, "patch is nested too deeply");
        }
        if (const json::value* directive = patch.if_contains(DirectiveMarker)) {
            const std::string_view d =
                directive->is_string() ? std::string_view(directive->get_string()) : "";
            if (d == "delete") {
                return Outcome::Deleted;
            }
            if (d == "replace") {
                original.clear();
                json::object rest = patch;
                rest.stable_erase(DirectiveMarker);
                return mergeObject(original, rest, type, path, depth + 1);
            }
            if (d != "merge") {
                return error(path, fmt::format("unknown patch type: {} in map",
                                               json::serialize(*directive)));
            }
        }
        if (auto st = applyRetainKeys(original, patch, path); !st) {
            return std::unexpected(st.error());
        }
        std::unordered_set<std::string> handled;
        for (const auto& [key, value] : patch) {
            if (!key.starts_with(SetElementOrderPrefix)) {
                continue;
            }
            if (auto st =
                    applySetElementOrder(original, patch, key, value, type, path, depth, handled);
                !st) {
                return std::unexpected(st.error());
            }
        }
        for (const auto& [keyView, patchValue] : patch) {
            const std::string key(keyView);
            if (key == DirectiveMarker || key == RetainKeysDirective ||
                key.starts_with(SetElementOrderPrefix) || handled.contains(key)) {
                continue;
            }
            if (key.starts_with(DeleteFromPrimitiveListPrefix)) {
                if (auto st = deleteFromPrimitiveList(original, key, patchValue, path); !st) {
                    return std::unexpected(st.error());
                }
                continue;
            }
            if (patchValue.is_null()) {
                original.stable_erase(key);
                continue;
            }
            const FieldMeta meta = lookupPatchMeta(type, key);
            const std::string here = childPath(path, key);
            auto it = original.find(key);
            if (it == original.end()) {
                auto added = sanitize(patchValue, meta, here, depth + 1);
                if (!added) {
                    return std::unexpected(added.error());
                }
                if (*added) {
                    original.emplace(key, std::move(**added));
                }
                continue;
            }
            json::value& current = it->value();
            if (current.is_object() && patchValue.is_object() && !meta.replaceMap) {
                auto outcome = mergeObject(current.get_object(), patchValue.get_object(), meta.type,
                                           here, depth + 1);
                if (!outcome) {
                    return std::unexpected(outcome.error());
                }
                if (*outcome == Outcome::Deleted) {
                    original.stable_erase(key);
                }
                continue;
            }
            if (current.is_array() && patchValue.is_array() && meta.mergeList) {
                auto merged = mergeList(std::move(current.get_array()), patchValue.get_array(),
                                        meta, here, depth + 1);
                if (!merged) {
                    return std::unexpected(merged.error());
                }
                current = std::move(*merged);
                continue;
            }
            auto replaced = sanitize(patchValue, meta, here, depth + 1);
            if (!replaced) {
                return std::unexpected(replaced.error());
            }
            if (*replaced) {
                current = std::move(**replaced);
            } else {
                original.stable_erase(key);
            }
        }
        return Outcome::Merged;
    }

private:
    static std::unexpected<Error> error(std::string_view path, std::string_view reason) {
        return fail(ErrorCode::InvalidArgument, fmt::format("strategic merge patch: {}: {}",
                                                            path.empty() ? "." : path, reason));
    }

    /// A patch value written where nothing is merged into it: applied onto an empty value so
    /// that directives and nulls are resolved. nullopt: the value deletes itself.
    Result<std::optional<json::value>> sanitize(const json::value& value, const FieldMeta& meta,
                                                const std::string& path, int depth) {
        if (value.is_object()) {
            json::object out;
            auto outcome = mergeObject(out, value.get_object(), meta.type, path, depth);
            if (!outcome) {
                return std::unexpected(outcome.error());
            }
            if (*outcome == Outcome::Deleted) {
                return std::optional<json::value>();
            }
            return std::optional<json::value>(std::move(out));
        }
        if (value.is_array()) {
            if (meta.mergeList) {
                auto merged = mergeList(json::array(), value.get_array(), meta, path, depth);
                if (!merged) {
                    return std::unexpected(merged.error());
                }
                return std::optional<json::value>(std::move(*merged));
            }
            // A replaced list is taken as is, minus stray directive elements.
            json::array out;
            for (const json::value& item : value.get_array()) {
                if (item.is_object() && item.get_object().contains(DirectiveMarker)) {
                    continue;
                }
                out.push_back(item);
            }
            return std::optional<json::value>(std::move(out));
        }
        return std::optional<json::value>(value);
    }

    Result<ElemKind> elementKind(const json::array& a, const json::array& b,
                                 const std::string& path) {
        ElemKind kind = ElemKind::None;
        std::string_view scalarType;
        for (const json::array* list : {&a, &b}) {
            for (const json::value& item : *list) {
                if (item.is_array()) {
                    return error(path, "lists of lists are not supported");
                }
                const ElemKind k = item.is_object() ? ElemKind::Object : ElemKind::Scalar;
                const std::string_view t = jsonTypeName(item);
                if (kind != ElemKind::None && (k != kind || t != scalarType)) {
                    return error(path, "list element types are not identical");
                }
                kind = k;
                scalarType = t;
            }
        }
        return kind;
    }

    static std::string keyLabel(std::string_view mergeKey, const json::value& value) {
        return fmt::format("[{}={}]", mergeKey,
                           value.is_string() ? std::string(value.get_string())
                                             : json::serialize(value));
    }

    /// Merges a patch list into `original` (consumed) for a list with strategy "merge".
    Result<json::array> mergeList(json::array original, const json::array& patch,
                                  const FieldMeta& meta, const std::string& path, int depth) {
        if (original.empty() && patch.empty()) {
            return original;
        }
        auto kind = elementKind(original, patch, path);
        if (!kind) {
            return std::unexpected(kind.error());
        }
        if (*kind != ElemKind::Object) {
            // Set union of scalars, duplicates removed, then ordered like upstream.
            const Ordering ordering("");
            const std::vector<json::value> serverKeys = ordering.keys(original);
            json::array merged;
            for (const json::array* list : {static_cast<const json::array*>(&original), &patch}) {
                for (const json::value& item : *list) {
                    const bool seen = std::any_of(merged.begin(), merged.end(), [&](const auto& m) {
                        return jsonEqual(m, item);
                    });
                    if (!seen) {
                        merged.push_back(item);
                    }
                }
            }
            return ordering.normalize(std::move(merged), ordering.keys(patch), serverKeys);
        }
        const std::string_view mergeKey = meta.mergeKey;
        if (mergeKey.empty()) {
            return error(path, "cannot merge lists of objects without a patchMergeKey");
        }
        json::array server = std::move(original);
        std::vector<const json::value*> items;
        bool replace = false;
        for (const json::value& item : patch) {
            const json::object& obj = item.get_object();
            const json::value* directive = obj.if_contains(DirectiveMarker);
            if (directive == nullptr) {
                items.push_back(&item);
                continue;
            }
            const std::string_view d =
                directive->is_string() ? std::string_view(directive->get_string()) : "";
            if (d == "delete") {
                const json::value* k = obj.if_contains(mergeKey);
                if (k == nullptr) {
                    return error(path, fmt::format("map: {} does not contain declared merge "
                                                   "key: {}",
                                                   json::serialize(item), mergeKey));
                }
                json::array kept;
                for (json::value& existing : server) {
                    const json::value* ek = existing.is_object()
                                                ? existing.get_object().if_contains(mergeKey)
                                                : nullptr;
                    if (ek == nullptr || !jsonEqual(*ek, *k)) {
                        kept.push_back(std::move(existing));
                    }
                }
                server = std::move(kept);
            } else if (d == "replace") {
                replace = true;
            } else if (d == "merge") {
                return error(path, "merging lists cannot yet be specified in the patch");
            } else {
                return error(path, fmt::format("unknown patch type: {} in map: {}",
                                               json::serialize(*directive), json::serialize(item)));
            }
        }
        const FieldMeta itemMeta{meta.itemType(), false, false, {}};
        if (replace) {
            json::array out;
            for (const json::value* item : items) {
                auto clean = sanitize(*item, itemMeta, path, depth + 1);
                if (!clean) {
                    return std::unexpected(clean.error());
                }
                if (*clean) {
                    out.push_back(std::move(**clean));
                }
            }
            return out;
        }
        const Ordering ordering(mergeKey);
        const std::vector<json::value> serverKeys = ordering.keys(server);
        std::vector<json::value> itemKeys;
        itemKeys.reserve(items.size());
        for (const json::value* item : items) {
            const json::value* k = item->get_object().if_contains(mergeKey);
            if (k == nullptr) {
                return error(path, fmt::format("map: {} does not contain declared merge key: {}",
                                               json::serialize(*item), mergeKey));
            }
            itemKeys.push_back(*k);
            const std::string here = path + keyLabel(mergeKey, *k);
            auto found = std::find_if(server.begin(), server.end(), [&](const json::value& m) {
                const json::value* mk =
                    m.is_object() ? m.get_object().if_contains(mergeKey) : nullptr;
                return mk != nullptr && jsonEqual(*mk, *k);
            });
            if (found != server.end()) {
                auto outcome = mergeObject(found->get_object(), item->get_object(), itemMeta.type,
                                           here, depth + 1);
                if (!outcome) {
                    return std::unexpected(outcome.error());
                }
                continue;
            }
            auto added = sanitize(*item, itemMeta, here, depth + 1);
            if (!added) {
                return std::unexpected(added.error());
            }
            if (*added) {
                server.push_back(std::move(**added));
            }
        }
        return ordering.normalize(std::move(server), itemKeys, serverKeys);
    }

    Status applyRetainKeys(json::object& original, const json::object& patch,
                           const std::string& path) {
        const json::value* retain = patch.if_contains(RetainKeysDirective);
        if (retain == nullptr) {
            return {};
        }
        if (!retain->is_array()) {
            return error(path, "invalid patch format of retainKeys: $retainKeys must be a list");
        }
        std::unordered_set<std::string> keep;
        for (const json::value& k : retain->get_array()) {
            if (!k.is_string()) {
                return error(path,
                             "invalid patch format of retainKeys: entries must be field names");
            }
            keep.emplace(k.get_string());
        }
        for (const auto& [key, value] : patch) {
            if (value.is_null() || key.starts_with('$')) {
                continue;
            }
            if (!keep.contains(std::string(key))) {
                return error(path, fmt::format("invalid patch format of retainKeys: field {:?} "
                                               "is patched but not listed in $retainKeys",
                                               std::string_view(key)));
            }
        }
        std::vector<std::string> drop;
        for (const auto& [key, value] : original) {
            if (!keep.contains(std::string(key))) {
                drop.emplace_back(key);
            }
        }
        for (const std::string& key : drop) {
            original.stable_erase(key);
        }
        return {};
    }

    static Result<std::string> directiveTarget(std::string_view key, std::string_view prefix,
                                               std::string_view what, const std::string& path) {
        if (key.size() <= prefix.size() + 1 || key[prefix.size()] != '/') {
            return error(path, fmt::format("invalid patch format of {}: {:?}", what, key));
        }
        return std::string(key.substr(prefix.size() + 1));
    }

    Status deleteFromPrimitiveList(json::object& original, const std::string& key,
                                   const json::value& values, const std::string& path) {
        auto target = directiveTarget(key, DeleteFromPrimitiveListPrefix, "primitive list", path);
        if (!target) {
            return std::unexpected(target.error());
        }
        if (!values.is_array()) {
            return error(path, fmt::format("invalid patch format of primitive list: {} must be "
                                           "a list",
                                           key));
        }
        auto it = original.find(*target);
        if (it == original.end() || !it->value().is_array()) {
            return {};
        }
        json::array kept;
        for (json::value& item : it->value().get_array()) {
            const bool drop = std::any_of(values.get_array().begin(), values.get_array().end(),
                                          [&](const json::value& v) { return jsonEqual(v, item); });
            if (!drop) {
                kept.push_back(std::move(item));
            }
        }
        it->value() = std::move(kept);
        return {};
    }

    /// Checks that the patch list names its items in the same relative order as the
    /// `$setElementOrder` list (upstream validatePatchWithSetOrderList).
    Status checkOrderConsistent(const json::array& patchList, const json::array& order,
                                std::string_view mergeKey, const std::string& path) {
        if (patchList.empty() || order.empty()) {
            return {};
        }
        const Ordering ordering(mergeKey);
        size_t p = 0;
        size_t o = 0;
        while (p < patchList.size() && o < order.size()) {
            const json::value& item = patchList[p];
            if (item.is_object() && item.get_object().contains(DirectiveMarker)) {
                ++p;
                continue;
            }
            if (!mergeKey.empty()) {
                for (const json::value* side : {&item, &order[o]}) {
                    if (!side->is_object() || !side->get_object().contains(mergeKey)) {
                        return error(path, fmt::format("map: {} does not contain declared merge "
                                                       "key: {}",
                                                       json::serialize(*side), mergeKey));
                    }
                }
            }
            if (jsonEqual(ordering.key(item), ordering.key(order[o]))) {
                ++p;
            }
            ++o;
        }
        while (p < patchList.size() && patchList[p].is_object() &&
               patchList[p].get_object().contains(DirectiveMarker)) {
            ++p;
        }
        if (p < patchList.size()) {
            return error(path, fmt::format("the order in patch list {} doesn't match "
                                           "$setElementOrder list {}",
                                           json::serialize(patchList), json::serialize(order)));
        }
        return {};
    }

    Status applySetElementOrder(json::object& original, const json::object& patch,
                                std::string_view directiveKey, const json::value& order,
                                const schema::Type* type, const std::string& path, int depth,
                                std::unordered_set<std::string>& handled) {
        auto target =
            directiveTarget(directiveKey, SetElementOrderPrefix, "setElementOrder list", path);
        if (!target) {
            return std::unexpected(target.error());
        }
        if (!order.is_array()) {
            return error(path, fmt::format("invalid patch format of setElementOrder list: {} must "
                                           "be a list",
                                           directiveKey));
        }
        const std::string& name = *target;
        const std::string here = childPath(path, name);
        const json::value* patchValue = patch.if_contains(name);
        if (patchValue != nullptr && patchValue->is_null()) {
            return {}; // the list itself is deleted; ordering is moot
        }
        json::value* originalValue = original.if_contains(name);
        if (originalValue != nullptr && !originalValue->is_array()) {
            return error(
                here, fmt::format("expected a list, but found a {}", jsonTypeName(*originalValue)));
        }
        if (patchValue != nullptr && !patchValue->is_array()) {
            return error(here, fmt::format("expected a list in the patch, but found a {}",
                                           jsonTypeName(*patchValue)));
        }
        const FieldMeta meta = lookupPatchMeta(type, name);
        const std::string_view mergeKey = meta.mergeList ? meta.mergeKey : std::string_view();
        static const json::array Empty;
        const json::array& patchList = patchValue != nullptr ? patchValue->get_array() : Empty;
        if (auto st = checkOrderConsistent(patchList, order.get_array(), mergeKey, here); !st) {
            return st;
        }
        if (!mergeKey.empty()) {
            for (const json::value& item : order.get_array()) {
                if (!item.is_object() || !item.get_object().contains(mergeKey)) {
                    return error(here, fmt::format("map: {} does not contain declared merge key: "
                                                   "{}",
                                                   json::serialize(item), mergeKey));
                }
            }
        }
        if (originalValue == nullptr && patchValue == nullptr) {
            return {};
        }
        const Ordering ordering(mergeKey);
        const std::vector<json::value> serverKeys = originalValue != nullptr
                                                        ? ordering.keys(originalValue->get_array())
                                                        : std::vector<json::value>();
        json::array merged =
            originalValue != nullptr ? std::move(originalValue->get_array()) : json::array();
        if (patchValue != nullptr) {
            if (meta.mergeList) {
                auto result = mergeList(std::move(merged), patchList, meta, here, depth + 1);
                if (!result) {
                    return std::unexpected(result.error());
                }
                merged = std::move(*result);
            } else {
                auto result = sanitize(*patchValue, meta, here, depth + 1);
                if (!result) {
                    return std::unexpected(result.error());
                }
                merged = std::move((*result)->get_array());
            }
        }
        original.insert_or_assign(
            name,
            ordering.normalize(std::move(merged), ordering.keys(order.get_array()), serverKeys));
        handled.insert(name);
        return {};
    }
};

} // namespace

Result<json::value> applyStrategicMergePatch(const json::value& original, const json::value& patch,
                                             const schema::Type* type) {
    if (!patch.is_object()) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("strategic merge patch must be a JSON object, not a {}",
                                jsonTypeName(patch)));
    }
    json::object result = original.is_object() ? original.get_object() : json::object();
    Merger merger;
    auto outcome = merger.mergeObject(result, patch.get_object(), type, "", 0);
    if (!outcome) {
        return std::unexpected(outcome.error());
    }
    if (*outcome == Outcome::Deleted) {
        return json::object();
    }
    return result;
}

} // namespace pilot::kube
