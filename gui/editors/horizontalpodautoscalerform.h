#pragma once

#include "gui/editors/kindform.h"

class QComboBox;
class QSpinBox;

namespace pilot::gui {

/// HorizontalPodAutoscaler (autoscaling/v2): the workload it scales, min/max replicas, and target
/// average CPU and memory utilization (each a `Resource` metric; other metrics are kept).
class HorizontalPodAutoscalerForm : public KindForm {
    Q_OBJECT
public:
    explicit HorizontalPodAutoscalerForm(ObjectDocument* document, QWidget* parent = nullptr);
    [[nodiscard]] QString apiVersion() const override { return QStringLiteral("autoscaling/v2"); }
    [[nodiscard]] QString kind() const override {
        return QStringLiteral("HorizontalPodAutoscaler");
    }
    [[nodiscard]] boost::json::object newObject(const QString& namespaceName) const override;
    void load(QObject* origin) override;

private:
    void utilizationEdited(const QString& resource, QSpinBox* spin);

    QSpinBox* m_cpu;
    QSpinBox* m_memory;
};

} // namespace pilot::gui
