#pragma once

#include "gui/editors/formsection.h"

#include <boost/json/object.hpp>

#include <QList>

class QFormLayout;
class QLineEdit;

namespace pilot::gui {

class KeyValueTable;

/// The form of one kind, editing the whole object of an ObjectDocument: a header with name,
/// namespace and labels, then what the kind adds. It follows the document (every change made
/// elsewhere, e.g. in the YAML view, is loaded) and writes each user edit to it. When creating,
/// name and namespace are editable; when editing a live object they are fixed.
class KindForm : public FormSection {
    Q_OBJECT
public:
    explicit KindForm(ObjectDocument* document, QWidget* parent = nullptr);

    [[nodiscard]] virtual QString apiVersion() const = 0;
    [[nodiscard]] virtual QString kind() const = 0;
    /// The object the form starts from when creating one.
    [[nodiscard]] virtual boost::json::object newObject(const QString& namespaceName) const = 0;
    /// Objects created or applied together with this one (Deployment: "also create a Service").
    [[nodiscard]] virtual QList<boost::json::object> companionObjects() const { return {}; }

    void setCreating(bool creating);
    [[nodiscard]] bool isCreating() const { return m_creating; }
    [[nodiscard]] QLineEdit* nameEdit() const { return m_name; }
    [[nodiscard]] QLineEdit* namespaceEdit() const { return m_namespace; }
    [[nodiscard]] KeyValueTable* labels() const { return m_labels; }

protected:
    /// The layout under the header, for the kind's rows.
    [[nodiscard]] QFormLayout* formLayout() const { return m_form; }
    /// The check of names of this kind (RFC 1123 subdomain unless overridden).
    [[nodiscard]] virtual QString validateName(const QString& name) const;
    /// The user renamed the object while creating it.
    virtual void nameEdited(const QString& before, const QString& after);
    virtual void creatingChanged() {}
    /// Whether a map at `path` is empty or exactly {app: name} (so it may follow a new name).
    [[nodiscard]] bool followsName(const FieldPath& path, const QString& name) const;

private:
    QFormLayout* m_form;
    QLineEdit* m_name;
    QLineEdit* m_namespace;
    KeyValueTable* m_labels;
    QString m_lastName;
    bool m_creating = true;
};

} // namespace pilot::gui
