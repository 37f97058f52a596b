#include "gui/editors/podtemplatesection.h"

#include "gui/editors/containersection.h"
#include "gui/editors/keyvaluetable.h"
#include "gui/editors/objectdocument.h"
#include "gui/editors/recordlist.h"

#include <boost/json/object.hpp>

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QVBoxLayout>

namespace pilot::gui {

namespace json = boost::json;

namespace {

const char* const SourceFields[] = {"emptyDir", "configMap", "secret", "persistentVolumeClaim",
                                    "hostPath"};

QLineEdit* lineEdit(QWidget* parent, const QString& objectName) {
    auto* edit = new QLineEdit(parent);
    edit->setObjectName(objectName);
    return edit;
}

} // namespace

PodTemplateSection::PodTemplateSection(ObjectDocument* document, QWidget* parent)
    : FormSection(document, parent), m_labels(new KeyValueTable(this)),
      m_nodeSelector(new KeyValueTable(this)), m_restartPolicy(new QComboBox(this)) {
    auto* form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    m_labels->setObjectName(QStringLiteral("podLabels"));
    m_labels->setKeyValidator(validators::labelKey);
    m_labels->setValueValidator(validators::labelValue);
    bindMap(m_labels, {QStringLiteral("metadata"), QStringLiteral("labels")});
    connect(m_labels, &KeyValueTable::edited, this, &PodTemplateSection::podLabelsEdited);
    addRow(
        form, [] { return tr("Pod labels"); }, m_labels);

    m_containers = new RecordList(
        document, [](ObjectDocument* d, QWidget* p) { return new ContainerSection(d, p); },
        [](int index) {
            return json::object{{"name", "container-" + std::to_string(index + 1)}, {"image", ""}};
        },
        [] { return tr("Add container"); }, this);
    m_containers->setObjectName(QStringLiteral("containers"));
    m_containers->setFramed(true);
    addSection(m_containers, {QStringLiteral("spec"), QStringLiteral("containers")});
    addRow(
        form, [] { return tr("Containers"); }, m_containers);

    m_volumes = new RecordList(
        document, [](ObjectDocument* d, QWidget* p) { return new VolumeRow(d, p); },
        [](int index) {
            return json::object{{"name", "volume-" + std::to_string(index + 1)},
                                {"emptyDir", json::object()}};
        },
        [] { return tr("Add volume"); }, this);
    m_volumes->setObjectName(QStringLiteral("volumes"));
    addSection(m_volumes, {QStringLiteral("spec"), QStringLiteral("volumes")});
    addRow(
        form, [] { return tr("Volumes"); }, m_volumes);

    m_nodeSelector->setObjectName(QStringLiteral("nodeSelector"));
    m_nodeSelector->setKeyValidator(validators::labelKey);
    m_nodeSelector->setValueValidator(validators::labelValue);
    bindMap(m_nodeSelector, {QStringLiteral("spec"), QStringLiteral("nodeSelector")});
    addRow(
        form, [] { return tr("Node selector"); }, m_nodeSelector);

    m_tolerations = new RecordList(
        document, [](ObjectDocument* d, QWidget* p) { return new TolerationRow(d, p); },
        [](int) {
            return json::object{
                {"key", ""}, {"operator", "Equal"}, {"value", ""}, {"effect", "NoSchedule"}};
        },
        [] { return tr("Add toleration"); }, this);
    m_tolerations->setObjectName(QStringLiteral("tolerations"));
    addSection(m_tolerations, {QStringLiteral("spec"), QStringLiteral("tolerations")});
    addRow(
        form, [] { return tr("Tolerations"); }, m_tolerations);

    auto* account = lineEdit(this, QStringLiteral("serviceAccountName"));
    bindText(account, {QStringLiteral("spec"), QStringLiteral("serviceAccountName")},
             TextKind::String, validators::dnsLabel);
    translated([account] { account->setPlaceholderText(tr("default")); });
    addRow(
        form, [] { return tr("Service account"); }, account);

    m_restartPolicy->setObjectName(QStringLiteral("restartPolicy"));
    bindCombo(m_restartPolicy, {QStringLiteral("spec"), QStringLiteral("restartPolicy")});
    QLabel* restartLabel = makeLabel([] { return tr("Restart policy"); });
    form->addRow(restartLabel, m_restartPolicy);
    m_restartLabel = restartLabel;
    setRestartPolicies({});
}

void PodTemplateSection::setRestartPolicies(const QStringList& policies) {
    m_restartPolicy->clear();
    for (const QString& policy : policies) {
        m_restartPolicy->addItem(policy, policy);
    }
    m_restartPolicy->setVisible(!policies.isEmpty());
    m_restartLabel->setVisible(!policies.isEmpty());
}

VolumeRow::VolumeRow(ObjectDocument* document, QWidget* parent)
    : FormSection(document, parent), m_source(new QComboBox(this)) {
    m_source->setObjectName(QStringLiteral("volumeSource"));
    for (int i = EmptyDir; i <= Other; ++i) {
        m_source->addItem(QString(), i);
    }
    auto* name = lineEdit(this, QStringLiteral("volumeName"));
    QLabel* nameMessage =
        bindText(name, {QStringLiteral("name")}, TextKind::String, [](const QString& v) {
            const QString r = validators::required(v);
            return r.isEmpty() ? validators::dnsLabel(v) : r;
        });

    auto box = [this] {
        auto* w = new QWidget(this);
        auto* h = new QHBoxLayout(w);
        h->setContentsMargins(0, 0, 0, 0);
        m_fields.append(w);
        return h;
    };
    // emptyDir: medium and size limit.
    {
        QHBoxLayout* h = box();
        auto* medium = new QComboBox(m_fields.last());
        medium->setObjectName(QStringLiteral("emptyDirMedium"));
        medium->addItem(QString(), QString());
        medium->addItem(QString(), QStringLiteral("Memory"));
        bindCombo(medium, {QStringLiteral("emptyDir"), QStringLiteral("medium")});
        auto* size = lineEdit(m_fields.last(), QStringLiteral("emptyDirSizeLimit"));
        bindText(size, {QStringLiteral("emptyDir"), QStringLiteral("sizeLimit")}, TextKind::String,
                 validators::quantity);
        translated([medium, size] {
            medium->setItemText(0, tr("Node disk"));
            medium->setItemText(1, tr("Memory (tmpfs)"));
            size->setPlaceholderText(tr("size limit, e.g. 1Gi"));
        });
        h->addWidget(medium);
        h->addWidget(size);
    }
    auto single = [&](const char* source, const char* field, const QString& objectName,
                      TextFunction placeholder) {
        QHBoxLayout* h = box();
        auto* edit = lineEdit(m_fields.last(), objectName);
        bindText(edit, {QString::fromLatin1(source), QString::fromLatin1(field)});
        translated([edit, placeholder] { edit->setPlaceholderText(placeholder()); });
        h->addWidget(edit);
    };
    single("configMap", "name", QStringLiteral("configMapName"),
           [] { return tr("ConfigMap name"); });
    single("secret", "secretName", QStringLiteral("secretName"), [] { return tr("Secret name"); });
    single("persistentVolumeClaim", "claimName", QStringLiteral("claimName"),
           [] { return tr("PersistentVolumeClaim name"); });
    single("hostPath", "path", QStringLiteral("hostPath"),
           [] { return tr("path on the node, e.g. /var/log"); });
    {
        QHBoxLayout* h = box();
        auto* other = new QLabel(m_fields.last());
        translated([other] { other->setText(tr("(set in YAML)")); });
        h->addWidget(other);
    }
    translated([this, name] {
        m_source->setItemText(EmptyDir, tr("Empty directory"));
        m_source->setItemText(ConfigMap, tr("ConfigMap"));
        m_source->setItemText(Secret, tr("Secret"));
        m_source->setItemText(PersistentVolumeClaim, tr("PersistentVolumeClaim"));
        m_source->setItemText(HostPath, tr("Host path"));
        m_source->setItemText(Other, tr("Other"));
        name->setPlaceholderText(tr("name"));
    });

    auto* column = new QVBoxLayout(this);
    column->setContentsMargins(0, 0, 0, 0);
    auto* fields = new QHBoxLayout;
    fields->addWidget(name, 2);
    fields->addWidget(m_source, 2);
    for (QWidget* w : std::as_const(m_fields)) {
        fields->addWidget(w, 4);
    }
    column->addLayout(fields);
    column->addWidget(nameMessage);
    connect(m_source, &QComboBox::activated, this, &VolumeRow::sourceChosen);
    showFields();
}

void VolumeRow::load(QObject* origin) {
    int source = Other;
    if (const json::value* item = valueAt({}); item && item->is_object()) {
        for (int i = EmptyDir; i < Other; ++i) {
            if (item->as_object().contains(SourceFields[i])) {
                source = i;
                break;
            }
        }
    }
    if (origin != m_source) {
        m_source->setCurrentIndex(source);
    }
    FormSection::load(origin);
    showFields();
}

void VolumeRow::sourceChosen(int index) {
    if (index == Other) {
        load(nullptr);
        return;
    }
    document()->edit(
        [&](json::object& object) {
            json::value* item = base().ensure(object);
            if (item == nullptr || !item->is_object()) {
                return;
            }
            json::object& volume = item->as_object();
            if (volume.contains(SourceFields[index])) {
                return;
            }
            // Only the name and the new source remain (what $retainKeys does on the server).
            json::object kept;
            if (const json::value* name = volume.if_contains("name")) {
                kept["name"] = *name;
            }
            switch (index) {
            case ConfigMap:
                kept["configMap"] = json::object{{"name", ""}};
                break;
            case Secret:
                kept["secret"] = json::object{{"secretName", ""}};
                break;
            case PersistentVolumeClaim:
                kept["persistentVolumeClaim"] = json::object{{"claimName", ""}};
                break;
            case HostPath:
                kept["hostPath"] = json::object{{"path", ""}};
                break;
            default:
                kept["emptyDir"] = json::object();
                break;
            }
            volume = std::move(kept);
        },
        m_source);
    FormSection::load(m_source);
    showFields();
}

void VolumeRow::showFields() {
    for (int i = 0; i < m_fields.size(); ++i) {
        m_fields.at(i)->setVisible(i == m_source->currentIndex());
    }
}

TolerationRow::TolerationRow(ObjectDocument* document, QWidget* parent)
    : FormSection(document, parent) {
    auto* key = lineEdit(this, QStringLiteral("tolerationKey"));
    auto* op = new QComboBox(this);
    op->setObjectName(QStringLiteral("tolerationOperator"));
    op->addItem(QStringLiteral("Equal"), QStringLiteral("Equal"));
    op->addItem(QStringLiteral("Exists"), QStringLiteral("Exists"));
    auto* value = lineEdit(this, QStringLiteral("tolerationValue"));
    auto* effect = new QComboBox(this);
    effect->setObjectName(QStringLiteral("tolerationEffect"));
    effect->addItem(QString(), QString());
    for (const char* e : {"NoSchedule", "PreferNoSchedule", "NoExecute"}) {
        effect->addItem(QString::fromLatin1(e), QString::fromLatin1(e));
    }
    auto* seconds = new QSpinBox(this);
    seconds->setObjectName(QStringLiteral("tolerationSeconds"));
    seconds->setRange(-1, 86400 * 7);
    bindText(key, {QStringLiteral("key")});
    bindCombo(op, {QStringLiteral("operator")});
    bindText(value, {QStringLiteral("value")});
    bindCombo(effect, {QStringLiteral("effect")});
    bindInt(seconds, {QStringLiteral("tolerationSeconds")}, true, [] { return tr("forever"); });
    translated([key, value, effect] {
        key->setPlaceholderText(tr("key (empty: all)"));
        value->setPlaceholderText(tr("value"));
        effect->setItemText(0, tr("All effects"));
    });
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(key, 3);
    layout->addWidget(op, 1);
    layout->addWidget(value, 2);
    layout->addWidget(effect, 2);
    layout->addWidget(seconds, 1);
}

} // namespace pilot::gui
