#include "engine/apiserver/selectors.h"

#include "kube/fieldselector.h"
#include "kube/labelselector.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace pilot::apiserver {
namespace json = boost::json;

std::vector<std::string> selectableFields(const kube::ResourceType& type) {
    std::vector<std::string> fields = {"metadata.name", "metadata.namespace"};
    for (const std::string& f : type.fieldSelectors) {
        if (std::find(fields.begin(), fields.end(), f) == fields.end()) {
            fields.push_back(f);
        }
    }
    return fields;
}

ApiResult<watchcache::Filter> buildFilter(const Request& request, const kube::ResourceType& type,
                                          const std::string& ns) {
    watchcache::Filter filter;
    filter.ns = ns;
    std::shared_ptr<kube::LabelSelector> labels;
    std::shared_ptr<kube::FieldSelector> fields;
    if (const std::string* text = request.param("labelSelector"); text && !text->empty()) {
        auto parsed = kube::LabelSelector::parse(*text);
        if (!parsed) {
            return apiFail(badRequest(parsed.error().message));
        }
        labels = std::make_shared<kube::LabelSelector>(std::move(*parsed));
    }
    if (const std::string* text = request.param("fieldSelector"); text && !text->empty()) {
        auto parsed = kube::FieldSelector::parse(*text);
        if (!parsed) {
            return apiFail(badRequest(parsed.error().message));
        }
        std::vector<std::string> allowed = selectableFields(type);
        for (std::string& a : allowed) {
            a = a.substr(0, a.find('=')); // "status.successful=status.succeeded"
        }
        for (const kube::FieldRequirement& term : parsed->requirements()) {
            if (std::find(allowed.begin(), allowed.end(), term.field) == allowed.end()) {
                std::string list;
                for (const std::string& a : allowed) {
                    list += (list.empty() ? "" : ", ") + fmt::format("\"{}\"", a);
                }
                return apiFail(badRequest(fmt::format(
                    "\"{}\" is not a known field selector: only {}", term.field, list)));
            }
        }
        // A metadata.name equality narrows the scan itself.
        if (auto name = parsed->requiresExactMatch("metadata.name")) {
            filter.name = *name;
        }
        fields = std::make_shared<kube::FieldSelector>(std::move(*parsed));
    }
    if (labels || fields) {
        filter.predicate = [labels, fields](const watchcache::CachedObject& object) {
            if (labels && !labels->matchesLookup([&object](std::string_view key) {
                    const std::string* value = object.label(key);
                    return value ? std::optional<std::string_view>(*value) : std::nullopt;
                })) {
                return false;
            }
            if (fields) {
                return fields->matches([&object](std::string_view field) -> std::string {
                    return std::string(object.field(field).value_or(std::string_view()));
                });
            }
            return true;
        };
    }
    return filter;
}

} // namespace pilot::apiserver
