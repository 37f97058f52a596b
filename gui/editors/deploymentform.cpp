#include "gui/editors/deploymentform.h"

#include "gui/editors/objectdocument.h"
#include "gui/editors/podtemplatesection.h"
#include "kube/jsonutil.h"

#include <boost/json/array.hpp>

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QSpinBox>

namespace pilot::gui {

namespace json = boost::json;

DeploymentForm::DeploymentForm(ObjectDocument* document, QWidget* parent)
    : WorkloadForm(document, {QStringLiteral("spec"), QStringLiteral("template")}, true, parent) {
    m_replicas = addCount(
        {QStringLiteral("spec"), QStringLiteral("replicas")}, [] { return tr("Replicas"); },
        [] { return tr("default (1)"); }, 0, QStringLiteral("replicas"));
    m_strategy =
        new StrategySection(document, {QStringLiteral("RollingUpdate"), QStringLiteral("Recreate")},
                            {QStringLiteral("maxSurge"), QStringLiteral("maxUnavailable")}, this);
    m_strategy->setObjectName(QStringLiteral("strategy"));
    addSection(m_strategy, {QStringLiteral("spec"), QStringLiteral("strategy")});
    addRow(
        formLayout(), [] { return tr("Update strategy"); }, m_strategy);

    m_serviceRow = new QWidget(this);
    auto* service = new QHBoxLayout(m_serviceRow);
    service->setContentsMargins(0, 0, 0, 0);
    m_createService = new QCheckBox(m_serviceRow);
    m_createService->setObjectName(QStringLiteral("createService"));
    m_serviceType = new QComboBox(m_serviceRow);
    m_serviceType->setObjectName(QStringLiteral("serviceType"));
    for (const char* type : {"ClusterIP", "NodePort", "LoadBalancer"}) {
        m_serviceType->addItem(QString::fromLatin1(type), QString::fromLatin1(type));
    }
    m_serviceType->setEnabled(false);
    connect(m_createService, &QCheckBox::toggled, m_serviceType, &QWidget::setEnabled);
    translated(
        [this] { m_createService->setText(tr("Also create a Service for the container ports")); });
    service->addWidget(m_createService);
    service->addWidget(m_serviceType);
    service->addStretch(1);
    formLayout()->addRow(m_serviceRow);
    addPodTemplate();
}

json::object DeploymentForm::newObject(const QString& namespaceName) const {
    return workloadObject(namespaceName, json::object{{"replicas", 1}});
}

QList<json::object> DeploymentForm::companionObjects() const {
    if (!isCreating() || !m_createService->isChecked()) {
        return {};
    }
    return {serviceForWorkload(document()->object(),
                               {QStringLiteral("spec"), QStringLiteral("template")},
                               m_serviceType->currentData().toString())};
}

void DeploymentForm::creatingChanged() {
    m_serviceRow->setVisible(isCreating());
}

json::object serviceForWorkload(const json::object& workload, const FieldPath& templatePath,
                                const QString& type) {
    const json::object* meta = kube::objectAt(workload, "metadata");
    json::object service{
        {"apiVersion", "v1"},
        {"kind", "Service"},
        {"metadata", json::object{{"name", kube::stringAt(meta, "name")},
                                  {"namespace", kube::stringAt(meta, "namespace")}}}};
    if (const json::object* labels = kube::objectAt(meta, "labels"); labels && !labels->empty()) {
        service["metadata"].as_object()["labels"] = *labels;
    }
    json::object spec{{"type", toStdString(type)}};
    const json::value* podLabels =
        (templatePath / QStringLiteral("metadata") / QStringLiteral("labels")).find(workload);
    spec["selector"] =
        podLabels && podLabels->is_object() ? *podLabels : json::value(json::object());
    json::array ports;
    const json::value* containers =
        (templatePath / QStringLiteral("spec") / QStringLiteral("containers")).find(workload);
    if (containers && containers->is_array()) {
        for (const json::value& c : containers->as_array()) {
            const json::array* cports =
                c.is_object() ? kube::arrayAt(c.as_object(), "ports") : nullptr;
            if (cports == nullptr) {
                continue;
            }
            for (const json::value& p : *cports) {
                if (!p.is_object()) {
                    continue;
                }
                const auto number = kube::integerAt(p.as_object(), "containerPort");
                if (!number) {
                    continue;
                }
                std::string protocol = kube::stringAt(p.as_object(), "protocol");
                if (protocol.empty()) {
                    protocol = "TCP";
                }
                std::string name = kube::stringAt(p.as_object(), "name");
                if (name.empty()) {
                    name = QString::fromStdString(protocol).toLower().toStdString() + "-" +
                           std::to_string(*number);
                }
                ports.push_back(json::object{{"name", name},
                                             {"port", *number},
                                             {"targetPort", *number},
                                             {"protocol", protocol}});
            }
        }
    }
    spec["ports"] = std::move(ports);
    service["spec"] = std::move(spec);
    return service;
}

} // namespace pilot::gui
