#pragma once

#include "gui/editors/workloadform.h"

namespace pilot::gui {

/// CronJob: schedule (checked as the API checks it), time zone, concurrency policy, suspend,
/// history limits, starting deadline, the Job's completions/parallelism/back-off, and the pod
/// template under `spec.jobTemplate.spec.template`.
class CronJobForm : public WorkloadForm {
    Q_OBJECT
public:
    explicit CronJobForm(ObjectDocument* document, QWidget* parent = nullptr);
    [[nodiscard]] QString apiVersion() const override { return QStringLiteral("batch/v1"); }
    [[nodiscard]] QString kind() const override { return QStringLiteral("CronJob"); }
    [[nodiscard]] boost::json::object newObject(const QString& namespaceName) const override;

protected:
    [[nodiscard]] QString validateName(const QString& name) const override;
};

} // namespace pilot::gui
