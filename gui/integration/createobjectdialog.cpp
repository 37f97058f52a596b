#include "gui/integration/createobjectdialog.h"

#include "gui/editors/objectdocument.h"
#include "gui/editors/objecteditor.h"
#include "gui/integration/clientapplier.h"
#include "gui/models/clustersession.h"

#include <QEvent>
#include <QVBoxLayout>

namespace pilot::gui {

CreateObjectDialog::CreateObjectDialog(ClusterSession* session, const ResourceType& type,
                                       const QString& namespaceName, QWidget* parent)
    : QDialog(parent), m_type(type) {
    setObjectName(QStringLiteral("createObjectDialog"));
    setAttribute(Qt::WA_DeleteOnClose);
    resize(960, 760);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_editor = new ObjectEditor(ClientApplier::of(session), this);
    m_editor->setObjectName(QStringLiteral("createEditor"));
    layout->addWidget(m_editor);
    // A list in "all namespaces" creates in default, as kubectl does.
    const QString ns = type.namespaced
                           ? (namespaceName.isEmpty() ? QStringLiteral("default") : namespaceName)
                           : QString();
    m_editor->createNew(type.kind, ns);
    if (!m_editor->form()) {
        // YAML only: start from the kind's apiVersion, and no namespace for cluster-scoped kinds.
        const QString apiVersion = type.apiVersion();
        const bool namespaced = type.namespaced;
        m_editor->document()->edit(
            [&](boost::json::object& object) {
                object["apiVersion"] = apiVersion.toStdString();
                if (!namespaced) {
                    if (auto* meta = object.if_contains("metadata"); meta && meta->is_object()) {
                        meta->as_object().erase("namespace");
                    }
                }
            },
            nullptr);
    }
    connect(m_editor, &ObjectEditor::applied, this, [this] {
        Q_EMIT created();
        accept();
    });
    // The applier (and every request) goes with the session.
    connect(session, &QObject::destroyed, this, &QWidget::close);
    retranslate();
}

void CreateObjectDialog::launch(ClusterSession* session, const ResourceType& type,
                                const QString& namespaceName, QWidget* parent) {
    if (!session) {
        return;
    }
    auto* dialog = new CreateObjectDialog(session, type, namespaceName, parent);
    dialog->show();
}

void CreateObjectDialog::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) {
        retranslate();
    }
    QDialog::changeEvent(event);
}

void CreateObjectDialog::retranslate() {
    setWindowTitle(tr("Create %1").arg(m_type.kind));
}

} // namespace pilot::gui
