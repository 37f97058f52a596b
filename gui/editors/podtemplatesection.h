#pragma once

#include "gui/editors/formsection.h"

class QComboBox;

namespace pilot::gui {

class KeyValueTable;
class RecordList;

/// The pod template shared by every workload form (base: the template, e.g. `spec.template`, or
/// `spec.jobTemplate.spec.template` for CronJobs): pod labels, containers, volumes, node selector,
/// tolerations, service account and (for Jobs) restart policy.
class PodTemplateSection : public FormSection {
    Q_OBJECT
public:
    explicit PodTemplateSection(ObjectDocument* document, QWidget* parent = nullptr);

    [[nodiscard]] KeyValueTable* podLabels() const { return m_labels; }
    [[nodiscard]] RecordList* containers() const { return m_containers; }
    [[nodiscard]] RecordList* volumes() const { return m_volumes; }
    [[nodiscard]] KeyValueTable* nodeSelector() const { return m_nodeSelector; }
    [[nodiscard]] RecordList* tolerations() const { return m_tolerations; }
    /// Shows the restart policy choice (Jobs: Never/OnFailure; other workloads: hidden).
    void setRestartPolicies(const QStringList& policies);

Q_SIGNALS:
    /// The user changed the pod labels (workload forms keep the selector in step on create).
    void podLabelsEdited();

private:
    KeyValueTable* m_labels;
    RecordList* m_containers;
    RecordList* m_volumes;
    KeyValueTable* m_nodeSelector;
    RecordList* m_tolerations;
    QComboBox* m_restartPolicy;
    QWidget* m_restartLabel = nullptr;
};

/// One `volumes[]` item: a name and its source: emptyDir (medium, size limit), ConfigMap,
/// Secret, PersistentVolumeClaim or hostPath. Switching the source drops the previous one, as
/// `$retainKeys` does; other sources are kept and shown as such.
class VolumeRow : public FormSection {
    Q_OBJECT
public:
    enum Source { EmptyDir, ConfigMap, Secret, PersistentVolumeClaim, HostPath, Other };

    explicit VolumeRow(ObjectDocument* document, QWidget* parent = nullptr);
    void load(QObject* origin) override;
    [[nodiscard]] QComboBox* sourceCombo() const { return m_source; }

private:
    void sourceChosen(int index);
    void showFields();

    QComboBox* m_source;
    QList<QWidget*> m_fields; ///< per Source
};

/// One `tolerations[]` item: key, operator, value, effect, toleration seconds.
class TolerationRow : public FormSection {
    Q_OBJECT
public:
    explicit TolerationRow(ObjectDocument* document, QWidget* parent = nullptr);
};

} // namespace pilot::gui
