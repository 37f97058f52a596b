#pragma once

#include "gui/editors/formsection.h"

class QComboBox;
class QLineEdit;
class QPlainTextEdit;

namespace pilot::gui {

class ProbeSection;
class RecordList;

/// One container of a pod template (base: `...spec.containers[i]`): name, image, pull policy,
/// command and args, ports, environment (values, ConfigMap and Secret keys, envFrom), resource
/// requests and limits, liveness and readiness probes, and volume mounts.
class ContainerSection : public FormSection {
    Q_OBJECT
public:
    explicit ContainerSection(ObjectDocument* document, QWidget* parent = nullptr);

    [[nodiscard]] QLineEdit* nameEdit() const { return m_name; }
    [[nodiscard]] QLineEdit* imageEdit() const { return m_image; }
    [[nodiscard]] RecordList* ports() const { return m_ports; }
    [[nodiscard]] RecordList* env() const { return m_env; }
    [[nodiscard]] RecordList* envFrom() const { return m_envFrom; }
    [[nodiscard]] RecordList* volumeMounts() const { return m_mounts; }
    [[nodiscard]] ProbeSection* livenessProbe() const { return m_liveness; }
    [[nodiscard]] ProbeSection* readinessProbe() const { return m_readiness; }
    /// The resource field edit, e.g. `("limits", "memory")`.
    [[nodiscard]] QLineEdit* resourceEdit(const QString& kind, const QString& resource) const;

private:
    QLineEdit* m_name;
    QLineEdit* m_image;
    RecordList* m_ports;
    RecordList* m_env;
    RecordList* m_envFrom;
    RecordList* m_mounts;
    ProbeSection* m_liveness;
    ProbeSection* m_readiness;
};

/// One `ports[]` item of a container: name, containerPort, protocol.
class ContainerPortRow : public FormSection {
    Q_OBJECT
public:
    explicit ContainerPortRow(ObjectDocument* document, QWidget* parent = nullptr);
};

/// One `env[]` item: a name and either a value, a ConfigMap key or a Secret key. Other sources
/// (fieldRef, resourceFieldRef) are kept and shown as such.
class EnvVarRow : public FormSection {
    Q_OBJECT
public:
    enum Source { Value, ConfigMapKey, SecretKey, Other };

    explicit EnvVarRow(ObjectDocument* document, QWidget* parent = nullptr);
    void load(QObject* origin) override;
    [[nodiscard]] QComboBox* sourceCombo() const { return m_source; }

private:
    void sourceChosen(int index);
    void showFields();

    QComboBox* m_source;
    QWidget* m_value;
    QWidget* m_configMap;
    QWidget* m_secret;
    QWidget* m_other;
};

/// One `envFrom[]` item: all keys of a ConfigMap or a Secret, with an optional prefix.
class EnvFromRow : public FormSection {
    Q_OBJECT
public:
    explicit EnvFromRow(ObjectDocument* document, QWidget* parent = nullptr);
    void load(QObject* origin) override;

private:
    void sourceChosen(int index);

    QComboBox* m_source;
    QLineEdit* m_configMapName;
    QLineEdit* m_secretName;
};

/// One `volumeMounts[]` item: volume (chosen from the pod's volumes), mount path, sub-path,
/// read-only.
class VolumeMountRow : public FormSection {
    Q_OBJECT
public:
    explicit VolumeMountRow(ObjectDocument* document, QWidget* parent = nullptr);
    void load(QObject* origin) override;

private:
    QComboBox* m_volume;
};

} // namespace pilot::gui
