#pragma once

#include "gui/editors/kindform.h"

class QCheckBox;
class QComboBox;
class QLineEdit;

namespace pilot::gui {

class RecordList;

/// Service: type (ClusterIP, NodePort, LoadBalancer, ExternalName), headless (while creating),
/// selector, ports (name, protocol, port, target port, node port) and the external name.
class ServiceForm : public KindForm {
    Q_OBJECT
public:
    explicit ServiceForm(ObjectDocument* document, QWidget* parent = nullptr);
    [[nodiscard]] QString apiVersion() const override { return QStringLiteral("v1"); }
    [[nodiscard]] QString kind() const override { return QStringLiteral("Service"); }
    [[nodiscard]] boost::json::object newObject(const QString& namespaceName) const override;
    void load(QObject* origin) override;
    [[nodiscard]] RecordList* ports() const { return m_ports; }

protected:
    [[nodiscard]] QString validateName(const QString& name) const override;
    void creatingChanged() override;

private:
    QComboBox* m_type;
    QCheckBox* m_headless;
    QLineEdit* m_externalName;
    QWidget* m_externalRow;
    RecordList* m_ports;
};

/// One `ports[]` item of a Service.
class ServicePortRow : public FormSection {
    Q_OBJECT
public:
    explicit ServicePortRow(ObjectDocument* document, QWidget* parent = nullptr);
};

} // namespace pilot::gui
