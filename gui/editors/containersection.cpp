#include "gui/editors/containersection.h"

#include "gui/editors/objectdocument.h"
#include "gui/editors/probesection.h"
#include "gui/editors/recordlist.h"

#include <boost/json/object.hpp>

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSignalBlocker>
#include <QSpinBox>

namespace pilot::gui {

namespace json = boost::json;

namespace {

QGroupBox* group(QWidget* parent, const QString& objectName) {
    auto* box = new QGroupBox(parent);
    box->setObjectName(objectName);
    box->setFlat(true);
    return box;
}

QLineEdit* lineEdit(QWidget* parent, const QString& objectName) {
    auto* edit = new QLineEdit(parent);
    edit->setObjectName(objectName);
    return edit;
}

} // namespace

ContainerSection::ContainerSection(ObjectDocument* document, QWidget* parent)
    : FormSection(document, parent), m_name(lineEdit(this, QStringLiteral("containerName"))),
      m_image(lineEdit(this, QStringLiteral("image"))) {
    auto* form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    addRow(
        form, [] { return tr("Name"); }, m_name,
        bindText(m_name, {QStringLiteral("name")}, TextKind::String, [](const QString& v) {
            const QString required = validators::required(v);
            return required.isEmpty() ? validators::dnsLabel(v) : required;
        }));
    addRow(
        form, [] { return tr("Image"); }, m_image,
        bindText(m_image, {QStringLiteral("image")}, TextKind::String, validators::required));
    translated([this] { m_image->setPlaceholderText(tr("e.g. nginx:1.27")); });

    auto* pull = new QComboBox(this);
    pull->setObjectName(QStringLiteral("imagePullPolicy"));
    pull->addItem(QString(), QString());
    pull->addItem(QStringLiteral("Always"), QStringLiteral("Always"));
    pull->addItem(QStringLiteral("IfNotPresent"), QStringLiteral("IfNotPresent"));
    pull->addItem(QStringLiteral("Never"), QStringLiteral("Never"));
    translated([pull] { pull->setItemText(0, tr("Default")); });
    bindCombo(pull, {QStringLiteral("imagePullPolicy")});
    addRow(
        form, [] { return tr("Pull policy"); }, pull);

    auto* command = new QPlainTextEdit(this);
    command->setObjectName(QStringLiteral("command"));
    command->setMaximumHeight(60);
    bindLines(command, {QStringLiteral("command")});
    addRow(
        form, [] { return tr("Command"); }, command);
    auto* args = new QPlainTextEdit(this);
    args->setObjectName(QStringLiteral("args"));
    args->setMaximumHeight(60);
    bindLines(args, {QStringLiteral("args")});
    addRow(
        form, [] { return tr("Arguments"); }, args);
    translated([command, args] {
        command->setPlaceholderText(tr("the image's entrypoint; one argument per line"));
        args->setPlaceholderText(tr("the image's arguments; one per line"));
    });

    m_ports = new RecordList(
        document, [](ObjectDocument* d, QWidget* p) { return new ContainerPortRow(d, p); },
        [](int) {
            return json::object{{"containerPort", 80}, {"protocol", "TCP"}};
        },
        [] { return tr("Add port"); }, this);
    m_ports->setObjectName(QStringLiteral("ports"));
    addSection(m_ports, {QStringLiteral("ports")});
    addRow(
        form, [] { return tr("Ports"); }, m_ports);

    m_env = new RecordList(
        document, [](ObjectDocument* d, QWidget* p) { return new EnvVarRow(d, p); },
        [](int) {
            return json::object{{"name", ""}, {"value", ""}};
        },
        [] { return tr("Add variable"); }, this);
    m_env->setObjectName(QStringLiteral("env"));
    addSection(m_env, {QStringLiteral("env")});
    addRow(
        form, [] { return tr("Environment"); }, m_env);

    m_envFrom = new RecordList(
        document, [](ObjectDocument* d, QWidget* p) { return new EnvFromRow(d, p); },
        [](int) {
            return json::object{{"configMapRef", json::object{{"name", ""}}}};
        },
        [] { return tr("Add all keys of a ConfigMap or Secret"); }, this);
    m_envFrom->setObjectName(QStringLiteral("envFrom"));
    addSection(m_envFrom, {QStringLiteral("envFrom")});
    addRow(
        form, [] { return tr("Environment from"); }, m_envFrom);

    auto* resources = group(this, QStringLiteral("resources"));
    auto* grid = new QFormLayout(resources);
    for (const char* kind : {"requests", "limits"}) {
        auto* row = new QWidget(resources);
        auto* h = new QHBoxLayout(row);
        h->setContentsMargins(0, 0, 0, 0);
        QList<QLabel*> messages;
        for (const char* resource : {"cpu", "memory"}) {
            auto* edit = lineEdit(row, QString::fromLatin1(kind) + QLatin1Char('.') +
                                           QString::fromLatin1(resource));
            messages.append(bindText(edit,
                                     {QStringLiteral("resources"), QString::fromLatin1(kind),
                                      QString::fromLatin1(resource)},
                                     TextKind::String, validators::quantity));
            const bool cpu = std::string_view(resource) == "cpu";
            translated([edit, cpu] {
                edit->setPlaceholderText(cpu ? tr("CPU, e.g. 250m") : tr("memory, e.g. 256Mi"));
            });
            h->addWidget(edit);
        }
        const bool requests = std::string_view(kind) == "requests";
        addRow(
            grid, [requests] { return requests ? tr("Requests") : tr("Limits"); }, row);
        for (QLabel* message : messages) {
            grid->addRow(QString(), message);
        }
    }
    translated([resources] { resources->setTitle(tr("Resources")); });
    form->addRow(resources);

    m_liveness = new ProbeSection(document, this);
    m_liveness->setObjectName(QStringLiteral("livenessProbe"));
    addSection(m_liveness, {QStringLiteral("livenessProbe")});
    addRow(
        form, [] { return tr("Liveness probe"); }, m_liveness);
    m_readiness = new ProbeSection(document, this);
    m_readiness->setObjectName(QStringLiteral("readinessProbe"));
    addSection(m_readiness, {QStringLiteral("readinessProbe")});
    addRow(
        form, [] { return tr("Readiness probe"); }, m_readiness);

    m_mounts = new RecordList(
        document, [](ObjectDocument* d, QWidget* p) { return new VolumeMountRow(d, p); },
        [](int) {
            return json::object{{"name", ""}, {"mountPath", ""}};
        },
        [] { return tr("Add volume mount"); }, this);
    m_mounts->setObjectName(QStringLiteral("volumeMounts"));
    addSection(m_mounts, {QStringLiteral("volumeMounts")});
    addRow(
        form, [] { return tr("Volume mounts"); }, m_mounts);
}

QLineEdit* ContainerSection::resourceEdit(const QString& kind, const QString& resource) const {
    return findChild<QLineEdit*>(kind + QLatin1Char('.') + resource);
}

ContainerPortRow::ContainerPortRow(ObjectDocument* document, QWidget* parent)
    : FormSection(document, parent) {
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* port = lineEdit(this, QStringLiteral("containerPort"));
    auto* name = lineEdit(this, QStringLiteral("portName"));
    auto* protocol = new QComboBox(this);
    protocol->setObjectName(QStringLiteral("protocol"));
    for (const char* p : {"TCP", "UDP", "SCTP"}) {
        protocol->addItem(QString::fromLatin1(p), QString::fromLatin1(p));
    }
    QLabel* portMessage =
        bindText(port, {QStringLiteral("containerPort")}, TextKind::Integer, [](const QString& v) {
            const QString r = validators::required(v);
            return r.isEmpty() ? validators::portOrName(v) : r;
        });
    QLabel* nameMessage =
        bindText(name, {QStringLiteral("name")}, TextKind::String, validators::dnsLabel);
    bindCombo(protocol, {QStringLiteral("protocol")});
    translated([port, name] {
        port->setPlaceholderText(tr("port"));
        name->setPlaceholderText(tr("name (optional)"));
    });
    auto* column = new QVBoxLayout;
    auto* fields = new QHBoxLayout;
    fields->addWidget(port);
    fields->addWidget(name);
    fields->addWidget(protocol);
    column->addLayout(fields);
    column->addWidget(portMessage);
    column->addWidget(nameMessage);
    layout->addLayout(column);
}

EnvVarRow::EnvVarRow(ObjectDocument* document, QWidget* parent)
    : FormSection(document, parent), m_source(new QComboBox(this)), m_value(new QWidget(this)),
      m_configMap(new QWidget(this)), m_secret(new QWidget(this)), m_other(new QLabel(this)) {
    m_source->setObjectName(QStringLiteral("envSource"));
    for (int i = Value; i <= Other; ++i) {
        m_source->addItem(QString(), i);
    }
    translated([this] {
        m_source->setItemText(Value, tr("Value"));
        m_source->setItemText(ConfigMapKey, tr("ConfigMap key"));
        m_source->setItemText(SecretKey, tr("Secret key"));
        m_source->setItemText(Other, tr("Other source"));
        static_cast<QLabel*>(m_other)->setText(tr("(set in YAML)"));
    });
    auto* name = lineEdit(this, QStringLiteral("envName"));
    QLabel* nameMessage =
        bindText(name, {QStringLiteral("name")}, TextKind::String, validators::required);
    auto* value = lineEdit(m_value, QStringLiteral("envValue"));
    bindText(value, {QStringLiteral("value")});
    auto* valueLayout = new QHBoxLayout(m_value);
    valueLayout->setContentsMargins(0, 0, 0, 0);
    valueLayout->addWidget(value);

    auto refFields = [this](QWidget* box, const char* ref, const QString& prefix) {
        auto* h = new QHBoxLayout(box);
        h->setContentsMargins(0, 0, 0, 0);
        auto* refName = lineEdit(box, prefix + QStringLiteral("Name"));
        auto* key = lineEdit(box, prefix + QStringLiteral("Key"));
        const QString field = QString::fromLatin1(ref);
        bindText(refName, {QStringLiteral("valueFrom"), field, QStringLiteral("name")});
        bindText(key, {QStringLiteral("valueFrom"), field, QStringLiteral("key")});
        const bool configMap = std::string_view(ref) == "configMapKeyRef";
        translated([refName, key, configMap] {
            refName->setPlaceholderText(configMap ? tr("ConfigMap name") : tr("Secret name"));
            key->setPlaceholderText(tr("key"));
        });
        h->addWidget(refName);
        h->addWidget(key);
    };
    refFields(m_configMap, "configMapKeyRef", QStringLiteral("configMap"));
    refFields(m_secret, "secretKeyRef", QStringLiteral("secret"));
    translated([name, value] {
        name->setPlaceholderText(tr("NAME"));
        value->setPlaceholderText(tr("value"));
    });

    auto* column = new QVBoxLayout(this);
    column->setContentsMargins(0, 0, 0, 0);
    auto* fields = new QHBoxLayout;
    fields->addWidget(name, 2);
    fields->addWidget(m_source, 1);
    fields->addWidget(m_value, 3);
    fields->addWidget(m_configMap, 3);
    fields->addWidget(m_secret, 3);
    fields->addWidget(m_other, 3);
    column->addLayout(fields);
    column->addWidget(nameMessage);
    connect(m_source, &QComboBox::activated, this, &EnvVarRow::sourceChosen);
    showFields();
}

void EnvVarRow::load(QObject* origin) {
    int source = Value;
    if (const json::value* item = valueAt({}); item && item->is_object()) {
        const json::value* from = item->as_object().if_contains("valueFrom");
        if (from != nullptr && from->is_object()) {
            const json::object& f = from->as_object();
            source = f.contains("configMapKeyRef") ? ConfigMapKey
                     : f.contains("secretKeyRef")  ? SecretKey
                                                   : Other;
        }
    }
    if (origin != m_source) {
        m_source->setCurrentIndex(source);
    }
    FormSection::load(origin);
    showFields();
}

void EnvVarRow::sourceChosen(int index) {
    document()->edit(
        [&](json::object& object) {
            json::value* item = base().ensure(object);
            if (item == nullptr || !item->is_object()) {
                return;
            }
            json::object& env = item->as_object();
            switch (index) {
            case Value:
                env.erase("valueFrom");
                if (!env.contains("value")) {
                    env["value"] = "";
                }
                break;
            case ConfigMapKey:
            case SecretKey: {
                const char* ref = index == ConfigMapKey ? "configMapKeyRef" : "secretKeyRef";
                env.erase("value");
                json::value& from = env["valueFrom"];
                if (!from.is_object() || !from.as_object().contains(ref)) {
                    from = json::object{{ref, json::object{{"name", ""}, {"key", ""}}}};
                }
                break;
            }
            default:
                break;
            }
        },
        m_source);
    FormSection::load(m_source);
    showFields();
}

void EnvVarRow::showFields() {
    const int source = m_source->currentIndex();
    m_value->setVisible(source == Value);
    m_configMap->setVisible(source == ConfigMapKey);
    m_secret->setVisible(source == SecretKey);
    m_other->setVisible(source == Other);
}

EnvFromRow::EnvFromRow(ObjectDocument* document, QWidget* parent)
    : FormSection(document, parent), m_source(new QComboBox(this)),
      m_configMapName(lineEdit(this, QStringLiteral("configMapName"))),
      m_secretName(lineEdit(this, QStringLiteral("secretName"))) {
    m_source->setObjectName(QStringLiteral("envFromSource"));
    m_source->addItem(QString());
    m_source->addItem(QString());
    auto* prefix = lineEdit(this, QStringLiteral("prefix"));
    translated([this, prefix] {
        m_source->setItemText(0, tr("ConfigMap"));
        m_source->setItemText(1, tr("Secret"));
        m_configMapName->setPlaceholderText(tr("ConfigMap name"));
        m_secretName->setPlaceholderText(tr("Secret name"));
        prefix->setPlaceholderText(tr("prefix (optional)"));
    });
    bindText(m_configMapName, {QStringLiteral("configMapRef"), QStringLiteral("name")});
    bindText(m_secretName, {QStringLiteral("secretRef"), QStringLiteral("name")});
    bindText(prefix, {QStringLiteral("prefix")});
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_source, 1);
    layout->addWidget(m_configMapName, 2);
    layout->addWidget(m_secretName, 2);
    layout->addWidget(prefix, 1);
    connect(m_source, &QComboBox::activated, this, &EnvFromRow::sourceChosen);
}

void EnvFromRow::load(QObject* origin) {
    const json::value* item = valueAt({});
    const bool secret = item && item->is_object() && item->as_object().contains("secretRef");
    if (origin != m_source) {
        m_source->setCurrentIndex(secret ? 1 : 0);
    }
    m_configMapName->setVisible(m_source->currentIndex() == 0);
    m_secretName->setVisible(m_source->currentIndex() == 1);
    FormSection::load(origin);
}

void EnvFromRow::sourceChosen(int index) {
    document()->edit(
        [&](json::object& object) {
            json::value* item = base().ensure(object);
            if (item == nullptr || !item->is_object()) {
                return;
            }
            json::object& from = item->as_object();
            const char* keep = index == 0 ? "configMapRef" : "secretRef";
            const char* drop = index == 0 ? "secretRef" : "configMapRef";
            std::string name;
            if (const json::value* old = from.if_contains(drop); old && old->is_object()) {
                if (const json::value* n = old->as_object().if_contains("name");
                    n && n->is_string()) {
                    name = std::string(n->get_string());
                }
            }
            from.erase(drop);
            if (!from.contains(keep)) {
                from[keep] = json::object{{"name", name}};
            }
        },
        m_source);
    load(m_source);
}

VolumeMountRow::VolumeMountRow(ObjectDocument* document, QWidget* parent)
    : FormSection(document, parent), m_volume(new QComboBox(this)) {
    m_volume->setObjectName(QStringLiteral("mountVolume"));
    m_volume->setEditable(true);
    auto* path = lineEdit(this, QStringLiteral("mountPath"));
    auto* subPath = lineEdit(this, QStringLiteral("subPath"));
    auto* readOnly = new QCheckBox(this);
    readOnly->setObjectName(QStringLiteral("readOnly"));
    bindText(m_volume->lineEdit(), {QStringLiteral("name")});
    connect(m_volume, &QComboBox::textActivated, this, [this](const QString& text) {
        writeValue({QStringLiteral("name")}, json::string(toStdString(text)), m_volume);
    });
    QLabel* pathMessage =
        bindText(path, {QStringLiteral("mountPath")}, TextKind::String, validators::required);
    bindText(subPath, {QStringLiteral("subPath")});
    bindCheck(readOnly, {QStringLiteral("readOnly")});
    translated([this, path, subPath, readOnly] {
        m_volume->lineEdit()->setPlaceholderText(tr("volume"));
        path->setPlaceholderText(tr("mount path, e.g. /data"));
        subPath->setPlaceholderText(tr("sub-path (optional)"));
        readOnly->setText(tr("Read-only"));
    });
    auto* column = new QVBoxLayout(this);
    column->setContentsMargins(0, 0, 0, 0);
    auto* fields = new QHBoxLayout;
    fields->addWidget(m_volume, 2);
    fields->addWidget(path, 3);
    fields->addWidget(subPath, 2);
    fields->addWidget(readOnly);
    column->addLayout(fields);
    column->addWidget(pathMessage);
}

void VolumeMountRow::load(QObject* origin) {
    // The pod's volumes: base is <pod spec>.containers[i].volumeMounts[j].
    const FieldPath volumesPath =
        base().parent().parent().parent().parent() / QStringLiteral("volumes");
    QStringList names;
    if (const json::value* volumes = document()->value(volumesPath);
        volumes && volumes->is_array()) {
        for (const json::value& v : volumes->as_array()) {
            if (v.is_object()) {
                if (const json::value* n = v.as_object().if_contains("name"); n && n->is_string()) {
                    names.append(toQString(n->get_string()));
                }
            }
        }
    }
    if (origin != m_volume && origin != m_volume->lineEdit()) {
        const QSignalBlocker block(m_volume);
        const QString current = stringValue({QStringLiteral("name")});
        m_volume->clear();
        m_volume->addItems(names);
        m_volume->setEditText(current);
    }
    FormSection::load(origin);
}

} // namespace pilot::gui
