#include "gui/editors/jobform.h"

#include "gui/editors/podtemplatesection.h"

#include <boost/json/array.hpp>

namespace pilot::gui {

namespace json = boost::json;

JobForm::JobForm(ObjectDocument* document, QWidget* parent)
    : WorkloadForm(document, {QStringLiteral("spec"), QStringLiteral("template")}, false, parent) {
    addCount(
        {QStringLiteral("spec"), QStringLiteral("completions")}, [] { return tr("Completions"); },
        [] { return tr("default (1)"); }, 0, QStringLiteral("completions"));
    addCount(
        {QStringLiteral("spec"), QStringLiteral("parallelism")}, [] { return tr("Parallelism"); },
        [] { return tr("default (1)"); }, 0, QStringLiteral("parallelism"));
    addCount(
        {QStringLiteral("spec"), QStringLiteral("backoffLimit")},
        [] { return tr("Retries (back-off limit)"); }, [] { return tr("default (6)"); }, 0,
        QStringLiteral("backoffLimit"));
    addCount(
        {QStringLiteral("spec"), QStringLiteral("activeDeadlineSeconds")},
        [] { return tr("Deadline (s)"); }, [] { return tr("none"); }, 1,
        QStringLiteral("activeDeadlineSeconds"));
    addCount(
        {QStringLiteral("spec"), QStringLiteral("ttlSecondsAfterFinished")},
        [] { return tr("Delete after finishing (s)"); }, [] { return tr("never"); }, 0,
        QStringLiteral("ttlSecondsAfterFinished"));
    addPodTemplate();
    podTemplate()->setRestartPolicies({QStringLiteral("Never"), QStringLiteral("OnFailure")});
}

json::object JobForm::newObject(const QString& namespaceName) const {
    json::object object = workloadObject(namespaceName, json::object());
    object["spec"].as_object()["template"].as_object()["spec"].as_object()["restartPolicy"] =
        "Never";
    return object;
}

} // namespace pilot::gui
