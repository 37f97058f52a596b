#include "engine/apiserver/changecounters.h"

#include "kube/objectmeta.h"

#include <fmt/format.h>

#include <charconv>
#include <optional>
#include <string>
#include <string_view>

namespace pilot::apiserver {
namespace json = boost::json;

namespace {

/// strconv.ParseInt(text, 10, 64), with its error text.
std::expected<int64_t, std::string> parseCount(std::string_view text) {
    std::string_view digits = text.starts_with('+') ? text.substr(1) : text;
    int64_t value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec == std::errc::result_out_of_range) {
        return std::unexpected(
            fmt::format("strconv.ParseInt: parsing \"{}\": value out of range", text));
    }
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
        return std::unexpected(
            fmt::format("strconv.ParseInt: parsing \"{}\": invalid syntax", text));
    }
    return value;
}

/// The stored count of `old` (0 when it has none, as an object stored before it was kept).
int64_t storedCount(const json::object& old, const std::string& annotation) {
    std::optional<std::string_view> text = kube::annotation(old, annotation);
    if (!text) {
        return 0;
    }
    auto parsed = parseCount(*text);
    return parsed ? *parsed : 0;
}

/// The member at a dotted path of objects ("spec.template"), or nullptr.
const json::value* memberAt(const json::object& root, std::string_view path) {
    const json::object* current = &root;
    while (current != nullptr) {
        const size_t dot = path.find('.');
        const json::value* found = current->if_contains(path.substr(0, dot));
        if (found == nullptr || dot == std::string_view::npos) {
            return found;
        }
        path.remove_prefix(dot + 1);
        current = found->if_object();
    }
    return nullptr;
}

bool samePart(const json::object& a, const json::object& b, std::string_view path) {
    const json::value* before = memberAt(a, path);
    const json::value* after = memberAt(b, path);
    return (before == nullptr) == (after == nullptr) && (before == nullptr || *before == *after);
}

} // namespace

ApiResult<void> applyChangeCounters(const kube::ResourceType& type, json::object& object,
                                    const json::object* old) {
    for (const kube::ChangeCounter& counter : type.changeCounters) {
        std::optional<int64_t> sent;
        if (std::optional<std::string_view> text = kube::annotation(object, counter.annotation)) {
            auto parsed = parseCount(*text);
            if (!parsed) {
                return apiFail(badRequest(fmt::format("{} in version \"{}\" cannot be handled as a "
                                                      "{}: {}",
                                                      type.gvk.kind, type.gvk.version,
                                                      type.gvk.kind, parsed.error())));
            }
            sent = *parsed;
        }
        int64_t count = 1;
        if (old == nullptr) {
            count = sent && *sent >= 1 ? *sent : 1;
        } else {
            count = storedCount(*old, counter.annotation) +
                    (samePart(*old, object, counter.path) ? 0 : 1);
        }
        json::object& metadata = kube::ensureMetadata(object);
        json::value& annotations = metadata["annotations"];
        if (!annotations.is_object()) {
            annotations.emplace_object();
        }
        if (count < 1) {
            annotations.get_object().erase(counter.annotation);
            if (annotations.get_object().empty()) {
                metadata.erase("annotations");
            }
            continue;
        }
        annotations.get_object()[counter.annotation] = std::to_string(count);
    }
    return {};
}

} // namespace pilot::apiserver
