#include "engine/registry/management/retentionpolicy.h"

#include "engine/registry/management/doublestar.h"

#include "kube/jsonutil.h"

#include <boost/json/parse.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

namespace pilot::registry::management {

namespace json = boost::json;

namespace {

constexpr int64_t SecondsPerDay = 24 * 60 * 60;

bool knownTemplate(std::string_view name) {
    using namespace retentiontemplate;
    return name == LatestPushedK || name == LatestPulledN || name == DaysSinceLastPush ||
           name == DaysSinceLastPull || name == Always || name == Nothing;
}

bool takesCount(std::string_view name) {
    return name != retentiontemplate::Always && name != retentiontemplate::Nothing;
}

/// A count parameter: a JSON number (Harbor's UI sends numbers) or a numeric string.
std::optional<int64_t> countOf(const json::value& value) {
    if (auto number = kube::asInteger(value)) {
        return number;
    }
    if (value.is_double()) {
        return static_cast<int64_t>(value.as_double());
    }
    if (value.is_string()) {
        std::string_view text = value.as_string();
        int64_t out = 0;
        if (text.empty()) {
            return std::nullopt;
        }
        for (char c : text) {
            if (c < '0' || c > '9') {
                return std::nullopt;
            }
            out = out * 10 + (c - '0');
        }
        return out;
    }
    return std::nullopt;
}

Result<RetentionSelector> parseSelector(const json::value& value, std::string_view field,
                                        bool repository) {
    if (!value.is_object()) {
        return fail(ErrorCode::InvalidArgument, fmt::format("{}: must be an object", field));
    }
    const json::object& object = value.as_object();
    RetentionSelector selector;
    selector.kind = kube::stringAt(object, "kind");
    selector.decoration = kube::stringAt(object, "decoration");
    selector.pattern = kube::stringAt(object, "pattern");
    selector.extras = kube::stringAt(object, "extras");
    if (selector.kind != "doublestar") {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("{}.kind: unsupported selector kind \"{}\" (doublestar)", field,
                                selector.kind));
    }
    bool valid = repository
                     ? selector.decoration == "repoMatches" || selector.decoration == "repoExcludes"
                     : selector.decoration == "matches" || selector.decoration == "excludes";
    if (!valid) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("{}.decoration: unsupported decoration \"{}\" ({})", field,
                                selector.decoration,
                                repository ? "repoMatches, repoExcludes" : "matches, excludes"));
    }
    return selector;
}

Result<RetentionRule> parseRule(const json::value& value, size_t index) {
    std::string field = fmt::format("rules[{}]", index);
    if (!value.is_object()) {
        return fail(ErrorCode::InvalidArgument, fmt::format("{}: must be an object", field));
    }
    const json::object& object = value.as_object();
    RetentionRule rule;
    rule.id = kube::integerAt(object, "id").value_or(static_cast<int64_t>(index) + 1);
    rule.priority = kube::integerAt(object, "priority").value_or(0);
    rule.disabled = kube::boolAt(object, "disabled").value_or(false);
    if (std::string action = kube::stringAt(object, "action"); !action.empty()) {
        rule.action = action;
    }
    if (rule.action != "retain") {
        return fail(
            ErrorCode::InvalidArgument,
            fmt::format("{}.action: unsupported action \"{}\" (retain)", field, rule.action));
    }
    rule.templateName = kube::stringAt(object, "template");
    if (!knownTemplate(rule.templateName)) {
        return fail(
            ErrorCode::InvalidArgument,
            fmt::format("{}.template: unknown rule template \"{}\"", field, rule.templateName));
    }
    if (takesCount(rule.templateName)) {
        const json::object* params = kube::objectAt(object, "params");
        const json::value* count = params ? params->if_contains(rule.templateName) : nullptr;
        std::optional<int64_t> parsed = count ? countOf(*count) : std::nullopt;
        if (!parsed || *parsed < 0) {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("{}.params.{}: a non-negative number is required", field,
                                    rule.templateName));
        }
        rule.count = *parsed;
    }
    if (const json::array* selectors = kube::arrayAt(object, "tag_selectors")) {
        for (size_t i = 0; i < selectors->size(); ++i) {
            auto selector = parseSelector((*selectors)[i],
                                          fmt::format("{}.tag_selectors[{}]", field, i), false);
            if (!selector) {
                return std::unexpected(selector.error());
            }
            rule.tagSelectors.push_back(std::move(*selector));
        }
    }
    if (const json::object* scopes = kube::objectAt(object, "scope_selectors")) {
        for (const auto& [key, selectors] : *scopes) {
            if (key != "repository") {
                return fail(ErrorCode::InvalidArgument,
                            fmt::format("{}.scope_selectors: unsupported scope \"{}\" "
                                        "(repository)",
                                        field, std::string_view(key)));
            }
            if (!selectors.is_array()) {
                return fail(ErrorCode::InvalidArgument,
                            fmt::format("{}.scope_selectors.repository: must be an array", field));
            }
            for (size_t i = 0; i < selectors.as_array().size(); ++i) {
                auto selector =
                    parseSelector(selectors.as_array()[i],
                                  fmt::format("{}.scope_selectors.repository[{}]", field, i), true);
                if (!selector) {
                    return std::unexpected(selector.error());
                }
                rule.repositorySelectors.push_back(std::move(*selector));
            }
        }
    }
    return rule;
}

json::object selectorJson(const RetentionSelector& selector) {
    return json::object{{"kind", selector.kind},
                        {"decoration", selector.decoration},
                        {"pattern", selector.pattern},
                        {"extras", selector.extras}};
}

/// Harbor's doublestar tag selector on one artifact.
bool tagSelectorSelects(const RetentionSelector& selector, const Artifact& artifact) {
    bool excludes = selector.decoration == "excludes";
    // Untagged artifacts: selected by `matches` and not by `excludes` unless extras say.
    bool untagged = !excludes;
    if (!selector.extras.empty()) {
        boost::system::error_code ec;
        json::value extras = json::parse(selector.extras, ec);
        if (!ec && extras.is_object()) {
            untagged = kube::boolAt(extras.as_object(), "untagged").value_or(false);
        }
    }
    if (artifact.tags.empty()) {
        return excludes ? !untagged : untagged;
    }
    for (const std::string& tag : artifact.tags) {
        bool matched = doublestarMatch(selector.pattern, tag);
        if (matched != excludes) {
            return true;
        }
    }
    return false;
}

/// Indexes of the artifacts `rule` keeps among those its tag selectors select.
std::vector<size_t> keptBy(const RetentionRule& rule, std::span<const Artifact> artifacts,
                           int64_t now) {
    std::vector<size_t> selected;
    for (size_t i = 0; i < artifacts.size(); ++i) {
        bool all = std::ranges::all_of(rule.tagSelectors, [&](const RetentionSelector& s) {
            return tagSelectorSelects(s, artifacts[i]);
        });
        if (all) {
            selected.push_back(i);
        }
    }
    using namespace retentiontemplate;
    const std::string& name = rule.templateName;
    if (name == Always) {
        return selected;
    }
    if (name == Nothing) {
        return {};
    }
    auto newest = [&](auto key) {
        std::ranges::stable_sort(selected, [&](size_t a, size_t b) {
            if (key(artifacts[a]) != key(artifacts[b])) {
                return key(artifacts[a]) > key(artifacts[b]);
            }
            if (artifacts[a].pushed != artifacts[b].pushed) {
                return artifacts[a].pushed > artifacts[b].pushed;
            }
            return a > b; // pushed in the same second: the later manifest is the newer
        });
        if (selected.size() > static_cast<size_t>(rule.count)) {
            selected.resize(static_cast<size_t>(rule.count));
        }
        return selected;
    };
    if (name == LatestPushedK) {
        return newest([](const Artifact& a) { return a.pushed; });
    }
    if (name == LatestPulledN) {
        return newest([](const Artifact& a) { return a.pulled; });
    }
    int64_t cutoff = now - rule.count * SecondsPerDay;
    bool byPush = name == DaysSinceLastPush;
    std::erase_if(selected, [&](size_t i) {
        int64_t when = byPush ? artifacts[i].pushed : artifacts[i].pulled;
        return when == 0 || when < cutoff;
    });
    return selected;
}

} // namespace

Result<RetentionPolicy> parseRetentionPolicy(const json::value& body) {
    if (!body.is_object()) {
        return fail(ErrorCode::InvalidArgument, "retention policy: must be a JSON object");
    }
    const json::object& object = body.as_object();
    RetentionPolicy policy;
    policy.id = kube::integerAt(object, "id").value_or(0);
    if (std::string algorithm = kube::stringAt(object, "algorithm"); !algorithm.empty()) {
        policy.algorithm = algorithm;
    }
    if (policy.algorithm != "or") {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("algorithm: unsupported algorithm \"{}\" (or)", policy.algorithm));
    }
    if (const json::array* rules = kube::arrayAt(object, "rules")) {
        if (rules->size() > MaxRetentionRules) {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("rules: at most {} rules per policy, got {}", MaxRetentionRules,
                                    rules->size()));
        }
        for (size_t i = 0; i < rules->size(); ++i) {
            auto rule = parseRule((*rules)[i], i);
            if (!rule) {
                return std::unexpected(rule.error());
            }
            policy.rules.push_back(std::move(*rule));
        }
    }
    if (const json::object* trigger = kube::objectAt(object, "trigger")) {
        std::string kind = kube::stringAt(*trigger, "kind");
        if (!kind.empty() && kind != "Schedule") {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("trigger.kind: unsupported trigger \"{}\" (Schedule)", kind));
        }
        policy.cron = kube::stringAt(kube::objectAt(*trigger, "settings"), "cron");
    }
    const json::object* scope = kube::objectAt(object, "scope");
    std::string level = kube::stringAt(scope, "level");
    if (scope == nullptr || level != "project") {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("scope.level: must be \"project\", got \"{}\"", level));
    }
    policy.projectId = kube::integerAt(*scope, "ref").value_or(0);
    if (policy.projectId <= 0) {
        return fail(ErrorCode::InvalidArgument, "scope.ref: the project id is required");
    }
    return policy;
}

json::object retentionPolicyJson(const RetentionPolicy& policy) {
    json::array rules;
    for (const RetentionRule& rule : policy.rules) {
        json::object params;
        if (takesCount(rule.templateName)) {
            params[rule.templateName] = rule.count;
        }
        json::array tagSelectors;
        for (const RetentionSelector& selector : rule.tagSelectors) {
            tagSelectors.push_back(selectorJson(selector));
        }
        json::array repositorySelectors;
        for (const RetentionSelector& selector : rule.repositorySelectors) {
            repositorySelectors.push_back(selectorJson(selector));
        }
        rules.push_back(json::object{
            {"id", rule.id},
            {"priority", rule.priority},
            {"disabled", rule.disabled},
            {"action", rule.action},
            {"template", rule.templateName},
            {"params", std::move(params)},
            {"tag_selectors", std::move(tagSelectors)},
            {"scope_selectors", json::object{{"repository", std::move(repositorySelectors)}}}});
    }
    return json::object{{"id", policy.id},
                        {"algorithm", policy.algorithm},
                        {"rules", std::move(rules)},
                        {"trigger", json::object{{"kind", "Schedule"},
                                                 {"settings", json::object{{"cron", policy.cron}}},
                                                 {"references", json::object{}}}},
                        {"scope", json::object{{"level", "project"}, {"ref", policy.projectId}}}};
}

bool ruleCoversRepository(const RetentionRule& rule, std::string_view repositoryPath) {
    return std::ranges::all_of(rule.repositorySelectors, [&](const RetentionSelector& selector) {
        bool matched = doublestarMatch(selector.pattern, repositoryPath);
        return selector.decoration == "repoExcludes" ? !matched : matched;
    });
}

RetentionVerdict evaluateRetention(const RetentionPolicy& policy, std::string_view repositoryPath,
                                   std::span<const Artifact> artifacts, int64_t now) {
    RetentionVerdict verdict;
    verdict.retain.assign(artifacts.size(), false);
    for (const RetentionRule& rule : policy.rules) {
        if (rule.disabled || !ruleCoversRepository(rule, repositoryPath)) {
            continue;
        }
        verdict.covered = true;
        for (size_t i : keptBy(rule, artifacts, now)) {
            verdict.retain[i] = true;
        }
    }
    if (!verdict.covered) {
        verdict.retain.assign(artifacts.size(), true);
    }
    return verdict;
}

} // namespace pilot::registry::management
