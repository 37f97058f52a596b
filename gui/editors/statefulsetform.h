#pragma once

#include "gui/editors/workloadform.h"

namespace pilot::gui {

class RecordList;

/// StatefulSet: replicas, governing Service name, pod management policy, update strategy
/// (RollingUpdate with partition and max unavailable, or OnDelete), volume claim templates and
/// the pod template.
class StatefulSetForm : public WorkloadForm {
    Q_OBJECT
public:
    explicit StatefulSetForm(ObjectDocument* document, QWidget* parent = nullptr);
    [[nodiscard]] QString apiVersion() const override { return QStringLiteral("apps/v1"); }
    [[nodiscard]] QString kind() const override { return QStringLiteral("StatefulSet"); }
    [[nodiscard]] boost::json::object newObject(const QString& namespaceName) const override;
    [[nodiscard]] RecordList* claimTemplates() const { return m_claims; }

private:
    RecordList* m_claims;
};

/// One `volumeClaimTemplates[]` item: name, storage request, access mode, storage class.
class ClaimTemplateRow : public FormSection {
    Q_OBJECT
public:
    explicit ClaimTemplateRow(ObjectDocument* document, QWidget* parent = nullptr);
};

} // namespace pilot::gui
