#include "gui/editors/probesection.h"

#include "gui/editors/objectdocument.h"

#include <boost/json/object.hpp>

#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QVBoxLayout>

namespace pilot::gui {

namespace json = boost::json;

namespace {

enum Kind { None, HttpGet, TcpSocket, Exec };

const char* const Handlers[] = {"", "httpGet", "tcpSocket", "exec"};

} // namespace

ProbeSection::ProbeSection(ObjectDocument* document, QWidget* parent)
    : FormSection(document, parent), m_kind(new QComboBox(this)), m_details(new QWidget(this)),
      m_http(new QWidget(this)), m_tcp(new QWidget(this)), m_exec(new QWidget(this)),
      m_path(new QLineEdit(this)), m_httpPort(new QLineEdit(this)), m_tcpPort(new QLineEdit(this)),
      m_command(new QPlainTextEdit(this)) {
    m_kind->setObjectName(QStringLiteral("probeKind"));
    m_path->setObjectName(QStringLiteral("probePath"));
    m_httpPort->setObjectName(QStringLiteral("probeHttpPort"));
    m_tcpPort->setObjectName(QStringLiteral("probeTcpPort"));
    m_command->setObjectName(QStringLiteral("probeCommand"));
    for (int i = 0; i < 4; ++i) {
        m_kind->addItem(QString(), i);
    }
    translated([this] {
        m_kind->setItemText(None, tr("None"));
        m_kind->setItemText(HttpGet, tr("HTTP GET"));
        m_kind->setItemText(TcpSocket, tr("TCP socket"));
        m_kind->setItemText(Exec, tr("Command"));
        m_httpPort->setPlaceholderText(tr("port number or name"));
        m_tcpPort->setPlaceholderText(tr("port number or name"));
        m_command->setPlaceholderText(tr("one argument per line"));
    });
    m_command->setMaximumHeight(70);
    m_path->setPlaceholderText(QStringLiteral("/healthz"));

    auto* http = new QFormLayout(m_http);
    http->setContentsMargins(0, 0, 0, 0);
    addRow(
        http, [] { return tr("Path"); }, m_path);
    addRow(
        http, [] { return tr("Port"); }, m_httpPort,
        bindText(m_httpPort, {QStringLiteral("httpGet"), QStringLiteral("port")},
                 TextKind::IntOrString, validators::portOrName));
    bindText(m_path, {QStringLiteral("httpGet"), QStringLiteral("path")});
    auto* tcp = new QFormLayout(m_tcp);
    tcp->setContentsMargins(0, 0, 0, 0);
    addRow(
        tcp, [] { return tr("Port"); }, m_tcpPort,
        bindText(m_tcpPort, {QStringLiteral("tcpSocket"), QStringLiteral("port")},
                 TextKind::IntOrString, validators::portOrName));
    auto* exec = new QFormLayout(m_exec);
    exec->setContentsMargins(0, 0, 0, 0);
    addRow(
        exec, [] { return tr("Command"); }, m_command);
    bindLines(m_command, {QStringLiteral("exec"), QStringLiteral("command")});

    auto* timing = new QFormLayout(m_details);
    timing->setContentsMargins(0, 0, 0, 0);
    auto addTiming = [&](const char* field, TextFunction label, TextFunction absent) {
        auto* spin = new QSpinBox(this);
        spin->setObjectName(QString::fromLatin1(field));
        spin->setRange(-1, 3600);
        bindInt(spin, {QString::fromLatin1(field)}, true, std::move(absent));
        addRow(timing, std::move(label), spin);
    };
    addTiming(
        "initialDelaySeconds", [] { return tr("Initial delay (s)"); },
        [] { return tr("default (0)"); });
    addTiming(
        "periodSeconds", [] { return tr("Period (s)"); }, [] { return tr("default (10)"); });
    addTiming(
        "timeoutSeconds", [] { return tr("Timeout (s)"); }, [] { return tr("default (1)"); });
    addTiming(
        "failureThreshold", [] { return tr("Failure threshold"); },
        [] { return tr("default (3)"); });

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_kind, 0, Qt::AlignLeft);
    layout->addWidget(m_http);
    layout->addWidget(m_tcp);
    layout->addWidget(m_exec);
    layout->addWidget(m_details);
    connect(m_kind, &QComboBox::activated, this, &ProbeSection::kindChosen);
    showFields();
}

void ProbeSection::kindChosen(int index) {
    if (index == None) {
        removeValue({}, m_kind);
        showFields();
        return;
    }
    document()->edit(
        [&](json::object& object) {
            json::value* probe = base().ensure(object);
            if (probe == nullptr) {
                return;
            }
            if (!probe->is_object()) {
                *probe = json::object();
            }
            json::object& p = probe->as_object();
            for (const char* handler : Handlers) {
                if (*handler != '\0' && handler != std::string_view(Handlers[index])) {
                    p.erase(handler);
                }
            }
            if (p.contains(Handlers[index])) {
                return;
            }
            switch (index) {
            case HttpGet:
                p["httpGet"] = json::object{{"path", "/"}, {"port", 80}};
                break;
            case TcpSocket:
                p["tcpSocket"] = json::object{{"port", 80}};
                break;
            default:
                p["exec"] = json::object{{"command", json::array{"true"}}};
                break;
            }
        },
        m_kind);
    FormSection::load(m_kind);
    showFields();
}

void ProbeSection::load(QObject* origin) {
    int kind = None;
    if (const json::value* probe = valueAt({}); probe && probe->is_object()) {
        for (int i = HttpGet; i <= Exec; ++i) {
            if (probe->as_object().contains(Handlers[i])) {
                kind = i;
                break;
            }
        }
    }
    if (origin != m_kind) {
        m_kind->setCurrentIndex(kind);
    }
    FormSection::load(origin);
    showFields();
}

void ProbeSection::showFields() {
    const int kind = m_kind->currentIndex();
    m_http->setVisible(kind == HttpGet);
    m_tcp->setVisible(kind == TcpSocket);
    m_exec->setVisible(kind == Exec);
    m_details->setVisible(kind != None);
}

} // namespace pilot::gui
