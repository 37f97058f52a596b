// Validation of workload controllers: deployments, replica sets, stateful sets, daemon sets,
// replication controllers, pod templates (pkg/apis/apps/validation and core) and jobs and cron
// jobs (pkg/apis/batch/validation).

#include "engine/admission/cron.h"
#include "engine/admission/jsonaccess.h"
#include "engine/admission/validation.h"
#include "kube/jsonutil.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace pilot::admission::detail {
namespace json = boost::json;

namespace {

const json::object& orEmpty(const json::object* o) {
    static const json::object Empty;
    return o == nullptr ? Empty : *o;
}

const json::object* templateLabels(const json::object* tmpl) {
    const json::object* meta = tmpl == nullptr ? nullptr : objectAt(*tmpl, "metadata");
    return meta == nullptr ? nullptr : objectAt(*meta, "labels");
}

std::string templateSpecString(const json::object* tmpl, std::string_view member) {
    const json::object* spec = tmpl == nullptr ? nullptr : objectAt(*tmpl, "spec");
    return spec == nullptr ? "" : stringAt(*spec, member);
}

bool templateSpecHas(const json::object* tmpl, std::string_view member) {
    const json::object* spec = tmpl == nullptr ? nullptr : objectAt(*tmpl, "spec");
    return spec != nullptr && has(*spec, member);
}

void selectorMustMatchTemplate(const json::object* selector, const json::object* tmpl,
                               const std::string& tmplPath, Errors& errors) {
    std::optional<bool> matches = selectorMatches(selector, templateLabels(tmpl));
    if (matches && !*matches) {
        errors.invalid(child(child(tmplPath, "metadata"), "labels"),
                       goStringMap(templateLabels(tmpl)),
                       "`selector` does not match template `labels`");
    }
}

// The selector checks of deployments, replica sets and stateful sets: required, valid, not
// empty. Returns whether the selector parses (LabelSelectorAsSelector succeeded).
bool validateControllerSelector(const json::object& spec, std::string_view kind, Errors& errors) {
    const json::object* selector = objectAt(spec, "selector");
    if (selector == nullptr) {
        errors.required("spec.selector");
    } else {
        validateLabelSelector(selector, "spec.selector", errors);
        if (selectorEmpty(selector)) {
            errors.invalid("spec.selector", goLabelSelector(selector),
                           fmt::format("empty selector is invalid for {}", kind));
        }
    }
    return selector == nullptr || selectorMatches(selector, nullptr).has_value();
}

// ValidatePodTemplateSpecForReplicaSet (deployments and replica sets).
void validateReplicaTemplate(const json::object& spec, std::string_view ownerKind, Errors& errors) {
    const json::object* tmpl = objectAt(spec, "template");
    const json::object* selector = objectAt(spec, "selector");
    if (tmpl == nullptr) {
        errors.required("spec.template");
        return;
    }
    if (!selectorEmpty(selector)) {
        selectorMustMatchTemplate(selector, tmpl, "spec.template", errors);
    }
    validatePodTemplateSpec(tmpl, "spec.template", PodSpecRules{}, errors);
    std::string restartPolicy = templateSpecString(tmpl, "restartPolicy");
    if (restartPolicy != "Always") {
        errors.notSupported("spec.template.spec.restartPolicy", goQuote(restartPolicy), {"Always"});
    }
    if (templateSpecHas(tmpl, "activeDeadlineSeconds")) {
        const json::object& podSpec = orEmpty(objectAt(*tmpl, "spec"));
        errors.invalid("spec.template.spec.activeDeadlineSeconds",
                       goScalar(podSpec.at("activeDeadlineSeconds")),
                       fmt::format("activeDeadlineSeconds in {} is not Supported", ownerKind));
    }
}

void validateIntOrPercent(const json::value* value, const std::string& path, Errors& errors) {
    if (value == nullptr || value->is_null()) {
        return;
    }
    if (value->is_string()) {
        std::string_view text = value->get_string();
        bool valid =
            text.size() >= 2 && text.back() == '%' &&
            std::all_of(text.begin(), text.end() - 1, [](char c) { return c >= '0' && c <= '9'; });
        if (!valid) {
            errors.invalid(path, goIntOrString(value),
                           "a valid percent string must be a numeric string followed by an ending "
                           "'%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')");
        }
        return;
    }
    int64_t i = asInteger(*value).value_or(0);
    if (i < 0) {
        errors.invalid(path, std::to_string(i), "must be greater than or equal to 0");
    }
}

// The integer value of an IntOrString, percentages by their number.
int64_t intOrPercentValue(const json::value* value) {
    if (value == nullptr) {
        return 0;
    }
    if (value->is_string()) {
        std::string_view text = value->get_string();
        if (text.ends_with('%')) {
            text.remove_suffix(1);
        }
        int64_t n = 0;
        for (char c : text) {
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }
    return asInteger(*value).value_or(0);
}

void validateDeploymentStrategy(const json::object& spec, Errors& errors) {
    const json::object& strategy = orEmpty(objectAt(spec, "strategy"));
    std::string type = stringAt(strategy, "type");
    const json::object* rolling = objectAt(strategy, "rollingUpdate");
    if (type == "Recreate") {
        if (rolling != nullptr) {
            errors.forbidden("spec.strategy.rollingUpdate",
                             "may not be specified when strategy `type` is 'Recreate'");
        }
    } else if (type == "RollingUpdate") {
        if (rolling == nullptr) {
            errors.required("spec.strategy.rollingUpdate",
                            "this should be defaulted and never be nil");
            return;
        }
        const json::value* maxUnavailable = rolling->if_contains("maxUnavailable");
        const json::value* maxSurge = rolling->if_contains("maxSurge");
        validateIntOrPercent(maxUnavailable, "spec.strategy.rollingUpdate.maxUnavailable", errors);
        validateIntOrPercent(maxSurge, "spec.strategy.rollingUpdate.maxSurge", errors);
        if (intOrPercentValue(maxUnavailable) == 0 && intOrPercentValue(maxSurge) == 0) {
            errors.invalid("spec.strategy.rollingUpdate.maxUnavailable",
                           goIntOrString(maxUnavailable), "may not be 0 when `maxSurge` is 0");
        }
        if (maxUnavailable != nullptr && maxUnavailable->is_string() &&
            intOrPercentValue(maxUnavailable) > 100) {
            errors.invalid("spec.strategy.rollingUpdate.maxUnavailable",
                           goQuote(maxUnavailable->get_string()), "must not be greater than 100%");
        }
    } else {
        errors.notSupported("spec.strategy",
                            fmt::format("apps.DeploymentStrategy{{Type:{}, RollingUpdate:{}}}",
                                        goQuote(type),
                                        rolling == nullptr ? "(*apps.RollingUpdateDeployment)(nil)"
                                                           : "&apps.RollingUpdateDeployment{...}"),
                            {"Recreate", "RollingUpdate"});
    }
}

void validateDeployment(const json::object& d, const json::object* old, Errors& errors) {
    validateObjectMeta(d, true, NameRule::Subdomain, errors);
    const json::object& spec = orEmpty(objectAt(d, "spec"));
    validateNonNegative(spec, "replicas", "spec.replicas", errors);
    bool selectorParses = validateControllerSelector(spec, "deployment", errors);
    if (!selectorParses) {
        errors.invalid("spec.selector", goLabelSelector(objectAt(spec, "selector")),
                       "invalid label selector");
    } else {
        validateReplicaTemplate(spec, "ReplicaSet", errors);
    }
    validateDeploymentStrategy(spec, errors);
    validateNonNegative(spec, "minReadySeconds", "spec.minReadySeconds", errors);
    validateNonNegative(spec, "revisionHistoryLimit", "spec.revisionHistoryLimit", errors);
    if (std::optional<int64_t> deadline = integerAt(spec, "progressDeadlineSeconds")) {
        validateNonNegative(spec, "progressDeadlineSeconds", "spec.progressDeadlineSeconds",
                            errors);
        if (*deadline <= integerAt(spec, "minReadySeconds").value_or(0)) {
            errors.invalid("spec.progressDeadlineSeconds", std::to_string(*deadline),
                           "must be greater than minReadySeconds");
        }
    }
    if (old != nullptr) {
        const json::object& oldSpec = orEmpty(objectAt(*old, "spec"));
        validateImmutable(spec.if_contains("selector"), oldSpec.if_contains("selector"),
                          "spec.selector", goLabelSelector(objectAt(spec, "selector")), errors);
    }
}

void validateReplicaSet(const json::object& rs, const json::object* old, Errors& errors) {
    validateObjectMeta(rs, true, NameRule::Subdomain, errors);
    const json::object& spec = orEmpty(objectAt(rs, "spec"));
    validateNonNegative(spec, "replicas", "spec.replicas", errors);
    validateNonNegative(spec, "minReadySeconds", "spec.minReadySeconds", errors);
    // Upstream reuses the deployment wording here.
    if (!validateControllerSelector(spec, "deployment", errors)) {
        errors.invalid("spec.selector", goLabelSelector(objectAt(spec, "selector")),
                       "invalid label selector");
    } else {
        validateReplicaTemplate(spec, "ReplicaSet", errors);
    }
    if (old != nullptr) {
        const json::object& oldSpec = orEmpty(objectAt(*old, "spec"));
        validateImmutable(spec.if_contains("selector"), oldSpec.if_contains("selector"),
                          "spec.selector", goLabelSelector(objectAt(spec, "selector")), errors);
    }
}

void validateStatefulSet(const json::object& sts, const json::object* old, Errors& errors) {
    validateObjectMeta(sts, true, NameRule::Subdomain, errors);
    const json::object& spec = orEmpty(objectAt(sts, "spec"));
    std::string policy = stringAt(spec, "podManagementPolicy");
    if (policy.empty()) {
        errors.required("spec.podManagementPolicy");
    } else if (policy != "OrderedReady" && policy != "Parallel") {
        errors.invalid("spec.podManagementPolicy", goQuote(policy),
                       "must be 'OrderedReady' or 'Parallel'");
    }
    const json::object& strategy = orEmpty(objectAt(spec, "updateStrategy"));
    std::string strategyType = stringAt(strategy, "type");
    if (strategyType.empty()) {
        errors.required("spec.updateStrategy");
    } else if (strategyType == "OnDelete") {
        if (has(strategy, "rollingUpdate")) {
            errors.invalid("spec.updateStrategy.rollingUpdate",
                           "&apps.RollingUpdateStatefulSetStrategy{...}",
                           "only allowed for updateStrategy 'RollingUpdate'");
        }
    } else if (strategyType != "RollingUpdate") {
        errors.invalid(
            "spec.updateStrategy",
            fmt::format("apps.StatefulSetUpdateStrategy{{Type:{}}}", goQuote(strategyType)),
            "must be 'RollingUpdate' or 'OnDelete'");
    }
    validateNonNegative(spec, "replicas", "spec.replicas", errors);
    validateNonNegative(spec, "minReadySeconds", "spec.minReadySeconds", errors);
    bool selectorParses = validateControllerSelector(spec, "statefulset", errors);
    const json::object* tmpl = objectAt(spec, "template");
    if (!selectorParses) {
        errors.invalid("spec.selector", goLabelSelector(objectAt(spec, "selector")), "");
    } else if (tmpl == nullptr) {
        errors.required("spec.template");
    } else {
        const json::object* selector = objectAt(spec, "selector");
        if (!selectorEmpty(selector)) {
            selectorMustMatchTemplate(selector, tmpl, "spec.template", errors);
        }
        PodSpecRules rules;
        if (const json::array* claims = arrayAt(spec, "volumeClaimTemplates")) {
            for (const json::value& c : *claims) {
                if (const json::object* claim = c.if_object()) {
                    if (const json::object* meta = objectAt(*claim, "metadata")) {
                        rules.extraVolumes.insert(stringAt(*meta, "name"));
                    }
                }
            }
        }
        validatePodTemplateSpec(tmpl, "spec.template", rules, errors);
    }
    if (templateSpecString(tmpl, "restartPolicy") != "Always") {
        errors.notSupported("spec.template.spec.restartPolicy",
                            goQuote(templateSpecString(tmpl, "restartPolicy")), {"Always"});
    }
    if (templateSpecHas(tmpl, "activeDeadlineSeconds")) {
        errors.invalid("spec.template.spec.activeDeadlineSeconds",
                       goScalar(objectAt(*tmpl, "spec")->at("activeDeadlineSeconds")),
                       "must not be specified");
    }
    if (old == nullptr) {
        return;
    }
    // Only a few fields of a stateful set's spec may change.
    json::object now = spec;
    json::object before = orEmpty(objectAt(*old, "spec"));
    for (std::string_view field :
         {"replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit",
          "persistentVolumeClaimRetentionPolicy", "minReadySeconds"}) {
        now.erase(field);
        before.erase(field);
    }
    if (!kube::jsonEqual(json::value(now), json::value(before))) {
        errors.forbidden("spec",
                         "updates to statefulset spec for fields other than 'replicas', "
                         "'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', "
                         "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are "
                         "forbidden");
    }
}

void validateDaemonSet(const json::object& ds, const json::object* old, Errors& errors) {
    validateObjectMeta(ds, true, NameRule::Subdomain, errors);
    const json::object& spec = orEmpty(objectAt(ds, "spec"));
    const json::object* selector = objectAt(spec, "selector");
    const json::object* tmpl = objectAt(spec, "template");
    validateLabelSelector(selector, "spec.selector", errors);
    selectorMustMatchTemplate(selector, tmpl, "spec.template", errors);
    if (selector != nullptr && selectorEmpty(selector)) {
        errors.invalid("spec.selector", goLabelSelector(selector),
                       "empty selector is invalid for daemonset");
    }
    validatePodTemplateSpec(tmpl, "spec.template", PodSpecRules{}, errors);
    if (templateSpecString(tmpl, "restartPolicy") != "Always") {
        errors.notSupported("spec.template.spec.restartPolicy",
                            goQuote(templateSpecString(tmpl, "restartPolicy")), {"Always"});
    }
    if (templateSpecHas(tmpl, "activeDeadlineSeconds")) {
        errors.invalid("spec.template.spec.activeDeadlineSeconds",
                       goScalar(objectAt(*tmpl, "spec")->at("activeDeadlineSeconds")),
                       "must not be specified");
    }
    validateNonNegative(spec, "minReadySeconds", "spec.minReadySeconds", errors);
    const json::object& strategy = orEmpty(objectAt(spec, "updateStrategy"));
    std::string strategyType = stringAt(strategy, "type");
    if (strategyType.empty()) {
        errors.required("spec.updateStrategy.type");
    } else if (strategyType != "OnDelete" && strategyType != "RollingUpdate") {
        errors.notSupported("spec.updateStrategy.type", goQuote(strategyType),
                            {"OnDelete", "RollingUpdate"});
    }
    if (old != nullptr) {
        const json::object& oldSpec = orEmpty(objectAt(*old, "spec"));
        validateImmutable(spec.if_contains("selector"), oldSpec.if_contains("selector"),
                          "spec.selector", goLabelSelector(selector), errors);
    }
}

void validateReplicationController(const json::object& rc, Errors& errors) {
    validateObjectMeta(rc, true, NameRule::Subdomain, errors);
    const json::object& spec = orEmpty(objectAt(rc, "spec"));
    validateNonNegative(spec, "minReadySeconds", "spec.minReadySeconds", errors);
    const json::object* selector = objectAt(spec, "selector");
    if (selector == nullptr || selector->empty()) {
        errors.required("spec.selector");
    }
    validateNonNegative(spec, "replicas", "spec.replicas", errors);
    const json::object* tmpl = objectAt(spec, "template");
    if (tmpl == nullptr) {
        errors.required("spec.template");
        return;
    }
    if (selector != nullptr && !selector->empty() &&
        !mapSelectorMatches(*selector, templateLabels(tmpl))) {
        errors.invalid("spec.template.metadata.labels", goStringMap(templateLabels(tmpl)),
                       "`selector` does not match template `labels`");
    }
    validatePodTemplateSpec(tmpl, "spec.template", PodSpecRules{}, errors);
    if (templateSpecString(tmpl, "restartPolicy") != "Always") {
        errors.notSupported("spec.template.spec.restartPolicy",
                            goQuote(templateSpecString(tmpl, "restartPolicy")), {"Always"});
    }
}

} // namespace

void validateWorkload(std::string_view plural, const json::object& object, const json::object* old,
                      Errors& errors) {
    if (plural == "deployments") {
        validateDeployment(object, old, errors);
    } else if (plural == "replicasets") {
        validateReplicaSet(object, old, errors);
    } else if (plural == "statefulsets") {
        validateStatefulSet(object, old, errors);
    } else if (plural == "daemonsets") {
        validateDaemonSet(object, old, errors);
    } else if (plural == "replicationcontrollers") {
        validateReplicationController(object, errors);
    } else if (plural == "podtemplates") {
        validateObjectMeta(object, true, NameRule::Subdomain, errors);
        validatePodTemplateSpec(objectAt(object, "template"), "template", PodSpecRules{}, errors);
    }
}

// --- jobs and cron jobs ------------------------------------------------------------------------

namespace {

void validateJobRestartPolicy(const json::object* tmpl, const std::string& specPath,
                              bool podFailurePolicy, Errors& errors) {
    std::string policy = templateSpecString(tmpl, "restartPolicy");
    const std::string path = specPath + ".template.spec.restartPolicy";
    if (policy == "Always" || policy.empty()) {
        errors.required(path, "valid values: \"OnFailure\", \"Never\"");
    } else if (policy != "OnFailure" && policy != "Never") {
        errors.notSupported(path, goQuote(policy), {"OnFailure", "Never"});
    } else if (podFailurePolicy && policy != "Never") {
        errors.invalid(path, goQuote(policy),
                       "only \"Never\" is supported when podFailurePolicy is specified");
    }
}

// validateJobSpec: the checks shared by jobs and cron job templates.
void validateJobSpecCommon(const json::object& spec, const std::string& path, Errors& errors) {
    for (std::string_view member :
         {"parallelism", "completions", "activeDeadlineSeconds", "backoffLimit",
          "ttlSecondsAfterFinished", "backoffLimitPerIndex", "maxFailedIndexes"}) {
        validateNonNegative(spec, member, child(path, member), errors);
    }
    std::string mode = stringAt(spec, "completionMode");
    if (has(spec, "completionMode") && mode != "NonIndexed" && mode != "Indexed") {
        errors.notSupported(child(path, "completionMode"), goQuote(mode),
                            {"NonIndexed", "Indexed"});
    }
    if (mode == "Indexed" && !has(spec, "completions")) {
        errors.required(child(path, "completions"), "when completion mode is Indexed");
    }
    const json::object* tmpl = objectAt(spec, "template");
    PodSpecRules rules;
    rules.jobTemplate = true;
    validatePodTemplateSpec(tmpl, child(path, "template"), rules, errors);
    validateJobRestartPolicy(tmpl, path, has(spec, "podFailurePolicy"), errors);
}

void validateJob(const json::object& job, const json::object* old, Errors& errors) {
    validateObjectMeta(job, true, NameRule::Subdomain, errors);
    const json::object& spec = orEmpty(objectAt(job, "spec"));
    validateJobSpecCommon(spec, "spec", errors);
    const json::object* selector = objectAt(spec, "selector");
    if (selector == nullptr) {
        errors.required("spec.selector");
    } else {
        validateLabelSelector(selector, "spec.selector", errors);
    }
    // A missing selector selects nothing, so the template never matches it either.
    selectorMustMatchTemplate(selector, objectAt(spec, "template"), "spec.template", errors);
    if (old == nullptr) {
        return;
    }
    const json::object& oldSpec = orEmpty(objectAt(*old, "spec"));
    validateImmutable(
        spec.if_contains("completions"), oldSpec.if_contains("completions"), "spec.completions",
        spec.contains("completions") ? goScalar(spec.at("completions")) : "null", errors);
    validateImmutable(spec.if_contains("selector"), oldSpec.if_contains("selector"),
                      "spec.selector", goLabelSelector(selector), errors);
    // A suspended job that never started may still change its scheduling directives.
    json::value nowTemplate = spec.contains("template") ? spec.at("template") : json::value();
    json::value oldTemplate = oldSpec.contains("template") ? oldSpec.at("template") : json::value();
    bool suspended = boolAt(spec, "suspend").value_or(false);
    const json::object* oldStatus = objectAt(*old, "status");
    if (suspended && (oldStatus == nullptr || !has(*oldStatus, "startTime"))) {
        for (json::value* t : {&nowTemplate, &oldTemplate}) {
            if (json::object* o = t->if_object()) {
                if (json::object* meta = mutableObject(*o, "metadata")) {
                    meta->erase("labels");
                    meta->erase("annotations");
                }
                if (json::object* podSpec = mutableObject(*o, "spec")) {
                    for (std::string_view field :
                         {"nodeSelector", "tolerations", "affinity", "schedulingGates"}) {
                        podSpec->erase(field);
                    }
                }
            }
        }
    }
    if (!kube::jsonEqual(nowTemplate, oldTemplate)) {
        errors.invalid("spec.template", "core.PodTemplateSpec{...}", "field is immutable");
    }
    for (std::string_view field : {"completionMode", "podFailurePolicy", "backoffLimitPerIndex",
                                   "managedBy", "successPolicy"}) {
        const json::value* now = spec.if_contains(field);
        validateImmutable(now, oldSpec.if_contains(field), child("spec", field),
                          now == nullptr ? "null" : goScalar(*now), errors);
    }
}

void validateCronJob(const json::object& cj, const json::object* old, Errors& errors) {
    validateObjectMeta(cj, true, NameRule::Subdomain, errors);
    const json::object& spec = orEmpty(objectAt(cj, "spec"));
    std::string schedule = stringAt(spec, "schedule");
    if (schedule.empty()) {
        errors.required("spec.schedule");
    } else {
        if (std::optional<std::string> error = cronScheduleError(schedule)) {
            errors.invalid("spec.schedule", goQuote(schedule), *error);
        }
        bool allowTz =
            old != nullptr &&
            stringAt(orEmpty(objectAt(*old, "spec")), "schedule").find("TZ") != std::string::npos;
        if (schedule.find("TZ") != std::string::npos) {
            if (!allowTz) {
                errors.invalid("spec.schedule", goQuote(schedule),
                               "cannot use TZ or CRON_TZ in schedule, use timeZone field instead");
            } else if (has(spec, "timeZone")) {
                errors.invalid("spec.schedule", goQuote(schedule),
                               "cannot use both timeZone field and TZ or CRON_TZ in schedule");
            }
        }
    }
    validateNonNegative(spec, "startingDeadlineSeconds", "spec.startingDeadlineSeconds", errors);
    // validateTimeZone, only when the zone is new or changed (as upstream).
    const json::value* tz = spec.if_contains("timeZone");
    const json::value* oldTz =
        old == nullptr ? nullptr : orEmpty(objectAt(*old, "spec")).if_contains("timeZone");
    bool tzChanged = old == nullptr || (tz == nullptr) != (oldTz == nullptr) ||
                     (tz != nullptr && !kube::jsonEqual(*tz, *oldTz));
    if (tz != nullptr && tz->is_string() && tzChanged) {
        std::string zone(tz->get_string());
        std::string lower = zone;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (zone.empty()) {
            errors.invalid("spec.timeZone", goQuote(zone),
                           "timeZone must be nil or non-empty string");
        } else {
            if (lower == "local") {
                errors.invalid("spec.timeZone", goQuote(zone),
                               "timeZone must be an explicit time zone as defined in "
                               "https://www.iana.org/time-zones");
            }
            if (std::optional<std::string> error = timeZoneError(zone)) {
                errors.invalid("spec.timeZone", goQuote(zone), *error);
            }
        }
    }
    std::string concurrency = stringAt(spec, "concurrencyPolicy");
    if (concurrency.empty()) {
        errors.required("spec.concurrencyPolicy");
    } else if (concurrency != "Allow" && concurrency != "Forbid" && concurrency != "Replace") {
        errors.notSupported("spec.concurrencyPolicy", goQuote(concurrency),
                            {"Allow", "Forbid", "Replace"});
    }
    const json::object& jobTemplate = orEmpty(objectAt(spec, "jobTemplate"));
    const json::object& jobSpec = orEmpty(objectAt(jobTemplate, "spec"));
    validateJobSpecCommon(jobSpec, "spec.jobTemplate.spec", errors);
    if (const json::object* selector = objectAt(jobSpec, "selector")) {
        errors.invalid("spec.jobTemplate.spec.selector", goLabelSelector(selector),
                       "`selector` will be auto-generated");
    }
    if (boolAt(jobSpec, "manualSelector").value_or(false)) {
        errors.notSupported("spec.jobTemplate.spec.manualSelector", "true", {"nil", "false"});
    }
    validateNonNegative(spec, "successfulJobsHistoryLimit", "spec.successfulJobsHistoryLimit",
                        errors);
    validateNonNegative(spec, "failedJobsHistoryLimit", "spec.failedJobsHistoryLimit", errors);
    if (old == nullptr) {
        // Job names get an 11-character suffix and must stay within 63 characters.
        const json::object& meta = orEmpty(objectAt(cj, "metadata"));
        std::string name = stringAt(meta, "name");
        if (name.size() > 52) {
            errors.invalid("metadata.name", goQuote(name), "must be no more than 52 characters");
        }
    }
}

} // namespace

void validateJobKind(std::string_view plural, const json::object& object, const json::object* old,
                     Errors& errors) {
    if (plural == "jobs") {
        validateJob(object, old, errors);
    } else if (plural == "cronjobs") {
        validateCronJob(object, old, errors);
    }
}

} // namespace pilot::admission::detail
