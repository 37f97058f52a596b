#pragma once

#include "core/error.h"
#include "engine/registry/management/artifacts.h"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::registry::management {

/// Harbor's retention rule templates (`template`), with the parameter each one takes under the
/// same name in `params`.
namespace retentiontemplate {
inline constexpr std::string_view LatestPushedK = "latestPushedK";
inline constexpr std::string_view LatestPulledN = "latestPulledN";
inline constexpr std::string_view DaysSinceLastPush = "nDaysSinceLastPush";
inline constexpr std::string_view DaysSinceLastPull = "nDaysSinceLastPull";
inline constexpr std::string_view Always = "always";
inline constexpr std::string_view Nothing = "nothing";
} // namespace retentiontemplate

/// A tag or repository selector: `kind` `doublestar`; `decoration` `matches`/`excludes` for
/// tags, `repoMatches`/`repoExcludes` for repositories; `extras` a JSON text such as
/// `{"untagged":true}` (tag selectors: whether untagged artifacts are selected).
struct RetentionSelector {
    std::string kind = "doublestar";
    std::string decoration;
    std::string pattern;
    std::string extras;
};

struct RetentionRule {
    int64_t id = 0;
    int64_t priority = 0;
    bool disabled = false;
    std::string action = "retain";
    std::string templateName;
    /// The template's count (K, N or days); unused by `always` and `nothing`.
    int64_t count = 0;
    std::vector<RetentionSelector> tagSelectors;
    /// `scope_selectors.repository`.
    std::vector<RetentionSelector> repositorySelectors;
};

/// Harbor's RetentionPolicy: rules naming what to keep (OR-combined), a schedule trigger and
/// the project it applies to.
struct RetentionPolicy {
    int64_t id = 0;
    std::string algorithm = "or";
    std::vector<RetentionRule> rules;
    /// `trigger.settings.cron` (Harbor's 6-field cron), empty when not scheduled.
    std::string cron;
    /// `scope.ref`: the project id.
    int64_t projectId = 0;
};

inline constexpr size_t MaxRetentionRules = 15;

/// Parses and validates a RetentionPolicy body. InvalidArgument naming the field for an
/// unknown algorithm, template, action, selector kind or decoration, a missing or negative
/// count, more than 15 rules, or a scope other than a project.
[[nodiscard]] Result<RetentionPolicy> parseRetentionPolicy(const boost::json::value& body);
[[nodiscard]] boost::json::object retentionPolicyJson(const RetentionPolicy& policy);

/// Whether `rule`'s repository selectors take `repositoryPath` (the repository's name inside
/// its project, as Harbor matches it: `busybox` for `library/busybox`).
[[nodiscard]] bool ruleCoversRepository(const RetentionRule& rule, std::string_view repositoryPath);

/// The verdict on each artifact of one repository (`retain[i]` for `artifacts[i]`): kept when
/// any enabled rule covering the repository keeps it (its tag selectors select it, then its
/// template ranks it within the count); everything else goes. `covered` says whether any rule
/// covers the repository at all (when none does, the repository is left alone and every
/// verdict is "retain"). `now` in Unix seconds.
struct RetentionVerdict {
    bool covered = false;
    std::vector<bool> retain;
};
[[nodiscard]] RetentionVerdict evaluateRetention(const RetentionPolicy& policy,
                                                 std::string_view repositoryPath,
                                                 std::span<const Artifact> artifacts, int64_t now);

} // namespace pilot::registry::management
