#include "gui/editors/formsection.h"

#include "gui/editors/keyvaluetable.h"
#include "gui/editors/objectdocument.h"
#include "kube/names.h"
#include "kube/quantity.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QEvent>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QSignalBlocker>
#include <QSpinBox>

namespace pilot::gui {

namespace json = boost::json;

FormSection::FormSection(ObjectDocument* document, QWidget* parent)
    : QWidget(parent), m_document(document) {}

void FormSection::setBase(const FieldPath& base) {
    m_base = base;
    for (const Child& child : std::as_const(m_children)) {
        child.section->setBase(m_base / child.relative);
    }
}

void FormSection::load(QObject* origin) {
    for (const Binding& binding : std::as_const(m_bindings)) {
        if (binding.widget != origin) {
            binding.load();
        }
    }
    for (const Child& child : std::as_const(m_children)) {
        child.section->load(origin);
    }
}

QStringList FormSection::validationErrors() const {
    QStringList errors;
    for (const Binding& binding : m_bindings) {
        if (binding.error) {
            if (const QString e = binding.error(); !e.isEmpty()) {
                errors.append(e);
            }
        }
    }
    for (const Child& child : m_children) {
        errors.append(child.section->validationErrors());
    }
    return errors;
}

void FormSection::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) {
        for (const auto& apply : std::as_const(m_texts)) {
            apply();
        }
        // Inline messages are re-checked, so they follow the language too.
        for (const Binding& binding : std::as_const(m_bindings)) {
            if (binding.error) {
                binding.load();
            }
        }
    }
    QWidget::changeEvent(event);
}

void FormSection::translated(std::function<void()> apply) {
    apply();
    m_texts.append(std::move(apply));
}

QLabel* FormSection::makeLabel(TextFunction text) {
    auto* label = new QLabel(this);
    translated([label, text] { label->setText(text()); });
    return label;
}

void FormSection::addRow(QFormLayout* layout, TextFunction label, QWidget* field, QLabel* message) {
    layout->addRow(makeLabel(std::move(label)), field);
    if (message != nullptr) {
        layout->addRow(QString(), message);
    }
}

void FormSection::addSection(FormSection* child, const FieldPath& relative) {
    m_children.append({child, relative});
    child->setBase(m_base / relative);
    connect(child, &FormSection::validityChanged, this, &FormSection::validityChanged);
}

void FormSection::removeSection(FormSection* child) {
    m_children.removeIf([child](const Child& c) { return c.section == child; });
}

void FormSection::writeValue(const FieldPath& relative, json::value value, QObject* origin) {
    m_document->setValue(m_base / relative, std::move(value), origin);
}

void FormSection::removeValue(const FieldPath& relative, QObject* origin) {
    m_document->remove(m_base / relative, origin, m_base.size());
}

const json::value* FormSection::valueAt(const FieldPath& relative) const {
    return m_document->value(m_base / relative);
}

QString FormSection::stringValue(const FieldPath& relative) const {
    const json::value* v = valueAt(relative);
    if (v == nullptr) {
        return {};
    }
    if (v->is_string()) {
        return toQString(v->get_string());
    }
    if (v->is_int64()) {
        return QString::number(v->get_int64());
    }
    if (v->is_uint64()) {
        return QString::number(v->get_uint64());
    }
    if (v->is_double()) {
        return QString::number(v->get_double());
    }
    if (v->is_bool()) {
        return v->get_bool() ? QStringLiteral("true") : QStringLiteral("false");
    }
    return {};
}

namespace {

void showMessage(QLabel* message, QLineEdit* edit, const QString& text) {
    message->setText(text);
    message->setVisible(!text.isEmpty());
    edit->setStyleSheet(
        text.isEmpty() ? QString() : QStringLiteral("QLineEdit { border: 1px solid #d32f2f; }"));
    edit->setToolTip(text);
}

} // namespace

QLabel* FormSection::bindText(QLineEdit* edit, const FieldPath& relative, TextKind kind,
                              Validator validator) {
    auto* message = new QLabel(this);
    message->setObjectName(QStringLiteral("fieldMessage"));
    message->setStyleSheet(QStringLiteral("color: #c62828;"));
    message->setWordWrap(true);
    message->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    message->setVisible(false);
    auto check = [edit, kind, validator]() -> QString {
        const QString text = edit->text().trimmed();
        if (kind == TextKind::Integer && !text.isEmpty()) {
            bool ok = false;
            text.toLongLong(&ok);
            if (!ok) {
                return tr("Enter a whole number");
            }
        }
        return validator ? validator(text) : QString();
    };
    connect(edit, &QLineEdit::textEdited, this, [this, edit, relative, kind, check, message] {
        const QString error = check();
        const bool wasVisible = message->isVisible();
        showMessage(message, edit, error);
        if (wasVisible != !error.isEmpty()) {
            Q_EMIT validityChanged();
        }
        const QString text = edit->text().trimmed();
        if (text.isEmpty()) {
            removeValue(relative, edit);
            return;
        }
        bool isNumber = false;
        const qint64 number = text.toLongLong(&isNumber);
        if (kind == TextKind::Integer) {
            if (isNumber) {
                writeValue(relative, number, edit);
            }
            return;
        }
        if (kind == TextKind::IntOrString && isNumber) {
            writeValue(relative, number, edit);
            return;
        }
        writeValue(relative, json::string(toStdString(edit->text())), edit);
    });
    m_bindings.append({edit,
                       [this, edit, relative, message, check] {
                           const QString value = stringValue(relative);
                           if (edit->text() != value) {
                               edit->setText(value);
                           }
                           showMessage(message, edit, check());
                       },
                       [this, relative, check]() -> QString {
                           const QString e = check();
                           // Named by the API's field path, as the server names its errors.
                           return e.isEmpty()
                                      ? e
                                      : (m_base / relative).toString() + QStringLiteral(": ") + e;
                       }});
    return message;
}

void FormSection::bindInt(QSpinBox* spin, const FieldPath& relative, bool optional,
                          TextFunction absentText) {
    if (optional && absentText) {
        translated([spin, absentText] { spin->setSpecialValueText(absentText()); });
    }
    connect(spin, &QSpinBox::valueChanged, this, [this, spin, relative, optional](int value) {
        if (optional && value == spin->minimum()) {
            removeValue(relative, spin);
            return;
        }
        writeValue(relative, value, spin);
    });
    m_bindings.append({spin, [this, spin, relative, optional] {
                           const json::value* v = valueAt(relative);
                           const QSignalBlocker block(spin);
                           if (v != nullptr && (v->is_int64() || v->is_uint64())) {
                               spin->setValue(int(v->to_number<int64_t>()));
                           } else if (optional) {
                               spin->setValue(spin->minimum());
                           }
                       }});
}

void FormSection::bindCombo(QComboBox* combo, const FieldPath& relative) {
    connect(combo, &QComboBox::activated, this, [this, combo, relative](int index) {
        const QString data = combo->itemData(index).toString();
        if (data.isEmpty()) {
            removeValue(relative, combo);
            return;
        }
        writeValue(relative, json::string(toStdString(data)), combo);
    });
    m_bindings.append({combo, [this, combo, relative] {
                           const QString value = stringValue(relative);
                           int index = combo->findData(value);
                           if (index < 0 && !value.isEmpty()) {
                               combo->addItem(value, value);
                               index = combo->count() - 1;
                           }
                           const QSignalBlocker block(combo);
                           combo->setCurrentIndex(qMax(0, index));
                       }});
}

void FormSection::bindCheck(QCheckBox* check, const FieldPath& relative, bool writeFalse) {
    connect(check, &QCheckBox::toggled, this, [this, check, relative, writeFalse](bool on) {
        if (!on && !writeFalse) {
            removeValue(relative, check);
            return;
        }
        writeValue(relative, on, check);
    });
    m_bindings.append({check, [this, check, relative] {
                           const json::value* v = valueAt(relative);
                           const QSignalBlocker block(check);
                           check->setChecked(v != nullptr && v->is_bool() && v->get_bool());
                       }});
}

void FormSection::bindMap(KeyValueTable* table, const FieldPath& relative) {
    connect(table, &KeyValueTable::edited, this, [this, table, relative] {
        const KeyValueTable::Entries entries = table->entries();
        if (entries.isEmpty()) {
            removeValue(relative, table);
            return;
        }
        json::object map;
        for (const auto& [key, value] : entries) {
            map[toStdString(key)] = toStdString(value);
        }
        writeValue(relative, std::move(map), table);
        Q_EMIT validityChanged();
    });
    m_bindings.append({table,
                       [this, table, relative] {
                           KeyValueTable::Entries entries;
                           const json::value* v = valueAt(relative);
                           if (v != nullptr && v->is_object()) {
                               for (const auto& [key, value] : v->as_object()) {
                                   entries.append({toQString(key),
                                                   value.is_string() ? toQString(value.get_string())
                                                                     : QString()});
                               }
                           }
                           table->setEntries(entries);
                       },
                       [table] { return table->validationError(); }});
}

void FormSection::bindLines(QPlainTextEdit* edit, const FieldPath& relative) {
    connect(edit, &QPlainTextEdit::textChanged, this, [this, edit, relative] {
        if (edit->property("pilotLoading").toBool()) {
            return;
        }
        QStringList lines = edit->toPlainText().split(QLatin1Char('\n'));
        while (!lines.isEmpty() && lines.last().isEmpty()) {
            lines.removeLast();
        }
        if (lines.isEmpty()) {
            removeValue(relative, edit);
            return;
        }
        json::array array;
        for (const QString& line : lines) {
            array.emplace_back(json::string(toStdString(line)));
        }
        writeValue(relative, std::move(array), edit);
    });
    m_bindings.append({edit, [this, edit, relative] {
                           QStringList lines;
                           if (const json::value* v = valueAt(relative); v && v->is_array()) {
                               for (const json::value& item : v->as_array()) {
                                   lines.append(item.is_string() ? toQString(item.get_string())
                                                                 : QString());
                               }
                           }
                           const QString text = lines.join(QLatin1Char('\n'));
                           if (edit->toPlainText() != text) {
                               edit->setProperty("pilotLoading", true);
                               edit->setPlainText(text);
                               edit->setProperty("pilotLoading", false);
                           }
                       }});
}

/// The translation context of the validators' messages.
class Validators {
    Q_DECLARE_TR_FUNCTIONS(pilot::gui::Validators)
};

namespace validators {

QString required(const QString& value) {
    return value.trimmed().isEmpty() ? Validators::tr("Required") : QString();
}

QString dnsSubdomain(const QString& value) {
    if (value.isEmpty()) {
        return Validators::tr("Required");
    }
    if (kube::validateDns1123Subdomain(value.toStdString()).empty()) {
        return {};
    }
    return Validators::tr("Use lowercase letters, digits, '-' and '.', starting and ending with a "
                          "letter or digit (at most 253 characters)");
}

QString dnsLabel(const QString& value) {
    if (value.isEmpty() || kube::validateDns1123Label(value.toStdString()).empty()) {
        return {};
    }
    return Validators::tr("Use lowercase letters, digits and '-', starting and ending with a "
                          "letter or digit (at most 63 characters)");
}

QString dns1035Label(const QString& value) {
    if (value.isEmpty()) {
        return Validators::tr("Required");
    }
    if (kube::validateDns1035Label(value.toStdString()).empty()) {
        return {};
    }
    return Validators::tr("Use lowercase letters, digits and '-', starting with a letter and "
                          "ending with a letter or digit (at most 63 characters)");
}

QString quantity(const QString& value) {
    if (value.isEmpty() || kube::Quantity::parse(value.toStdString())) {
        return {};
    }
    return Validators::tr("Not a quantity: use a number with an optional suffix, e.g. 500m, 2, "
                          "128Mi, 1Gi");
}

QString portOrName(const QString& value) {
    if (value.isEmpty()) {
        return {};
    }
    bool isNumber = false;
    const int port = value.toInt(&isNumber);
    if (isNumber) {
        return port >= 1 && port <= 65535 ? QString()
                                          : Validators::tr("A port number is 1 to 65535");
    }
    static const QRegularExpression name(QStringLiteral("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"));
    if (value.size() <= 15 && name.match(value).hasMatch()) {
        return {};
    }
    return Validators::tr("Enter a port number or a port name (lowercase, at most 15 characters)");
}

QString intOrPercent(const QString& value) {
    static const QRegularExpression pattern(QStringLiteral("^[0-9]+%?$"));
    if (value.isEmpty() || pattern.match(value).hasMatch()) {
        return {};
    }
    return Validators::tr("Enter a number or a percentage such as 25%");
}

QString labelKey(const QString& value) {
    if (kube::validateQualifiedName(value.toStdString()).empty()) {
        return {};
    }
    return Validators::tr("Keys are an optional DNS prefix and '/', then at most 63 letters, "
                          "digits, '-', '_' or '.', starting and ending with a letter or digit");
}

QString labelValue(const QString& value) {
    if (kube::validateLabelValue(value.toStdString()).empty()) {
        return {};
    }
    return Validators::tr("Values are at most 63 letters, digits, '-', '_' or '.', starting and "
                          "ending with a letter or digit");
}

} // namespace validators

} // namespace pilot::gui
