#include "gui/editors/workloadform.h"

#include "gui/editors/keyvaluetable.h"
#include "gui/editors/objectdocument.h"
#include "gui/editors/podtemplatesection.h"

#include <boost/json/array.hpp>

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QVBoxLayout>

namespace pilot::gui {

namespace json = boost::json;

WorkloadForm::WorkloadForm(ObjectDocument* document, FieldPath templatePath, bool hasSelector,
                           QWidget* parent)
    : KindForm(document, parent), m_templatePath(std::move(templatePath)),
      m_hasSelector(hasSelector) {}

void WorkloadForm::addPodTemplate() {
    m_podTemplate = new PodTemplateSection(document(), this);
    m_podTemplate->setObjectName(QStringLiteral("podTemplate"));
    addSection(m_podTemplate, m_templatePath);
    auto* box = new QGroupBox(this);
    auto* layout = new QVBoxLayout(box);
    layout->addWidget(m_podTemplate);
    translated([box] { box->setTitle(tr("Pod template")); });
    formLayout()->addRow(box);
    connect(m_podTemplate, &PodTemplateSection::podLabelsEdited, this,
            [this] { syncSelector(m_podTemplate->podLabels()); });
}

json::object WorkloadForm::workloadObject(const QString& namespaceName, json::object spec) const {
    json::object podTemplate{
        {"metadata", json::object{{"labels", json::object()}}},
        {"spec",
         json::object{{"containers", json::array{json::object{{"name", "main"}, {"image", ""}}}}}}};
    // Place the template at its path within the spec (spec.template or
    // spec.jobTemplate.spec.template).
    json::object object{
        {"apiVersion", toStdString(apiVersion())},
        {"kind", toStdString(kind())},
        {"metadata", json::object{{"name", ""}, {"namespace", toStdString(namespaceName)}}},
        {"spec", std::move(spec)}};
    if (json::value* slot = m_templatePath.ensure(object)) {
        *slot = std::move(podTemplate);
    }
    if (m_hasSelector) {
        object["spec"].as_object()["selector"] = json::object{{"matchLabels", json::object()}};
    }
    return object;
}

QSpinBox* WorkloadForm::addCount(const FieldPath& relative, TextFunction label, TextFunction absent,
                                 int minimum, const QString& objectName) {
    auto* spin = new QSpinBox(this);
    spin->setObjectName(objectName);
    spin->setRange(minimum - 1, 1000000);
    bindInt(spin, relative, true, std::move(absent));
    addRow(formLayout(), std::move(label), spin);
    return spin;
}

void WorkloadForm::nameEdited(const QString& before, const QString& after) {
    const FieldPath podLabels =
        m_templatePath / QStringLiteral("metadata") / QStringLiteral("labels");
    const bool podLabelsFollow = followsName(podLabels, before);
    KindForm::nameEdited(before, after);
    if (!podLabelsFollow) {
        return;
    }
    if (after.isEmpty()) {
        document()->setValue(podLabels, json::object(), nameEdit());
    } else {
        document()->setValue(podLabels, json::object{{"app", toStdString(after)}}, nameEdit());
    }
    syncSelector(nameEdit());
}

void WorkloadForm::syncSelector(QObject* origin) {
    if (!m_hasSelector || !isCreating()) {
        return;
    }
    const json::value* labels =
        document()->value(m_templatePath / QStringLiteral("metadata") / QStringLiteral("labels"));
    document()->setValue(
        {QStringLiteral("spec"), QStringLiteral("selector"), QStringLiteral("matchLabels")},
        labels && labels->is_object() ? *labels : json::value(json::object()), origin);
}

StrategySection::StrategySection(ObjectDocument* document, const QStringList& types,
                                 const QStringList& rollingFields, QWidget* parent)
    : FormSection(document, parent), m_type(new QComboBox(this)), m_rolling(new QWidget(this)),
      m_types(types) {
    m_type->setObjectName(QStringLiteral("strategyType"));
    for (const QString& type : types) {
        m_type->addItem(type, type);
    }
    auto* rolling = new QHBoxLayout(m_rolling);
    rolling->setContentsMargins(0, 0, 0, 0);
    QList<QLabel*> messages;
    for (const QString& field : rollingFields) {
        auto* label = new QLabel(m_rolling);
        auto* edit = new QLineEdit(m_rolling);
        edit->setObjectName(field);
        const bool partition = field == QLatin1String("partition");
        messages.append(bindText(edit, {QStringLiteral("rollingUpdate"), field},
                                 partition ? TextKind::Integer : TextKind::IntOrString,
                                 partition ? Validator() : Validator(validators::intOrPercent)));
        translated([label, edit, field] {
            if (field == QLatin1String("maxSurge")) {
                label->setText(tr("Max surge"));
                edit->setPlaceholderText(QStringLiteral("25%"));
            } else if (field == QLatin1String("maxUnavailable")) {
                label->setText(tr("Max unavailable"));
                edit->setPlaceholderText(QStringLiteral("25%"));
            } else {
                label->setText(tr("Partition"));
                edit->setPlaceholderText(QStringLiteral("0"));
            }
        });
        rolling->addWidget(label);
        rolling->addWidget(edit);
    }
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* row = new QHBoxLayout;
    row->addWidget(m_type);
    row->addWidget(m_rolling, 1);
    layout->addLayout(row);
    for (QLabel* message : std::as_const(messages)) {
        layout->addWidget(message);
    }
    m_rolling->setVisible(rollingFields.isEmpty() ? false : true);
    connect(m_type, &QComboBox::activated, this, &StrategySection::typeChosen);
}

void StrategySection::typeChosen(int index) {
    const QString type = m_types.value(index);
    document()->edit(
        [&](json::object& object) {
            json::value* strategy = base().ensure(object);
            if (strategy == nullptr) {
                return;
            }
            if (!strategy->is_object()) {
                *strategy = json::object();
            }
            json::object& s = strategy->as_object();
            s["type"] = toStdString(type);
            if (type != QLatin1String("RollingUpdate")) {
                s.erase("rollingUpdate");
            }
        },
        m_type);
    load(m_type);
}

void StrategySection::load(QObject* origin) {
    QString type = stringValue({QStringLiteral("type")});
    if (type.isEmpty()) {
        type = m_types.value(0);
    }
    if (origin != m_type) {
        m_type->setCurrentIndex(qMax(0, int(m_types.indexOf(type))));
    }
    m_rolling->setVisible(m_type->currentText() == QLatin1String("RollingUpdate") &&
                          m_rolling->layout()->count() > 0);
    FormSection::load(origin);
}

} // namespace pilot::gui
