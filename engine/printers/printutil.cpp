#include "engine/printers/printutil.h"

#include "kube/labelselector.h"
#include "kube/quantity.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace pilot::printers::detail {
namespace json = boost::json;

const json::value* find(const json::object& object, Path path) {
    const json::object* current = &object;
    const json::value* found = nullptr;
    for (std::string_view key : path) {
        if (current == nullptr) {
            return nullptr;
        }
        auto it = current->find(key);
        if (it == current->end()) {
            return nullptr;
        }
        found = &it->value();
        current = found->if_object();
    }
    return found;
}

const json::object* findObject(const json::object& object, Path path) {
    const json::value* v = find(object, path);
    return v == nullptr ? nullptr : v->if_object();
}

const json::array* findArray(const json::object& object, Path path) {
    const json::value* v = find(object, path);
    return v == nullptr ? nullptr : v->if_array();
}

std::string str(const json::object& object, Path path, std::string_view fallback) {
    const json::value* v = find(object, path);
    if (v == nullptr || !v->is_string()) {
        return std::string(fallback);
    }
    return std::string(v->get_string());
}

std::optional<int64_t> asInteger(const json::value& value) {
    switch (value.kind()) {
    case json::kind::int64:
        return value.get_int64();
    case json::kind::uint64:
        return static_cast<int64_t>(value.get_uint64());
    case json::kind::double_:
        return static_cast<int64_t>(value.get_double());
    default:
        return std::nullopt;
    }
}

std::optional<int64_t> optInteger(const json::object& object, Path path) {
    const json::value* v = find(object, path);
    if (v == nullptr) {
        return std::nullopt;
    }
    return asInteger(*v);
}

int64_t integer(const json::object& object, Path path, int64_t fallback) {
    return optInteger(object, path).value_or(fallback);
}

bool boolean(const json::object& object, Path path, bool fallback) {
    const json::value* v = find(object, path);
    if (v == nullptr || !v->is_bool()) {
        return fallback;
    }
    return v->get_bool();
}

int64_t count(const json::object& object, Path path) {
    const json::value* v = find(object, path);
    if (v == nullptr) {
        return 0;
    }
    if (const json::object* o = v->if_object()) {
        return static_cast<int64_t>(o->size());
    }
    if (const json::array* a = v->if_array()) {
        return static_cast<int64_t>(a->size());
    }
    return 0;
}

std::optional<TimePoint> timeOf(const json::value* timestamp) {
    if (timestamp == nullptr || !timestamp->is_string()) {
        return std::nullopt;
    }
    std::string_view text = timestamp->get_string();
    // Go's zero time; also out of range for system_clock.
    if (text.empty() || text.starts_with("0001-01-01")) {
        return std::nullopt;
    }
    Result<TimePoint> parsed = parseTime(text);
    if (!parsed) {
        return std::nullopt;
    }
    return *parsed;
}

std::string since(const json::value* timestamp, TimePoint now) {
    std::optional<TimePoint> t = timeOf(timestamp);
    if (!t) {
        return "<unknown>";
    }
    return formatAge(std::chrono::duration_cast<std::chrono::seconds>(now - *t));
}

std::string age(const json::object& object, TimePoint now) {
    return since(find(object, {"metadata", "creationTimestamp"}), now);
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) {
        if (i > 0) {
            out += separator;
        }
        out += parts[i];
    }
    return out;
}

std::string formatLabels(const json::object* labels) {
    if (labels == nullptr || labels->empty()) {
        return "<none>";
    }
    std::vector<std::string> keys;
    for (const auto& member : *labels) {
        keys.emplace_back(member.key());
    }
    std::sort(keys.begin(), keys.end());
    std::vector<std::string> parts;
    for (const std::string& key : keys) {
        const json::value& v = labels->at(key);
        parts.push_back(key + "=" + (v.is_string() ? std::string(v.get_string()) : ""));
    }
    return join(parts, ",");
}

std::optional<std::string> selectorString(const json::object* selector) {
    if (selector == nullptr) {
        return std::string();
    }
    json::value value = *selector;
    Result<kube::LabelSelector> parsed = kube::LabelSelector::fromJson(&value);
    if (!parsed) {
        return std::nullopt;
    }
    return parsed->toString();
}

std::string quantityText(const json::value* value) {
    if (value == nullptr || value->is_null()) {
        return "0";
    }
    Result<kube::Quantity> quantity = kube::Quantity::fromJson(*value);
    if (!quantity) {
        return value->is_string() ? std::string(value->get_string()) : intOrString(value);
    }
    return quantity->toString();
}

std::string formatLabelSelector(const json::object* selector) {
    std::optional<std::string> s = selectorString(selector);
    if (!s) {
        return "<error>";
    }
    return s->empty() ? "<none>" : *s;
}

std::pair<std::string, std::string> containerCells(const json::array* containers) {
    std::vector<std::string> names;
    std::vector<std::string> images;
    if (containers != nullptr) {
        for (const json::value& c : *containers) {
            const json::object* container = c.if_object();
            if (container == nullptr) {
                continue;
            }
            names.push_back(str(*container, {"name"}));
            images.push_back(str(*container, {"image"}));
        }
    }
    return {join(names, ","), join(images, ",")};
}

std::string intOrString(const json::value* value) {
    if (value == nullptr) {
        return "0";
    }
    if (value->is_string()) {
        return std::string(value->get_string());
    }
    if (std::optional<int64_t> i = asInteger(*value)) {
        return std::to_string(*i);
    }
    return "0";
}

ColumnDefinition column(std::string_view name, std::string_view type, std::string_view description,
                        int priority) {
    ColumnDefinition c;
    c.name = std::string(name);
    c.type = std::string(type);
    c.description = std::string(description);
    c.priority = priority;
    return c;
}

ColumnDefinition nameColumn() {
    ColumnDefinition c = column("Name", "string", NameDescription);
    c.format = "name";
    return c;
}

ColumnDefinition ageColumn() {
    return column("Age", "string", AgeDescription);
}

void addPrinter(PrinterMap& printers, std::string_view name, std::vector<ColumnDefinition> columns,
                FunctionPrinter::CellFunction cells) {
    printers.emplace(std::string(name),
                     std::make_shared<FunctionPrinter>(std::move(columns), cells));
}

} // namespace pilot::printers::detail
