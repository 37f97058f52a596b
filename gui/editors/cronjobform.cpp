#include "gui/editors/cronjobform.h"

#include "gui/editors/podtemplatesection.h"
#include "kube/cron/schedule.h"
#include "kube/cron/timezone.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLineEdit>

namespace pilot::gui {

namespace json = boost::json;

namespace {

const FieldPath JobSpec{QStringLiteral("spec"), QStringLiteral("jobTemplate"),
                        QStringLiteral("spec")};

} // namespace

CronJobForm::CronJobForm(ObjectDocument* document, QWidget* parent)
    : WorkloadForm(document, JobSpec / QStringLiteral("template"), false, parent) {
    auto* schedule = new QLineEdit(this);
    schedule->setObjectName(QStringLiteral("schedule"));
    addRow(
        formLayout(), [] { return tr("Schedule"); }, schedule,
        bindText(schedule, {QStringLiteral("spec"), QStringLiteral("schedule")}, TextKind::String,
                 [](const QString& v) -> QString {
                     if (v.isEmpty()) {
                         return validators::required(v);
                     }
                     if (auto parsed = pilot::cron::Schedule::parse(v.toStdString()); !parsed) {
                         return tr("Not a cron schedule: %1")
                             .arg(QString::fromStdString(parsed.error().message));
                     }
                     return {};
                 }));
    translated([schedule] {
        schedule->setPlaceholderText(tr("minute hour day month weekday, e.g. */15 * * * *"));
    });
    auto* zone = new QLineEdit(this);
    zone->setObjectName(QStringLiteral("timeZone"));
    addRow(
        formLayout(), [] { return tr("Time zone"); }, zone,
        bindText(zone, {QStringLiteral("spec"), QStringLiteral("timeZone")}, TextKind::String,
                 [](const QString& v) -> QString {
                     if (v.isEmpty() || pilot::cron::TimeZone::load(v.toStdString())) {
                         return {};
                     }
                     return tr("Unknown time zone (use an IANA name such as Europe/Berlin)");
                 }));
    translated([zone] { zone->setPlaceholderText(tr("the controller's (UTC)")); });
    auto* policy = new QComboBox(this);
    policy->setObjectName(QStringLiteral("concurrencyPolicy"));
    policy->addItem(QString(), QString());
    policy->addItem(QString(), QStringLiteral("Forbid"));
    policy->addItem(QString(), QStringLiteral("Replace"));
    translated([policy] {
        policy->setItemText(0, tr("Allow overlapping runs"));
        policy->setItemText(1, tr("Forbid: skip a run while one is active"));
        policy->setItemText(2, tr("Replace the active run"));
    });
    bindCombo(policy, {QStringLiteral("spec"), QStringLiteral("concurrencyPolicy")});
    addRow(
        formLayout(), [] { return tr("Concurrency"); }, policy);
    auto* suspend = new QCheckBox(this);
    suspend->setObjectName(QStringLiteral("suspend"));
    translated([suspend] { suspend->setText(tr("Suspended (no new runs)")); });
    bindCheck(suspend, {QStringLiteral("spec"), QStringLiteral("suspend")});
    formLayout()->addRow(QString(), suspend);
    addCount(
        {QStringLiteral("spec"), QStringLiteral("successfulJobsHistoryLimit")},
        [] { return tr("Keep succeeded Jobs"); }, [] { return tr("default (3)"); }, 0,
        QStringLiteral("successfulJobsHistoryLimit"));
    addCount(
        {QStringLiteral("spec"), QStringLiteral("failedJobsHistoryLimit")},
        [] { return tr("Keep failed Jobs"); }, [] { return tr("default (1)"); }, 0,
        QStringLiteral("failedJobsHistoryLimit"));
    addCount(
        {QStringLiteral("spec"), QStringLiteral("startingDeadlineSeconds")},
        [] { return tr("Starting deadline (s)"); }, [] { return tr("none"); }, 0,
        QStringLiteral("startingDeadlineSeconds"));
    addCount(
        JobSpec / QStringLiteral("completions"), [] { return tr("Completions"); },
        [] { return tr("default (1)"); }, 0, QStringLiteral("completions"));
    addCount(
        JobSpec / QStringLiteral("parallelism"), [] { return tr("Parallelism"); },
        [] { return tr("default (1)"); }, 0, QStringLiteral("parallelism"));
    addCount(
        JobSpec / QStringLiteral("backoffLimit"), [] { return tr("Retries (back-off limit)"); },
        [] { return tr("default (6)"); }, 0, QStringLiteral("backoffLimit"));
    addPodTemplate();
    podTemplate()->setRestartPolicies({QStringLiteral("Never"), QStringLiteral("OnFailure")});
}

QString CronJobForm::validateName(const QString& name) const {
    // The Job names add 11 characters (`-<minutes>`), so CronJob names are at most 52.
    if (const QString e = KindForm::validateName(name); !e.isEmpty()) {
        return e;
    }
    return name.size() > 52 ? tr("CronJob names are at most 52 characters") : QString();
}

json::object CronJobForm::newObject(const QString& namespaceName) const {
    json::object object = workloadObject(
        namespaceName, json::object{{"schedule", "*/5 * * * *"},
                                    {"jobTemplate", json::object{{"spec", json::object()}}}});
    if (json::value* policy = (JobSpec / QStringLiteral("template") / QStringLiteral("spec") /
                               QStringLiteral("restartPolicy"))
                                  .ensure(object)) {
        *policy = "Never";
    }
    return object;
}

} // namespace pilot::gui
