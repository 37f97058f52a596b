#include "gui/editors/kindform.h"

#include "gui/editors/keyvaluetable.h"
#include "gui/editors/objectdocument.h"

#include <QFormLayout>
#include <QLineEdit>

namespace pilot::gui {

namespace json = boost::json;

KindForm::KindForm(ObjectDocument* document, QWidget* parent)
    : FormSection(document, parent), m_form(new QFormLayout(this)), m_name(new QLineEdit(this)),
      m_namespace(new QLineEdit(this)), m_labels(new KeyValueTable(this)) {
    m_name->setObjectName(QStringLiteral("name"));
    m_namespace->setObjectName(QStringLiteral("namespace"));
    m_labels->setObjectName(QStringLiteral("labels"));
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    addRow(
        m_form, [] { return tr("Name"); }, m_name,
        bindText(m_name, {QStringLiteral("metadata"), QStringLiteral("name")}, TextKind::String,
                 [this](const QString& v) { return validateName(v); }));
    addRow(
        m_form, [] { return tr("Namespace"); }, m_namespace,
        bindText(m_namespace, {QStringLiteral("metadata"), QStringLiteral("namespace")},
                 TextKind::String, validators::dnsLabel));
    m_labels->setKeyValidator(validators::labelKey);
    m_labels->setValueValidator(validators::labelValue);
    bindMap(m_labels, {QStringLiteral("metadata"), QStringLiteral("labels")});
    addRow(
        m_form, [] { return tr("Labels"); }, m_labels);
    translated([this] { m_namespace->setPlaceholderText(tr("default")); });

    connect(m_name, &QLineEdit::textEdited, this, [this](const QString& text) {
        if (m_creating) {
            nameEdited(m_lastName, text.trimmed());
        }
        m_lastName = text.trimmed();
    });
    // The form is the root section: it follows every change of the document.
    connect(document, &ObjectDocument::changed, this, [this](QObject* origin) {
        load(origin);
        if (origin != m_name) {
            m_lastName = m_name->text().trimmed();
        }
    });
}

void KindForm::setCreating(bool creating) {
    m_creating = creating;
    m_name->setReadOnly(!creating);
    m_namespace->setReadOnly(!creating);
    creatingChanged();
}

QString KindForm::validateName(const QString& name) const {
    return validators::dnsSubdomain(name);
}

bool KindForm::followsName(const FieldPath& path, const QString& name) const {
    const json::value* v = document()->value(path);
    if (v == nullptr || v->is_null()) {
        return true;
    }
    if (!v->is_object()) {
        return false;
    }
    const json::object& map = v->as_object();
    if (map.empty()) {
        return true;
    }
    if (map.size() != 1) {
        return false;
    }
    const json::value* app = map.if_contains("app");
    return app != nullptr && app->is_string() && toQString(app->get_string()) == name;
}

void KindForm::nameEdited(const QString& before, const QString& after) {
    // A new object's labels follow its name while they are just {app: <name>}.
    const FieldPath labels{QStringLiteral("metadata"), QStringLiteral("labels")};
    if (!followsName(labels, before)) {
        return;
    }
    if (after.isEmpty()) {
        document()->remove(labels, m_name, 1);
        return;
    }
    document()->setValue(labels, json::object{{"app", toStdString(after)}}, m_name);
}

} // namespace pilot::gui
