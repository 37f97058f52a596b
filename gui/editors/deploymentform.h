#pragma once

#include "gui/editors/workloadform.h"

class QCheckBox;
class QComboBox;
class QSpinBox;

namespace pilot::gui {

class StrategySection;

/// Deployment: replicas, update strategy (RollingUpdate with max surge/unavailable, or
/// Recreate), the pod template, and, while creating, "also create a Service" whose ports are the
/// containers' ports and whose selector is the pod labels.
class DeploymentForm : public WorkloadForm {
    Q_OBJECT
public:
    explicit DeploymentForm(ObjectDocument* document, QWidget* parent = nullptr);

    [[nodiscard]] QString apiVersion() const override { return QStringLiteral("apps/v1"); }
    [[nodiscard]] QString kind() const override { return QStringLiteral("Deployment"); }
    [[nodiscard]] boost::json::object newObject(const QString& namespaceName) const override;
    [[nodiscard]] QList<boost::json::object> companionObjects() const override;

    [[nodiscard]] QSpinBox* replicas() const { return m_replicas; }
    [[nodiscard]] StrategySection* strategy() const { return m_strategy; }
    [[nodiscard]] QCheckBox* createService() const { return m_createService; }
    [[nodiscard]] QComboBox* serviceType() const { return m_serviceType; }

protected:
    void creatingChanged() override;

private:
    QSpinBox* m_replicas;
    StrategySection* m_strategy;
    QWidget* m_serviceRow;
    QCheckBox* m_createService;
    QComboBox* m_serviceType;
};

/// The Service that exposes a workload's pods: named like the workload, selecting its pod labels,
/// one port per container port (`<protocol>-<port>` unless the container names it).
[[nodiscard]] boost::json::object serviceForWorkload(const boost::json::object& workload,
                                                     const FieldPath& templatePath,
                                                     const QString& type);

} // namespace pilot::gui
