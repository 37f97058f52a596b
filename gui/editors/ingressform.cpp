#include "gui/editors/ingressform.h"

#include "gui/editors/objectdocument.h"
#include "gui/editors/recordlist.h"

#include <boost/json/array.hpp>

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QVBoxLayout>

namespace pilot::gui {

namespace json = boost::json;

namespace {

json::object newPath() {
    return json::object{
        {"path", "/"},
        {"pathType", "Prefix"},
        {"backend",
         json::object{
             {"service", json::object{{"name", ""}, {"port", json::object{{"number", 80}}}}}}}};
}

} // namespace

IngressForm::IngressForm(ObjectDocument* document, QWidget* parent) : KindForm(document, parent) {
    auto* className = new QLineEdit(this);
    className->setObjectName(QStringLiteral("ingressClassName"));
    bindText(className, {QStringLiteral("spec"), QStringLiteral("ingressClassName")});
    translated([className] { className->setPlaceholderText(tr("the cluster's default")); });
    addRow(
        formLayout(), [] { return tr("Ingress class"); }, className);
    m_rules = new RecordList(
        document, [](ObjectDocument* d, QWidget* p) { return new IngressRuleRow(d, p); },
        [](int) {
            return json::object{{"host", ""},
                                {"http", json::object{{"paths", json::array{newPath()}}}}};
        },
        [] { return tr("Add rule"); }, this);
    m_rules->setObjectName(QStringLiteral("rules"));
    m_rules->setFramed(true);
    addSection(m_rules, {QStringLiteral("spec"), QStringLiteral("rules")});
    addRow(
        formLayout(), [] { return tr("Rules"); }, m_rules);
    auto* tls = new RecordList(
        document, [](ObjectDocument* d, QWidget* p) { return new IngressTlsRow(d, p); },
        [](int) {
            return json::object{{"hosts", json::array()}, {"secretName", ""}};
        },
        [] { return tr("Add TLS certificate"); }, this);
    tls->setObjectName(QStringLiteral("tls"));
    addSection(tls, {QStringLiteral("spec"), QStringLiteral("tls")});
    addRow(
        formLayout(), [] { return tr("TLS"); }, tls);
}

json::object IngressForm::newObject(const QString& namespaceName) const {
    return json::object{
        {"apiVersion", "networking.k8s.io/v1"},
        {"kind", "Ingress"},
        {"metadata", json::object{{"name", ""}, {"namespace", toStdString(namespaceName)}}},
        {"spec",
         json::object{{"rules", json::array{json::object{
                                    {"host", ""},
                                    {"http", json::object{{"paths", json::array{newPath()}}}}}}}}}};
}

IngressRuleRow::IngressRuleRow(ObjectDocument* document, QWidget* parent)
    : FormSection(document, parent) {
    auto* form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    auto* host = new QLineEdit(this);
    host->setObjectName(QStringLiteral("host"));
    bindText(host, {QStringLiteral("host")});
    translated([host] { host->setPlaceholderText(tr("any host")); });
    addRow(
        form, [] { return tr("Host"); }, host);
    m_paths = new RecordList(
        document, [](ObjectDocument* d, QWidget* p) { return new IngressPathRow(d, p); },
        [](int) { return newPath(); }, [] { return tr("Add path"); }, this);
    m_paths->setObjectName(QStringLiteral("paths"));
    addSection(m_paths, {QStringLiteral("http"), QStringLiteral("paths")});
    addRow(
        form, [] { return tr("Paths"); }, m_paths);
}

IngressPathRow::IngressPathRow(ObjectDocument* document, QWidget* parent)
    : FormSection(document, parent) {
    auto* path = new QLineEdit(this);
    path->setObjectName(QStringLiteral("path"));
    auto* type = new QComboBox(this);
    type->setObjectName(QStringLiteral("pathType"));
    for (const char* t : {"Prefix", "Exact", "ImplementationSpecific"}) {
        type->addItem(QString::fromLatin1(t), QString::fromLatin1(t));
    }
    auto* service = new QLineEdit(this);
    service->setObjectName(QStringLiteral("serviceName"));
    auto* port = new QLineEdit(this);
    port->setObjectName(QStringLiteral("servicePort"));
    bindText(path, {QStringLiteral("path")});
    bindCombo(type, {QStringLiteral("pathType")});
    const FieldPath backend{QStringLiteral("backend"), QStringLiteral("service")};
    QLabel* serviceMessage =
        bindText(service, backend / QStringLiteral("name"), TextKind::String, validators::required);
    QLabel* portMessage =
        bindText(port, backend / QStringLiteral("port") / QStringLiteral("number"),
                 TextKind::Integer, validators::portOrName);
    translated([path, service, port] {
        path->setPlaceholderText(tr("path, e.g. /api"));
        service->setPlaceholderText(tr("Service"));
        port->setPlaceholderText(tr("port"));
    });
    auto* column = new QVBoxLayout(this);
    column->setContentsMargins(0, 0, 0, 0);
    auto* fields = new QHBoxLayout;
    fields->addWidget(path, 2);
    fields->addWidget(type, 2);
    fields->addWidget(service, 2);
    fields->addWidget(port, 1);
    column->addLayout(fields);
    column->addWidget(serviceMessage);
    column->addWidget(portMessage);
}

IngressTlsRow::IngressTlsRow(ObjectDocument* document, QWidget* parent)
    : FormSection(document, parent), m_hosts(new QLineEdit(this)) {
    m_hosts->setObjectName(QStringLiteral("tlsHosts"));
    auto* secret = new QLineEdit(this);
    secret->setObjectName(QStringLiteral("secretName"));
    bindText(secret, {QStringLiteral("secretName")});
    connect(m_hosts, &QLineEdit::textEdited, this, [this](const QString& text) {
        json::array hosts;
        for (const QString& host : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            hosts.emplace_back(json::string(toStdString(host.trimmed())));
        }
        writeValue({QStringLiteral("hosts")}, std::move(hosts), m_hosts);
    });
    translated([this, secret] {
        m_hosts->setPlaceholderText(tr("hosts, comma-separated"));
        secret->setPlaceholderText(tr("Secret with tls.crt and tls.key"));
    });
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_hosts, 3);
    layout->addWidget(secret, 2);
}

void IngressTlsRow::load(QObject* origin) {
    if (origin != m_hosts) {
        QStringList hosts;
        if (const json::value* v = valueAt({QStringLiteral("hosts")}); v && v->is_array()) {
            for (const json::value& h : v->as_array()) {
                if (h.is_string()) {
                    hosts.append(toQString(h.get_string()));
                }
            }
        }
        const QString text = hosts.join(QStringLiteral(", "));
        if (m_hosts->text() != text) {
            m_hosts->setText(text);
        }
    }
    FormSection::load(origin);
}

} // namespace pilot::gui
