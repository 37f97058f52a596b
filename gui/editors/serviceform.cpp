#include "gui/editors/serviceform.h"

#include "gui/editors/keyvaluetable.h"
#include "gui/editors/objectdocument.h"
#include "gui/editors/recordlist.h"

#include <boost/json/array.hpp>

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QVBoxLayout>

namespace pilot::gui {

namespace json = boost::json;

ServiceForm::ServiceForm(ObjectDocument* document, QWidget* parent)
    : KindForm(document, parent), m_type(new QComboBox(this)), m_headless(new QCheckBox(this)),
      m_externalName(new QLineEdit(this)) {
    m_type->setObjectName(QStringLiteral("type"));
    m_type->addItem(QStringLiteral("ClusterIP"), QStringLiteral("ClusterIP"));
    for (const char* type : {"NodePort", "LoadBalancer", "ExternalName"}) {
        m_type->addItem(QString::fromLatin1(type), QString::fromLatin1(type));
    }
    bindCombo(m_type, {QStringLiteral("spec"), QStringLiteral("type")});
    addRow(
        formLayout(), [] { return tr("Type"); }, m_type);
    connect(m_type, &QComboBox::activated, this, [this] { load(m_type); });

    m_headless->setObjectName(QStringLiteral("headless"));
    translated([this] { m_headless->setText(tr("Headless (no cluster IP; DNS names the pods)")); });
    connect(m_headless, &QCheckBox::toggled, this, [this](bool on) {
        if (on) {
            writeValue({QStringLiteral("spec"), QStringLiteral("clusterIP")}, "None", m_headless);
        } else {
            removeValue({QStringLiteral("spec"), QStringLiteral("clusterIP")}, m_headless);
        }
    });
    formLayout()->addRow(QString(), m_headless);

    auto* selector = new KeyValueTable(this);
    selector->setObjectName(QStringLiteral("selector"));
    selector->setKeyValidator(validators::labelKey);
    selector->setValueValidator(validators::labelValue);
    bindMap(selector, {QStringLiteral("spec"), QStringLiteral("selector")});
    addRow(
        formLayout(), [] { return tr("Pod selector"); }, selector);

    m_ports = new RecordList(
        document, [](ObjectDocument* d, QWidget* p) { return new ServicePortRow(d, p); },
        [](int index) {
            return json::object{{"name", "port-" + std::to_string(index + 1)},
                                {"protocol", "TCP"},
                                {"port", 80},
                                {"targetPort", 80}};
        },
        [] { return tr("Add port"); }, this);
    m_ports->setObjectName(QStringLiteral("ports"));
    addSection(m_ports, {QStringLiteral("spec"), QStringLiteral("ports")});
    addRow(
        formLayout(), [] { return tr("Ports"); }, m_ports);

    m_externalName->setObjectName(QStringLiteral("externalName"));
    QLabel* externalMessage =
        bindText(m_externalName, {QStringLiteral("spec"), QStringLiteral("externalName")});
    translated([this] { m_externalName->setPlaceholderText(tr("e.g. db.example.com")); });
    QLabel* externalLabel = makeLabel([] { return tr("External name"); });
    formLayout()->addRow(externalLabel, m_externalName);
    formLayout()->addRow(QString(), externalMessage);
    m_externalRow = externalLabel;
}

QString ServiceForm::validateName(const QString& name) const {
    return validators::dns1035Label(name);
}

json::object ServiceForm::newObject(const QString& namespaceName) const {
    return json::object{
        {"apiVersion", "v1"},
        {"kind", "Service"},
        {"metadata", json::object{{"name", ""}, {"namespace", toStdString(namespaceName)}}},
        {"spec", json::object{{"selector", json::object()},
                              {"ports", json::array{json::object{{"name", "http"},
                                                                 {"protocol", "TCP"},
                                                                 {"port", 80},
                                                                 {"targetPort", 80}}}}}}};
}

void ServiceForm::load(QObject* origin) {
    KindForm::load(origin);
    const bool external = stringValue({QStringLiteral("spec"), QStringLiteral("type")}) ==
                          QLatin1String("ExternalName");
    m_externalRow->setVisible(external);
    m_externalName->setVisible(external);
    if (origin != m_headless) {
        const QSignalBlocker block(m_headless);
        m_headless->setChecked(stringValue({QStringLiteral("spec"), QStringLiteral("clusterIP")}) ==
                               QLatin1String("None"));
    }
}

void ServiceForm::creatingChanged() {
    // The cluster IP cannot change once the Service exists.
    m_headless->setEnabled(isCreating());
}

ServicePortRow::ServicePortRow(ObjectDocument* document, QWidget* parent)
    : FormSection(document, parent) {
    auto* name = new QLineEdit(this);
    name->setObjectName(QStringLiteral("portName"));
    auto* protocol = new QComboBox(this);
    protocol->setObjectName(QStringLiteral("protocol"));
    for (const char* p : {"TCP", "UDP", "SCTP"}) {
        protocol->addItem(QString::fromLatin1(p), QString::fromLatin1(p));
    }
    auto* port = new QLineEdit(this);
    port->setObjectName(QStringLiteral("port"));
    auto* target = new QLineEdit(this);
    target->setObjectName(QStringLiteral("targetPort"));
    auto* nodePort = new QLineEdit(this);
    nodePort->setObjectName(QStringLiteral("nodePort"));
    QList<QLabel*> messages{
        bindText(name, {QStringLiteral("name")}, TextKind::String, validators::dnsLabel),
        bindText(port, {QStringLiteral("port")}, TextKind::Integer,
                 [](const QString& v) {
                     const QString r = validators::required(v);
                     return r.isEmpty() ? validators::portOrName(v) : r;
                 }),
        bindText(target, {QStringLiteral("targetPort")}, TextKind::IntOrString,
                 validators::portOrName),
        bindText(nodePort, {QStringLiteral("nodePort")}, TextKind::Integer)};
    bindCombo(protocol, {QStringLiteral("protocol")});
    translated([name, port, target, nodePort] {
        name->setPlaceholderText(tr("name"));
        port->setPlaceholderText(tr("port"));
        target->setPlaceholderText(tr("target port (number or name)"));
        nodePort->setPlaceholderText(tr("node port (automatic)"));
    });
    auto* column = new QVBoxLayout(this);
    column->setContentsMargins(0, 0, 0, 0);
    auto* fields = new QHBoxLayout;
    fields->addWidget(name, 2);
    fields->addWidget(protocol, 1);
    fields->addWidget(port, 1);
    fields->addWidget(target, 2);
    fields->addWidget(nodePort, 2);
    column->addLayout(fields);
    for (QLabel* message : messages) {
        column->addWidget(message);
    }
}

} // namespace pilot::gui
