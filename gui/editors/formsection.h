#pragma once

#include "gui/editors/fieldpath.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <functional>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;

namespace pilot::gui {

class KeyValueTable;
class ObjectDocument;

/// A part of a form that edits the fields under `base()` of an ObjectDocument. Widgets are bound
/// to paths relative to the base: a user edit writes that one field (other fields, including ones
/// no form knows, are never touched), and `load` refreshes every widget from the document except
/// the one being edited. Sections nest (a container inside a pod template inside a Deployment);
/// list rows are sections whose base is re-targeted as items come and go. Texts are registered
/// with `translated` and re-applied when the language changes.
class FormSection : public QWidget {
    Q_OBJECT
public:
    explicit FormSection(ObjectDocument* document, QWidget* parent = nullptr);

    [[nodiscard]] ObjectDocument* document() const { return m_document; }
    [[nodiscard]] const FieldPath& base() const { return m_base; }
    /// Re-targets this section and its children (their bases are relative to this one).
    void setBase(const FieldPath& base);
    /// Refreshes the widgets from the document, leaving `origin` (the widget the change came
    /// from) alone.
    virtual void load(QObject* origin);
    /// Messages of fields holding invalid input (each also shown next to its field).
    [[nodiscard]] virtual QStringList validationErrors() const;

    /// A check of one text field: an empty string when valid, else the message to show.
    using Validator = std::function<QString(const QString&)>;
    using TextFunction = std::function<QString()>;

    enum class TextKind {
        String,      ///< written as a string; empty removes the field
        Integer,     ///< written as a number; other input is invalid
        IntOrString, ///< digits as a number, anything else as a string (ports, maxSurge)
    };

Q_SIGNALS:
    /// Some field's input became valid or invalid.
    void validityChanged();

protected:
    void changeEvent(QEvent* event) override;

    /// Runs `apply` now and again whenever the language changes.
    void translated(std::function<void()> apply);
    [[nodiscard]] QLabel* makeLabel(TextFunction text);
    /// Adds `label: field` to `layout`, with an inline message row under it when given.
    void addRow(QFormLayout* layout, TextFunction label, QWidget* field, QLabel* message = nullptr);
    /// Adds a child section whose base is this section's base followed by `relative`.
    void addSection(FormSection* child, const FieldPath& relative);
    void removeSection(FormSection* child);

    /// Binds a line edit; returns its inline message label (hidden while the input is valid).
    QLabel* bindText(QLineEdit* edit, const FieldPath& relative, TextKind kind = TextKind::String,
                     Validator validator = {});
    /// Binds a spin box. With `optional`, the minimum shows `absentText` and removes the field.
    void bindInt(QSpinBox* spin, const FieldPath& relative, bool optional,
                 TextFunction absentText = {});
    /// Binds a combo box whose items carry the JSON string as user data; an item with empty
    /// data means "absent". A value the items do not know is added as an item, so it survives.
    void bindCombo(QComboBox* combo, const FieldPath& relative);
    /// Binds a check box; unchecked removes the field unless `writeFalse`.
    void bindCheck(QCheckBox* check, const FieldPath& relative, bool writeFalse = false);
    /// Binds a map of strings (labels, node selector, data).
    void bindMap(KeyValueTable* table, const FieldPath& relative);
    /// Binds a list of strings shown one per line (command, args).
    void bindLines(QPlainTextEdit* edit, const FieldPath& relative);

    /// Writes/removes one field relative to the base, with `origin` as the change's source.
    void writeValue(const FieldPath& relative, boost::json::value value, QObject* origin);
    void removeValue(const FieldPath& relative, QObject* origin);
    [[nodiscard]] const boost::json::value* valueAt(const FieldPath& relative) const;
    [[nodiscard]] QString stringValue(const FieldPath& relative) const;

private:
    struct Binding {
        QObject* widget = nullptr;
        std::function<void()> load;
        std::function<QString()> error; ///< current validation message
    };
    struct Child {
        FormSection* section = nullptr;
        FieldPath relative;
    };

    ObjectDocument* m_document;
    FieldPath m_base;
    QList<Binding> m_bindings;
    QList<Child> m_children;
    QList<std::function<void()>> m_texts;
};

/// Validators shared by the forms; each returns a translated message, or "" when valid.
namespace validators {
[[nodiscard]] QString required(const QString& value);
/// RFC 1123 subdomain (most object names).
[[nodiscard]] QString dnsSubdomain(const QString& value);
/// RFC 1123 label (container, port and volume names, namespaces); empty is allowed.
[[nodiscard]] QString dnsLabel(const QString& value);
/// RFC 1035 label (Service names).
[[nodiscard]] QString dns1035Label(const QString& value);
/// A resource quantity (`500m`, `1Gi`); empty is allowed.
[[nodiscard]] QString quantity(const QString& value);
/// A port number 1-65535 or a port name; empty is allowed.
[[nodiscard]] QString portOrName(const QString& value);
/// A whole number or a percentage (`25%`); empty is allowed.
[[nodiscard]] QString intOrPercent(const QString& value);
/// Label/annotation key (qualified name).
[[nodiscard]] QString labelKey(const QString& value);
[[nodiscard]] QString labelValue(const QString& value);
} // namespace validators

} // namespace pilot::gui
