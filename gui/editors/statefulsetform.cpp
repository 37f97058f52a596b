#include "gui/editors/statefulsetform.h"

#include "gui/editors/recordlist.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QVBoxLayout>

namespace pilot::gui {

namespace json = boost::json;

StatefulSetForm::StatefulSetForm(ObjectDocument* document, QWidget* parent)
    : WorkloadForm(document, {QStringLiteral("spec"), QStringLiteral("template")}, true, parent) {
    addCount(
        {QStringLiteral("spec"), QStringLiteral("replicas")}, [] { return tr("Replicas"); },
        [] { return tr("default (1)"); }, 0, QStringLiteral("replicas"));
    auto* service = new QLineEdit(this);
    service->setObjectName(QStringLiteral("serviceName"));
    addRow(
        formLayout(), [] { return tr("Service name"); }, service,
        bindText(service, {QStringLiteral("spec"), QStringLiteral("serviceName")}, TextKind::String,
                 validators::dnsLabel));
    translated([service] {
        service->setPlaceholderText(tr("the headless Service that gives the pods their names"));
    });
    auto* policy = new QComboBox(this);
    policy->setObjectName(QStringLiteral("podManagementPolicy"));
    policy->addItem(QString(), QString());
    policy->addItem(QStringLiteral("OrderedReady"), QStringLiteral("OrderedReady"));
    policy->addItem(QStringLiteral("Parallel"), QStringLiteral("Parallel"));
    translated([policy] { policy->setItemText(0, tr("Default (OrderedReady)")); });
    bindCombo(policy, {QStringLiteral("spec"), QStringLiteral("podManagementPolicy")});
    addRow(
        formLayout(), [] { return tr("Pod management"); }, policy);
    auto* strategy =
        new StrategySection(document, {QStringLiteral("RollingUpdate"), QStringLiteral("OnDelete")},
                            {QStringLiteral("partition"), QStringLiteral("maxUnavailable")}, this);
    strategy->setObjectName(QStringLiteral("updateStrategy"));
    addSection(strategy, {QStringLiteral("spec"), QStringLiteral("updateStrategy")});
    addRow(
        formLayout(), [] { return tr("Update strategy"); }, strategy);
    m_claims = new RecordList(
        document, [](ObjectDocument* d, QWidget* p) { return new ClaimTemplateRow(d, p); },
        [](int index) {
            return json::object{
                {"metadata", json::object{{"name", "data-" + std::to_string(index + 1)}}},
                {"spec",
                 json::object{
                     {"accessModes", json::array{"ReadWriteOnce"}},
                     {"resources", json::object{{"requests", json::object{{"storage", "1Gi"}}}}}}}};
        },
        [] { return tr("Add volume claim template"); }, this);
    m_claims->setObjectName(QStringLiteral("volumeClaimTemplates"));
    addSection(m_claims, {QStringLiteral("spec"), QStringLiteral("volumeClaimTemplates")});
    addRow(
        formLayout(), [] { return tr("Volume claims"); }, m_claims);
    addPodTemplate();
}

json::object StatefulSetForm::newObject(const QString& namespaceName) const {
    return workloadObject(namespaceName, json::object{{"replicas", 1}, {"serviceName", ""}});
}

ClaimTemplateRow::ClaimTemplateRow(ObjectDocument* document, QWidget* parent)
    : FormSection(document, parent) {
    auto* name = new QLineEdit(this);
    name->setObjectName(QStringLiteral("claimName"));
    auto* size = new QLineEdit(this);
    size->setObjectName(QStringLiteral("storage"));
    auto* mode = new QComboBox(this);
    mode->setObjectName(QStringLiteral("accessMode"));
    for (const char* m : {"ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"}) {
        mode->addItem(QString::fromLatin1(m), QString::fromLatin1(m));
    }
    auto* storageClass = new QLineEdit(this);
    storageClass->setObjectName(QStringLiteral("storageClassName"));
    QLabel* nameMessage = bindText(name, {QStringLiteral("metadata"), QStringLiteral("name")},
                                   TextKind::String, validators::dnsLabel);
    QLabel* sizeMessage = bindText(size,
                                   {QStringLiteral("spec"), QStringLiteral("resources"),
                                    QStringLiteral("requests"), QStringLiteral("storage")},
                                   TextKind::String, [](const QString& v) {
                                       const QString r = validators::required(v);
                                       return r.isEmpty() ? validators::quantity(v) : r;
                                   });
    bindCombo(mode, {QStringLiteral("spec"), QStringLiteral("accessModes"), 0});
    bindText(storageClass, {QStringLiteral("spec"), QStringLiteral("storageClassName")});
    translated([name, size, storageClass] {
        name->setPlaceholderText(tr("name"));
        size->setPlaceholderText(tr("size, e.g. 1Gi"));
        storageClass->setPlaceholderText(tr("storage class (default)"));
    });
    auto* column = new QVBoxLayout(this);
    column->setContentsMargins(0, 0, 0, 0);
    auto* fields = new QHBoxLayout;
    fields->addWidget(name, 2);
    fields->addWidget(size, 1);
    fields->addWidget(mode, 2);
    fields->addWidget(storageClass, 2);
    column->addLayout(fields);
    column->addWidget(nameMessage);
    column->addWidget(sizeMessage);
}

} // namespace pilot::gui
