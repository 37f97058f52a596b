#pragma once

#include "gui/editors/workloadform.h"

namespace pilot::gui {

/// DaemonSet: update strategy (RollingUpdate with max unavailable/surge, or OnDelete) and the
/// pod template (its node selector and tolerations decide where it runs).
class DaemonSetForm : public WorkloadForm {
    Q_OBJECT
public:
    explicit DaemonSetForm(ObjectDocument* document, QWidget* parent = nullptr);
    [[nodiscard]] QString apiVersion() const override { return QStringLiteral("apps/v1"); }
    [[nodiscard]] QString kind() const override { return QStringLiteral("DaemonSet"); }
    [[nodiscard]] boost::json::object newObject(const QString& namespaceName) const override;
};

} // namespace pilot::gui
