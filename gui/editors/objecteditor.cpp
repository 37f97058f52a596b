#include "gui/editors/objecteditor.h"

#include "gui/editors/diffview.h"
#include "gui/editors/formfactory.h"
#include "gui/editors/kindform.h"
#include "gui/editors/objectdocument.h"
#include "gui/editors/yamlview.h"
#include "kube/jsonutil.h"
#include "kube/mergepatch.h"
#include "kube/yaml.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <QEvent>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QTabWidget>
#include <QVBoxLayout>

namespace pilot::gui {

namespace json = boost::json;

namespace {

/// The object as the diff shows it: without the bookkeeping nobody edits.
QString diffText(const std::optional<json::object>& object) {
    if (!object) {
        return {};
    }
    json::object shown = *object;
    if (json::object* meta = kube::mutableObject(shown, "metadata")) {
        meta->erase("managedFields");
    }
    return QString::fromStdString(kube::toYaml(shown));
}

QString joinDocuments(const QStringList& documents) {
    QStringList nonEmpty;
    for (const QString& d : documents) {
        nonEmpty.append(d);
    }
    return nonEmpty.join(QStringLiteral("---\n"));
}

} // namespace

ObjectEditor::ObjectEditor(ObjectApplier* applier, QWidget* parent)
    : QWidget(parent), m_applier(applier), m_document(new ObjectDocument(this)),
      m_formArea(new QScrollArea(this)), m_yaml(new YamlView(m_document, this)),
      m_diff(new DiffView(this)), m_tabs(new QTabWidget(this)), m_banner(new QLabel(this)),
      m_confirmBar(new QWidget(this)), m_confirmText(new QLabel(m_confirmBar)),
      m_confirmButton(new QPushButton(m_confirmBar)), m_cancelButton(new QPushButton(m_confirmBar)),
      m_previewButton(new QPushButton(this)), m_applyButton(new QPushButton(this)) {
    m_banner->setObjectName(QStringLiteral("banner"));
    m_banner->setWordWrap(true);
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_banner->setVisible(false);
    m_previewButton->setObjectName(QStringLiteral("preview"));
    m_applyButton->setObjectName(QStringLiteral("apply"));
    m_confirmButton->setObjectName(QStringLiteral("confirmApply"));
    m_cancelButton->setObjectName(QStringLiteral("cancelApply"));
    m_formArea->setWidgetResizable(true);
    m_formArea->setFrameShape(QFrame::NoFrame);

    auto* previewPage = new QWidget(this);
    auto* previewLayout = new QVBoxLayout(previewPage);
    previewLayout->setContentsMargins(0, 0, 0, 0);
    auto* confirm = new QHBoxLayout(m_confirmBar);
    confirm->setContentsMargins(6, 4, 6, 4);
    confirm->addWidget(m_confirmText, 1);
    confirm->addWidget(m_confirmButton);
    confirm->addWidget(m_cancelButton);
    m_confirmBar->setStyleSheet(QStringLiteral("background: #fff8e1;"));
    m_confirmBar->setVisible(false);
    previewLayout->addWidget(m_confirmBar);
    previewLayout->addWidget(m_diff, 1);

    m_tabs->addTab(m_formArea, QString());
    m_tabs->addTab(m_yaml, QString());
    m_tabs->addTab(previewPage, QString());

    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_previewButton);
    buttons->addWidget(m_applyButton);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_banner);
    layout->addWidget(m_tabs, 1);
    layout->addLayout(buttons);

    connect(m_previewButton, &QPushButton::clicked, this, &ObjectEditor::preview);
    connect(m_applyButton, &QPushButton::clicked, this, &ObjectEditor::apply);
    connect(m_confirmButton, &QPushButton::clicked, this, &ObjectEditor::confirmApply);
    connect(m_cancelButton, &QPushButton::clicked, this, &ObjectEditor::cancelApply);
    connect(m_document, &ObjectDocument::textValidityChanged, this, [this](bool valid) {
        if (m_form != nullptr) {
            m_form->setEnabled(valid);
        }
        updateButtons();
    });
    // Any edit makes a shown preview (and a pending confirmation) stale.
    connect(m_document, &ObjectDocument::changed, this, [this] {
        if (m_confirmBar->isVisible()) {
            cancelApply();
        }
    });
    retranslate();
    updateButtons();
}

void ObjectEditor::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) {
        retranslate();
    }
    QWidget::changeEvent(event);
}

void ObjectEditor::retranslate() {
    m_tabs->setTabText(FormTab, tr("Form"));
    m_tabs->setTabText(YamlTab, tr("YAML"));
    m_tabs->setTabText(PreviewTab, tr("Preview"));
    m_previewButton->setText(tr("Preview"));
    m_previewButton->setToolTip(tr("Ask the server for a dry run and show what would change"));
    m_applyButton->setText(m_creating ? tr("Create") : tr("Apply"));
    m_confirmText->setText(tr("Review the changes below, then apply them."));
    m_confirmButton->setText(m_creating ? tr("Create now") : tr("Apply changes"));
    m_cancelButton->setText(tr("Cancel"));
    m_diff->setTitles(tr("Live object"), tr("After apply (server dry run)"));
    if (m_bannerText) {
        m_banner->setText(m_bannerText());
    }
}

QString ObjectEditor::bannerText() const {
    return m_banner->isVisible() ? m_banner->text() : QString();
}

void ObjectEditor::setForm(KindForm* form) {
    if (m_form != nullptr) {
        m_form->deleteLater();
    }
    m_form = form;
    m_tabs->setTabVisible(FormTab, form != nullptr);
    if (form != nullptr) {
        // The form keeps its natural height; spare room goes below it.
        auto* page = new QWidget;
        auto* layout = new QVBoxLayout(page);
        layout->addWidget(form);
        layout->addStretch(1);
        m_formArea->setWidget(page);
    }
}

void ObjectEditor::createNew(const QString& kind, const QString& namespaceName) {
    m_creating = true;
    m_loaded = json::object();
    KindForm* form = createKindForm(kind, m_document);
    setForm(form);
    json::object object;
    if (form != nullptr) {
        object = form->newObject(namespaceName);
        form->setCreating(true);
    } else {
        object = json::object{
            {"kind", toStdString(kind)},
            {"metadata", json::object{{"name", ""}, {"namespace", toStdString(namespaceName)}}}};
    }
    m_document->setObject(std::move(object), nullptr);
    if (form != nullptr) {
        form->load(nullptr);
    }
    m_tabs->setCurrentIndex(form != nullptr ? FormTab : YamlTab);
    showBanner(Banner::None, nullptr);
    m_yaml->clearServerError();
    retranslate();
    updateButtons();
}

void ObjectEditor::editObject(const json::object& object) {
    m_creating = false;
    json::object editable = object;
    if (json::object* meta = kube::mutableObject(editable, "metadata")) {
        meta->erase("managedFields");
    }
    m_loaded = editable;
    const QString kind = toQString(kube::stringAt(object, "kind"));
    if (m_form == nullptr || m_form->kind() != kind) {
        setForm(createKindForm(kind, m_document));
    }
    if (m_form != nullptr) {
        m_form->setCreating(false);
    }
    m_document->setObject(std::move(editable), nullptr);
    if (m_form != nullptr) {
        m_form->load(nullptr);
    }
    m_yaml->clearServerError();
    retranslate();
    updateButtons();
}

void ObjectEditor::editObject(const QJsonObject& object) {
    const QByteArray text = QJsonDocument(object).toJson(QJsonDocument::Compact);
    auto parsed = kube::parseJson(std::string_view(text.constData(), size_t(text.size())));
    if (parsed && parsed->is_object()) {
        editObject(parsed->as_object());
    }
}

void ObjectEditor::setBusy(bool busy) {
    if (busy == m_busy) {
        return;
    }
    m_busy = busy;
    updateButtons();
    Q_EMIT busyChanged(busy);
}

void ObjectEditor::updateButtons() {
    const bool ready = !m_busy && m_document->isTextValid() && !m_document->object().empty();
    m_previewButton->setEnabled(ready);
    m_applyButton->setEnabled(ready);
    m_confirmButton->setEnabled(!m_busy);
}

void ObjectEditor::showBanner(Banner kind, std::function<QString()> text) {
    m_bannerKind = kind;
    m_bannerText = std::move(text);
    m_banner->setVisible(kind != Banner::None);
    m_banner->setText(m_bannerText ? m_bannerText() : QString());
    m_banner->setStyleSheet(kind == Banner::Error
                                ? QStringLiteral("background: #fdecea; color: #611a15; "
                                                 "padding: 6px; border-radius: 3px;")
                                : QStringLiteral("background: #e8f5e9; color: #1b5e20; "
                                                 "padding: 6px; border-radius: 3px;"));
}

QList<json::object> ObjectEditor::collect() {
    m_yaml->flush();
    if (!m_document->isTextValid()) {
        showBanner(Banner::Error,
                   [] { return tr("The YAML has errors; fix them first (see the YAML tab)."); });
        m_tabs->setCurrentIndex(YamlTab);
        return {};
    }
    // The form's own checks apply while the user works in the form; from the YAML tab the
    // server's validation speaks (its errors land on the YAML lines).
    if (m_form != nullptr && m_tabs->currentIndex() == FormTab) {
        const QStringList errors = m_form->validationErrors();
        if (!errors.isEmpty()) {
            showBanner(Banner::Error, [errors]() -> QString {
                return tr("Some fields are not valid:") + QLatin1Char(' ') +
                       errors.join(QStringLiteral("; "));
            });
            m_tabs->setCurrentIndex(FormTab);
            return {};
        }
    }
    QList<json::object> objects{m_document->object()};
    if (m_form != nullptr) {
        objects.append(m_form->companionObjects());
    }
    // What the preview shows is applied over the object as it is then: the applier uses the live
    // resourceVersion (controllers keep bumping it with status writes, so the one loaded into the
    // editor would conflict almost always).
    for (json::object& object : objects) {
        if (json::object* meta = kube::mutableObject(object, "metadata")) {
            meta->erase("resourceVersion");
        }
    }
    return objects;
}

void ObjectEditor::preview() {
    runPreview(false);
}

void ObjectEditor::apply() {
    runPreview(true);
}

void ObjectEditor::runPreview(bool thenConfirm) {
    const QList<json::object> objects = collect();
    if (objects.isEmpty()) {
        return;
    }
    if (m_applier == nullptr) {
        showBanner(Banner::Error, [] { return tr("Not connected to a cluster."); });
        return;
    }
    m_confirmBar->setVisible(false);
    m_yaml->clearServerError();
    showBanner(Banner::None, nullptr);
    setBusy(true);
    const int run = ++m_run;
    m_objects = objects;
    m_live = QList<std::optional<json::object>>(objects.size());
    m_dryRun = QList<std::optional<json::object>>(objects.size());
    m_error.reset();
    m_outstanding = int(objects.size()) * 2;
    auto finishOne = [this, run, thenConfirm] {
        if (run != m_run) {
            return;
        }
        if (--m_outstanding == 0) {
            previewFinished(thenConfirm);
        }
    };
    for (int i = 0; i < objects.size(); ++i) {
        const ApiObjectRef ref = ApiObjectRef::of(objects.at(i));
        m_applier->get(ref, this, [this, run, i, finishOne](const ObjectResult& result) {
            if (run != m_run) {
                return;
            }
            if (result) {
                m_live[i] = *result;
                m_objects[i] = mergedOntoLive(i, *result);
            } else if (!result.error().isNotFound() && !m_error) {
                m_error = std::make_pair(result.error(), i);
            }
            finishOne();
            m_applier->dryRun(m_objects.at(i), this,
                              [this, run, i, finishOne](const ObjectResult& dryRun) {
                                  if (run != m_run) {
                                      return;
                                  }
                                  if (dryRun) {
                                      m_dryRun[i] = *dryRun;
                                  } else if (!m_error || m_error->second > i) {
                                      m_error = std::make_pair(dryRun.error(), i);
                                  }
                                  finishOne();
                              });
        });
    }
}

json::object ObjectEditor::mergedOntoLive(int index, const json::object& live) const {
    // Only the editor's own object was loaded from the server; companions are sent as they are.
    if (index != 0 || m_creating || m_loaded.empty()) {
        return m_objects.at(index);
    }
    // What the user changed since loading, applied to the object as it is now (as kubectl edit
    // sends a patch): changes others made meanwhile (a controller's annotations, a scale) stay.
    json::object loaded = m_loaded;
    json::object edited = m_objects.at(index);
    for (json::object* o : {&loaded, &edited}) {
        if (json::object* meta = kube::mutableObject(*o, "metadata")) {
            meta->erase("resourceVersion");
        }
    }
    const json::value patch = kube::createMergePatch(loaded, edited);
    json::value merged = kube::applyMergePatch(live, patch);
    if (!merged.is_object()) {
        return m_objects.at(index);
    }
    json::object& out = merged.as_object();
    if (json::object* meta = kube::mutableObject(out, "metadata")) {
        meta->erase("resourceVersion");
        meta->erase("managedFields");
    }
    return out;
}

void ObjectEditor::previewFinished(bool thenConfirm) {
    setBusy(false);
    if (m_error) {
        showError(m_error->first, m_error->second);
        return;
    }
    QStringList live;
    QStringList after;
    for (int i = 0; i < m_objects.size(); ++i) {
        live.append(diffText(m_live.at(i)));
        after.append(diffText(m_dryRun.at(i)));
    }
    m_diff->setTexts(joinDocuments(live), joinDocuments(after));
    m_tabs->setCurrentIndex(PreviewTab);
    if (m_diff->summary().identical()) {
        showBanner(Banner::Info,
                   [] { return tr("No changes: the server already has this object."); });
    }
    m_confirmBar->setVisible(thenConfirm && !m_diff->summary().identical());
    Q_EMIT previewReady();
}

void ObjectEditor::cancelApply() {
    m_confirmBar->setVisible(false);
}

void ObjectEditor::confirmApply() {
    if (m_objects.isEmpty() || m_busy) {
        return;
    }
    m_confirmBar->setVisible(false);
    setBusy(true);
    ++m_run;
    m_stored.clear();
    applyNext();
}

void ObjectEditor::applyNext() {
    const int index = int(m_stored.size());
    if (index >= m_objects.size()) {
        setBusy(false);
        QStringList names;
        for (const json::object& o : std::as_const(m_stored)) {
            names.append(ApiObjectRef::of(o).display());
        }
        const bool created = m_creating;
        const QList<json::object> stored = m_stored;
        editObject(stored.first());
        showBanner(Banner::Info, [created, names] {
            return (created ? tr("Created: %1") : tr("Applied: %1"))
                .arg(names.join(QStringLiteral(", ")));
        });
        m_tabs->setCurrentIndex(m_form != nullptr ? FormTab : YamlTab);
        Q_EMIT applied(stored);
        return;
    }
    const int run = m_run;
    m_applier->apply(m_objects.at(index), this, [this, run, index](const ObjectResult& result) {
        if (run != m_run) {
            return;
        }
        if (!result) {
            setBusy(false);
            showError(result.error(), index);
            return;
        }
        m_stored.append(*result);
        applyNext();
    });
}

void ObjectEditor::showError(const StatusError& error, int objectIndex) {
    const QString what = ApiObjectRef::of(m_objects.value(objectIndex)).display();
    const QString message = error.message.isEmpty() ? error.reason : error.message;
    const bool noResponse = error.code == 0;
    showBanner(Banner::Error, [what, message, noResponse] {
        return noResponse ? tr("The server could not be reached: %1").arg(message)
                          : tr("The server rejected %1: %2").arg(what, message);
    });
    if (objectIndex == 0) {
        m_yaml->showServerError(error);
        if (!error.fieldCauses().isEmpty()) {
            m_tabs->setCurrentIndex(YamlTab);
        }
    }
    Q_EMIT failed(error);
}

} // namespace pilot::gui
