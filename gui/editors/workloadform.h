#pragma once

#include "gui/editors/kindform.h"

class QComboBox;
class QSpinBox;

namespace pilot::gui {

class PodTemplateSection;

/// A KindForm for a kind with a pod template (Deployment, StatefulSet, DaemonSet, Job, CronJob).
/// While creating, the labels follow the name ({app: <name>}) and, for kinds with a selector,
/// `spec.selector.matchLabels` follows the pod labels (it is immutable afterwards).
class WorkloadForm : public KindForm {
    Q_OBJECT
public:
    [[nodiscard]] PodTemplateSection* podTemplate() const { return m_podTemplate; }

protected:
    /// `templatePath`: where the pod template is; `hasSelector`: spec.selector.matchLabels
    /// follows the pod labels while creating.
    WorkloadForm(ObjectDocument* document, FieldPath templatePath, bool hasSelector,
                 QWidget* parent);
    /// Adds the pod template section (subclasses call it after their own rows).
    void addPodTemplate();
    /// A new workload: the kind's spec around a template with one container.
    [[nodiscard]] boost::json::object workloadObject(const QString& namespaceName,
                                                     boost::json::object spec) const;
    /// An optional whole-number field of the spec.
    QSpinBox* addCount(const FieldPath& relative, TextFunction label, TextFunction absent,
                       int minimum = 0, const QString& objectName = {});
    void nameEdited(const QString& before, const QString& after) override;

private:
    void syncSelector(QObject* origin);

    FieldPath m_templatePath;
    bool m_hasSelector;
    PodTemplateSection* m_podTemplate = nullptr;
};

/// The update strategy of a workload (base: `spec.strategy` or `spec.updateStrategy`): the type
/// and the fields of a rolling update. Choosing a type that has no rolling update removes it.
class StrategySection : public FormSection {
    Q_OBJECT
public:
    /// `types`: the choices, the first is the default; `rollingFields`: the rollingUpdate fields
    /// offered (`maxSurge`, `maxUnavailable`, `partition`).
    StrategySection(ObjectDocument* document, const QStringList& types,
                    const QStringList& rollingFields, QWidget* parent = nullptr);
    void load(QObject* origin) override;
    [[nodiscard]] QComboBox* typeCombo() const { return m_type; }

private:
    void typeChosen(int index);

    QComboBox* m_type;
    QWidget* m_rolling;
    QStringList m_types;
};

} // namespace pilot::gui
