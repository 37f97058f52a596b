// Printers for workload controllers: deployments, replica sets, replication controllers,
// stateful sets, daemon sets, jobs, cron jobs, pod templates, controller revisions, pod
// disruption budgets and horizontal pod autoscalers.

#include "engine/printers/printutil.h"

#include <fmt/format.h>

#include <cctype>

namespace pilot::printers::detail {
namespace json = boost::json;

namespace {

std::string name(const json::object& o) {
    return str(o, {"metadata", "name"});
}

ColumnDefinition containersColumn() {
    return column("Containers", "string", ContainersDescription, 1);
}

ColumnDefinition imagesColumn() {
    return column("Images", "string", ImagesDescription, 1);
}

ColumnDefinition selectorColumn(std::string_view description) {
    return column("Selector", "string", description, 1);
}

void addContainerCells(json::array& cells, const json::array* containers) {
    auto [names, images] = containerCells(containers);
    cells.emplace_back(names);
    cells.emplace_back(images);
}

json::array deploymentCells(const json::object& d, TimePoint now) {
    json::array cells;
    cells.emplace_back(name(d));
    cells.emplace_back(fmt::format("{}/{}", integer(d, {"status", "readyReplicas"}),
                                   integer(d, {"spec", "replicas"}, 1)));
    cells.emplace_back(integer(d, {"status", "updatedReplicas"}));
    cells.emplace_back(integer(d, {"status", "availableReplicas"}));
    cells.emplace_back(age(d, now));
    addContainerCells(cells, findArray(d, {"spec", "template", "spec", "containers"}));
    std::optional<std::string> selector = selectorString(findObject(d, {"spec", "selector"}));
    cells.emplace_back(selector ? *selector : "<invalid>");
    return cells;
}

json::array replicaSetCells(const json::object& rs, TimePoint now) {
    json::array cells;
    cells.emplace_back(name(rs));
    cells.emplace_back(integer(rs, {"spec", "replicas"}, 1));
    cells.emplace_back(integer(rs, {"status", "replicas"}));
    cells.emplace_back(integer(rs, {"status", "readyReplicas"}));
    cells.emplace_back(age(rs, now));
    addContainerCells(cells, findArray(rs, {"spec", "template", "spec", "containers"}));
    cells.emplace_back(formatLabelSelector(findObject(rs, {"spec", "selector"})));
    return cells;
}

json::array replicationControllerCells(const json::object& rc, TimePoint now) {
    json::array cells;
    cells.emplace_back(name(rc));
    cells.emplace_back(integer(rc, {"spec", "replicas"}, 1));
    cells.emplace_back(integer(rc, {"status", "replicas"}));
    cells.emplace_back(integer(rc, {"status", "readyReplicas"}));
    cells.emplace_back(age(rc, now));
    addContainerCells(cells, findArray(rc, {"spec", "template", "spec", "containers"}));
    cells.emplace_back(formatLabels(findObject(rc, {"spec", "selector"})));
    return cells;
}

json::array statefulSetCells(const json::object& sts, TimePoint now) {
    json::array cells;
    cells.emplace_back(name(sts));
    cells.emplace_back(fmt::format("{}/{}", integer(sts, {"status", "readyReplicas"}),
                                   integer(sts, {"spec", "replicas"}, 1)));
    cells.emplace_back(age(sts, now));
    addContainerCells(cells, findArray(sts, {"spec", "template", "spec", "containers"}));
    return cells;
}

json::array daemonSetCells(const json::object& ds, TimePoint now) {
    json::array cells;
    cells.emplace_back(name(ds));
    cells.emplace_back(integer(ds, {"status", "desiredNumberScheduled"}));
    cells.emplace_back(integer(ds, {"status", "currentNumberScheduled"}));
    cells.emplace_back(integer(ds, {"status", "numberReady"}));
    cells.emplace_back(integer(ds, {"status", "updatedNumberScheduled"}));
    cells.emplace_back(integer(ds, {"status", "numberAvailable"}));
    cells.emplace_back(formatLabels(findObject(ds, {"spec", "template", "spec", "nodeSelector"})));
    cells.emplace_back(age(ds, now));
    addContainerCells(cells, findArray(ds, {"spec", "template", "spec", "containers"}));
    cells.emplace_back(formatLabelSelector(findObject(ds, {"spec", "selector"})));
    return cells;
}

// hasJobCondition: the first condition of the type decides.
bool jobCondition(const json::object& job, std::string_view type) {
    const json::array* conditions = findArray(job, {"status", "conditions"});
    if (conditions == nullptr) {
        return false;
    }
    for (const json::value& c : *conditions) {
        const json::object* condition = c.if_object();
        if (condition != nullptr && str(*condition, {"type"}) == type) {
            return str(*condition, {"status"}) == "True";
        }
    }
    return false;
}

json::array jobCells(const json::object& job, TimePoint now) {
    int64_t succeeded = integer(job, {"status", "succeeded"});
    std::string completions;
    if (std::optional<int64_t> wanted = optInteger(job, {"spec", "completions"})) {
        completions = fmt::format("{}/{}", succeeded, *wanted);
    } else {
        int64_t parallelism = integer(job, {"spec", "parallelism"});
        completions = parallelism > 1 ? fmt::format("{}/1 of {}", succeeded, parallelism)
                                      : fmt::format("{}/1", succeeded);
    }
    std::string duration;
    std::optional<TimePoint> start = timeOf(find(job, {"status", "startTime"}));
    std::optional<TimePoint> end = timeOf(find(job, {"status", "completionTime"}));
    if (start) {
        TimePoint until = end ? *end : now;
        duration = formatAge(std::chrono::duration_cast<std::chrono::seconds>(until - *start));
    }
    const json::value* deletion = find(job, {"metadata", "deletionTimestamp"});
    std::string status = "Running";
    if (jobCondition(job, "Complete")) {
        status = "Complete";
    } else if (jobCondition(job, "Failed")) {
        status = "Failed";
    } else if (deletion != nullptr && !deletion->is_null()) {
        status = "Terminating";
    } else if (jobCondition(job, "Suspended")) {
        status = "Suspended";
    } else if (jobCondition(job, "FailureTarget")) {
        status = "FailureTarget";
    }
    json::array cells;
    cells.emplace_back(name(job));
    cells.emplace_back(status);
    cells.emplace_back(completions);
    cells.emplace_back(duration);
    cells.emplace_back(age(job, now));
    addContainerCells(cells, findArray(job, {"spec", "template", "spec", "containers"}));
    cells.emplace_back(formatLabelSelector(findObject(job, {"spec", "selector"})));
    return cells;
}

json::array cronJobCells(const json::object& cj, TimePoint now) {
    const json::value* last = find(cj, {"status", "lastScheduleTime"});
    const json::value* suspend = find(cj, {"spec", "suspend"});
    const json::value* timeZone = find(cj, {"spec", "timeZone"});
    json::array cells;
    cells.emplace_back(name(cj));
    cells.emplace_back(str(cj, {"spec", "schedule"}));
    cells.emplace_back(timeZone != nullptr && timeZone->is_string()
                           ? std::string(timeZone->get_string())
                           : std::string("<none>"));
    cells.emplace_back(suspend != nullptr && suspend->is_bool()
                           ? (suspend->get_bool() ? "True" : "False")
                           : "<unset>");
    cells.emplace_back(count(cj, {"status", "active"}));
    cells.emplace_back(last != nullptr && !last->is_null() ? since(last, now) : "<none>");
    cells.emplace_back(age(cj, now));
    addContainerCells(
        cells, findArray(cj, {"spec", "jobTemplate", "spec", "template", "spec", "containers"}));
    cells.emplace_back(
        formatLabelSelector(findObject(cj, {"spec", "jobTemplate", "spec", "selector"})));
    return cells;
}

json::array podTemplateCells(const json::object& pt, TimePoint) {
    json::array cells;
    cells.emplace_back(name(pt));
    addContainerCells(cells, findArray(pt, {"template", "spec", "containers"}));
    cells.emplace_back(formatLabels(findObject(pt, {"template", "metadata", "labels"})));
    return cells;
}

std::string lower(std::string text) {
    for (char& c : text) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return text;
}

json::array controllerRevisionCells(const json::object& cr, TimePoint now) {
    std::string controller = "<none>";
    if (const json::array* owners = findArray(cr, {"metadata", "ownerReferences"})) {
        for (const json::value& o : *owners) {
            const json::object* owner = o.if_object();
            if (owner == nullptr || !boolean(*owner, {"controller"})) {
                continue;
            }
            std::string apiVersion = str(*owner, {"apiVersion"});
            size_t slash = apiVersion.find('/');
            std::string group = slash == std::string::npos ? "" : apiVersion.substr(0, slash);
            std::string kind = str(*owner, {"kind"});
            std::string groupKind = group.empty() ? kind : kind + "." + group;
            controller = groupKind.empty() ? str(*owner, {"name"})
                                           : lower(groupKind) + "/" + str(*owner, {"name"});
            break;
        }
    }
    json::array cells;
    cells.emplace_back(name(cr));
    cells.emplace_back(controller);
    cells.emplace_back(integer(cr, {"revision"}));
    cells.emplace_back(age(cr, now));
    return cells;
}

json::array podDisruptionBudgetCells(const json::object& pdb, TimePoint now) {
    const json::value* minAvailable = find(pdb, {"spec", "minAvailable"});
    const json::value* maxUnavailable = find(pdb, {"spec", "maxUnavailable"});
    json::array cells;
    cells.emplace_back(name(pdb));
    cells.emplace_back(
        minAvailable != nullptr && !minAvailable->is_null() ? intOrString(minAvailable) : "N/A");
    cells.emplace_back(maxUnavailable != nullptr && !maxUnavailable->is_null()
                           ? intOrString(maxUnavailable)
                           : "N/A");
    cells.emplace_back(integer(pdb, {"status", "disruptionsAllowed"}));
    cells.emplace_back(age(pdb, now));
    return cells;
}

std::string quantity(const json::value* value) {
    return quantityText(value);
}

std::string percent(int64_t value) {
    return fmt::format("{}%", value);
}

// One entry of formatHPAMetrics for an autoscaling/v2 MetricSpec and its status (may be null).
std::string hpaMetric(const json::object& spec, const json::object* status) {
    std::string type = str(spec, {"type"});
    auto statusPart = [&](std::string_view member) -> const json::object* {
        return status == nullptr ? nullptr : findObject(*status, {member});
    };
    if (type == "External" || type == "Object") {
        std::string member = type == "External" ? "external" : "object";
        const json::object* source = findObject(spec, {member});
        const json::object* current = statusPart(member);
        const json::value* avgTarget =
            source == nullptr ? nullptr : find(*source, {"target", "averageValue"});
        if (avgTarget != nullptr && !avgTarget->is_null()) {
            const json::value* avg =
                current == nullptr ? nullptr : find(*current, {"current", "averageValue"});
            std::string cur = avg != nullptr && !avg->is_null() ? quantity(avg) : "<unknown>";
            return fmt::format("{}/{} (avg)", cur, quantity(avgTarget));
        }
        std::string cur = current != nullptr ? quantity(find(*current, {"current", "value"}))
                                             : std::string("<unknown>");
        return fmt::format(
            "{}/{}", cur,
            quantity(source == nullptr ? nullptr : find(*source, {"target", "value"})));
    }
    if (type == "Pods") {
        const json::object* source = findObject(spec, {"pods"});
        const json::object* current = statusPart("pods");
        std::string cur = current != nullptr ? quantity(find(*current, {"current", "averageValue"}))
                                             : std::string("<unknown>");
        return fmt::format(
            "{}/{}", cur,
            quantity(source == nullptr ? nullptr : find(*source, {"target", "averageValue"})));
    }
    if (type == "Resource" || type == "ContainerResource") {
        std::string member = type == "Resource" ? "resource" : "containerResource";
        const json::object* source = findObject(spec, {member});
        const json::object* current = statusPart(member);
        std::string resource = source == nullptr ? "" : str(*source, {"name"});
        const json::value* avgTarget =
            source == nullptr ? nullptr : find(*source, {"target", "averageValue"});
        if (avgTarget != nullptr && !avgTarget->is_null()) {
            std::string cur = current != nullptr
                                  ? quantity(find(*current, {"current", "averageValue"}))
                                  : std::string("<unknown>");
            return fmt::format("{}: {}/{}", resource, cur, quantity(avgTarget));
        }
        std::string cur = "<unknown>";
        if (current != nullptr) {
            if (std::optional<int64_t> u =
                    optInteger(*current, {"current", "averageUtilization"})) {
                cur = percent(*u);
            }
        }
        std::string target = "<auto>";
        if (source != nullptr) {
            if (std::optional<int64_t> u = optInteger(*source, {"target", "averageUtilization"})) {
                target = percent(*u);
            }
        }
        return fmt::format("{}: {}/{}", resource, cur, target);
    }
    return "<unknown type>";
}

std::string hpaTargets(const json::object& hpa) {
    std::vector<std::string> list;
    if (const json::array* metrics = findArray(hpa, {"spec", "metrics"})) {
        const json::array* statuses = findArray(hpa, {"status", "currentMetrics"});
        for (size_t i = 0; i < metrics->size(); ++i) {
            const json::object* spec = (*metrics)[i].if_object();
            if (spec == nullptr) {
                continue;
            }
            const json::object* status = nullptr;
            if (statuses != nullptr && i < statuses->size()) {
                status = (*statuses)[i].if_object();
            }
            list.push_back(hpaMetric(*spec, status));
        }
    } else if (std::optional<int64_t> target =
                   optInteger(hpa, {"spec", "targetCPUUtilizationPercentage"})) {
        // autoscaling/v1 keeps the CPU target in a field of its own.
        std::optional<int64_t> current =
            optInteger(hpa, {"status", "currentCPUUtilizationPercentage"});
        list.push_back(
            fmt::format("cpu: {}/{}", current ? percent(*current) : "<unknown>", percent(*target)));
    }
    if (list.empty()) {
        return "<none>";
    }
    constexpr size_t Max = 2;
    if (list.size() > Max) {
        size_t more = list.size() - Max;
        list.resize(Max);
        return fmt::format("{} + {} more...", join(list, ", "), more);
    }
    return join(list, ", ");
}

json::array hpaCells(const json::object& hpa, TimePoint now) {
    std::optional<int64_t> minReplicas = optInteger(hpa, {"spec", "minReplicas"});
    json::array cells;
    cells.emplace_back(name(hpa));
    cells.emplace_back(fmt::format("{}/{}", str(hpa, {"spec", "scaleTargetRef", "kind"}),
                                   str(hpa, {"spec", "scaleTargetRef", "name"})));
    cells.emplace_back(hpaTargets(hpa));
    cells.emplace_back(minReplicas ? std::to_string(*minReplicas) : std::string("<unset>"));
    cells.emplace_back(integer(hpa, {"spec", "maxReplicas"}));
    cells.emplace_back(integer(hpa, {"status", "currentReplicas"}));
    cells.emplace_back(age(hpa, now));
    return cells;
}

} // namespace

void addWorkloadPrinters(PrinterMap& printers) {
    addPrinter(printers, "deployments",
               {nameColumn(), column("Ready", "string", "Number of the pod with ready state"),
                column("Up-to-date", "string",
                       "Total number of non-terminated pods targeted by this deployment that "
                       "have the desired template spec."),
                column("Available", "string",
                       "Total number of available pods (ready for at least minReadySeconds) "
                       "targeted by this deployment."),
                ageColumn(), containersColumn(), imagesColumn(),
                selectorColumn("Label selector for pods. Existing ReplicaSets whose pods are "
                               "selected by this will be the ones affected by this deployment.")},
               deploymentCells);

    std::vector<ColumnDefinition> replicaColumns = {
        nameColumn(),
        column("Desired", "integer",
               "Replicas is the number of desired replicas. This is a pointer to distinguish "
               "between explicit zero and unspecified. Defaults to 1."),
        column("Current", "integer", "Replicas is the most recently observed number of replicas."),
        column("Ready", "integer",
               "The number of ready replicas for this replica set or controller."),
        ageColumn(),
        containersColumn(),
        imagesColumn(),
        selectorColumn("Selector is a label query over pods that should match the replica "
                       "count.")};
    addPrinter(printers, "replicasets", replicaColumns, replicaSetCells);
    addPrinter(printers, "replicationcontrollers", replicaColumns, replicationControllerCells);

    addPrinter(printers, "statefulsets",
               {nameColumn(), column("Ready", "string", "Number of the pod with ready state"),
                ageColumn(), containersColumn(), imagesColumn()},
               statefulSetCells);

    addPrinter(printers, "daemonsets",
               {nameColumn(),
                column("Desired", "integer",
                       "The total number of nodes that should be running the daemon pod."),
                column("Current", "integer",
                       "The number of nodes that are running at least 1 daemon pod and are "
                       "supposed to run the daemon pod."),
                column("Ready", "integer",
                       "The number of nodes that should be running the daemon pod and have one "
                       "or more of the daemon pod running and ready."),
                column("Up-to-date", "integer",
                       "The total number of nodes that are running updated daemon pod."),
                column("Available", "integer",
                       "The number of nodes that should be running the daemon pod and have one "
                       "or more of the daemon pod running and available."),
                column("Node Selector", "string",
                       "NodeSelector is a selector which must be true for the pod to fit on a "
                       "node."),
                ageColumn(), containersColumn(), imagesColumn(),
                selectorColumn("A label query over pods that are managed by the daemon set.")},
               daemonSetCells);

    addPrinter(
        printers, "jobs",
        {nameColumn(), column("Status", "string", "Status of the job."),
         column("Completions", "string", "The number of pods which reached phase Succeeded."),
         column("Duration", "string", "Time required to complete the job."), ageColumn(),
         containersColumn(), imagesColumn(),
         selectorColumn("A label query over pods that should match the pod count.")},
        jobCells);

    addPrinter(printers, "cronjobs",
               {nameColumn(),
                column("Schedule", "string",
                       "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
                column("Timezone", "string",
                       "The time zone name for the given schedule, see "
                       "https://en.wikipedia.org/wiki/List_of_tz_database_time_zones."),
                column("Suspend", "boolean",
                       "This flag tells the controller to suspend subsequent executions."),
                column("Active", "integer", "A list of pointers to currently running jobs."),
                column("Last Schedule", "string",
                       "Information when was the last time the job was successfully scheduled."),
                ageColumn(), containersColumn(), imagesColumn(),
                selectorColumn("A label query over pods that should match the pod count.")},
               cronJobCells);

    addPrinter(printers, "podtemplates",
               {nameColumn(), column("Containers", "string", ContainersDescription),
                column("Images", "string", ImagesDescription),
                column("Pod Labels", "string", "The labels for the pod template.")},
               podTemplateCells);

    addPrinter(printers, "controllerrevisions",
               {nameColumn(), column("Controller", "string", "Controller of the object"),
                column("Revision", "string",
                       "Revision indicates the revision of the state represented by Data."),
                ageColumn()},
               controllerRevisionCells);

    addPrinter(
        printers, "poddisruptionbudgets",
        {nameColumn(),
         column("Min Available", "string", "The minimum number of pods that must be available."),
         column("Max Unavailable", "string", "The maximum number of pods that may be unavailable."),
         column("Allowed Disruptions", "integer",
                "Calculated number of pods that may be disrupted at this time."),
         ageColumn()},
        podDisruptionBudgetCells);

    addPrinter(
        printers, "horizontalpodautoscalers",
        {nameColumn(),
         column("Reference", "string", "scaleTargetRef points to the target resource to scale."),
         column("Targets", "string",
                "metrics contains the specifications for which to use to calculate the "
                "desired replica count."),
         column("MinPods", "string",
                "minReplicas is the lower limit for the number of replicas to which the "
                "autoscaler can scale down."),
         column("MaxPods", "string",
                "maxReplicas is the upper limit for the number of replicas to which the "
                "autoscaler can scale up."),
         column("Replicas", "string",
                "currentReplicas is current number of replicas of pods managed by this "
                "autoscaler."),
         ageColumn()},
        hpaCells);
}

} // namespace pilot::printers::detail
