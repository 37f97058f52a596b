#include "gui/integration/editortab.h"

#include "gui/editors/objectdocument.h"
#include "gui/editors/objecteditor.h"
#include "gui/editors/yamleditor.h"
#include "gui/editors/yamlview.h"
#include "gui/integration/clientapplier.h"
#include "gui/models/clustersession.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTabWidget>
#include <QVBoxLayout>

namespace pilot::gui {

EditorTab::EditorTab(ClusterSession* session, ObjectRef ref, QWidget* parent)
    : QWidget(parent), m_session(session), m_ref(std::move(ref)) {
    setObjectName(QStringLiteral("editorTab"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_notice = new QWidget(this);
    m_notice->setObjectName(QStringLiteral("changedNotice"));
    m_notice->setStyleSheet(QStringLiteral("#changedNotice { background: #fff8e1; }"));
    auto* notice = new QHBoxLayout(m_notice);
    notice->setContentsMargins(8, 4, 8, 4);
    m_noticeText = new QLabel(m_notice);
    m_noticeText->setWordWrap(true);
    m_reload = new QPushButton(m_notice);
    m_reload->setObjectName(QStringLiteral("reloadObject"));
    notice->addWidget(m_noticeText, 1);
    notice->addWidget(m_reload);
    m_notice->hide();
    layout->addWidget(m_notice);

    m_editor = new ObjectEditor(ClientApplier::of(session), this);
    m_editor->setObjectName(QStringLiteral("objectEditor"));
    m_editor->yamlView()->editor()->setObjectName(QStringLiteral("yamlEditor"));
    layout->addWidget(m_editor, 1);

    connect(m_reload, &QPushButton::clicked, this, &EditorTab::reload);
    connect(m_editor->document(), &ObjectDocument::changed, this, [this](QObject* origin) {
        // Loads come without an origin; the form and the YAML view name themselves.
        if (origin != nullptr) {
            m_edited = true;
        }
    });
    connect(m_editor, &ObjectEditor::applied, this,
            [this](const QList<boost::json::object>& stored) {
                m_edited = false;
                m_notice->hide();
                if (!stored.isEmpty()) {
                    const auto* meta = stored.first().if_contains("metadata");
                    const auto* rv = meta && meta->is_object()
                                         ? meta->as_object().if_contains("resourceVersion")
                                         : nullptr;
                    if (rv && rv->is_string()) {
                        m_loadedVersion = QString::fromUtf8(rv->as_string().data(),
                                                            qsizetype(rv->as_string().size()));
                    }
                }
            });
    if (ResourceModel* model = session->model(m_ref.type)) {
        connect(model, &ResourceModel::contentChanged, this, &EditorTab::onModelChanged);
    }
    retranslate();
    reload();
}

QString EditorTab::yamlText() const {
    return m_editor->yamlView()->editor()->toPlainText();
}

void EditorTab::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) {
        retranslate();
    }
    QWidget::changeEvent(event);
}

void EditorTab::retranslate() {
    m_noticeText->setText(tr("This object changed on the server since you started editing it."));
    m_reload->setText(tr("Reload"));
    m_reload->setToolTip(tr("Load the live object, dropping your unapplied changes"));
}

void EditorTab::onModelChanged() {
    if (!m_session) {
        return;
    }
    const QString key = m_ref.type.namespaced && !m_ref.namespaceName.isEmpty()
                            ? m_ref.namespaceName + QLatin1Char('/') + m_ref.name
                            : m_ref.name;
    RecordPtr record = m_session->model(m_ref.type)->recordByKey(key);
    if (!record || record->resourceVersion == m_loadedVersion) {
        return;
    }
    if (m_edited || m_editor->isBusy()) {
        m_notice->show();
        return;
    }
    reload();
}

void EditorTab::reload() {
    if (!m_session) {
        return;
    }
    m_notice->hide();
    auto show = [this](QJsonObject object) {
        // List items come without apiVersion and kind; the editor needs them.
        object.insert(QStringLiteral("apiVersion"), m_ref.type.apiVersion());
        object.insert(QStringLiteral("kind"), m_ref.type.kind);
        m_loadedVersion = object.value(QLatin1String("metadata"))
                              .toObject()
                              .value(QLatin1String("resourceVersion"))
                              .toString();
        const bool first = !m_loaded;
        m_editor->editObject(object);
        m_edited = false;
        m_loaded = true;
        if (first) {
            m_editor->tabs()->setCurrentIndex(ObjectEditor::YamlTab);
        }
    };
    const QString key = m_ref.type.namespaced && !m_ref.namespaceName.isEmpty()
                            ? m_ref.namespaceName + QLatin1Char('/') + m_ref.name
                            : m_ref.name;
    // The model keeps the whole object (without managedFields) for the built-in kinds.
    if (RecordPtr record = m_session->model(m_ref.type)->recordByKey(key)) {
        QJsonObject object = record->json();
        if (!object.isEmpty()) {
            show(object);
            return;
        }
    }
    // Kinds listed as server-side tables keep only metadata: fetch the object.
    delete m_fetch;
    m_fetch = new QObject(this);
    m_session->client()->get(m_ref.path(), m_fetch, [show](const ApiResponse& response) {
        if (response.ok()) {
            show(response.object());
        }
    });
}

} // namespace pilot::gui
