#pragma once

#include "gui/editors/workloadform.h"

namespace pilot::gui {

/// Job: completions, parallelism, back-off limit, deadline, clean-up after finishing, and the pod
/// template with its restart policy (Never or OnFailure).
class JobForm : public WorkloadForm {
    Q_OBJECT
public:
    explicit JobForm(ObjectDocument* document, QWidget* parent = nullptr);
    [[nodiscard]] QString apiVersion() const override { return QStringLiteral("batch/v1"); }
    [[nodiscard]] QString kind() const override { return QStringLiteral("Job"); }
    [[nodiscard]] boost::json::object newObject(const QString& namespaceName) const override;
};

} // namespace pilot::gui
