#include "gui/views/actioncontroller.h"

#include "gui/client/nodecommands.h"
#include "gui/client/workloadcommands.h"
#include "gui/models/clustersession.h"
#include "gui/models/cronjobmodel.h"
#include "gui/models/deploymentmodel.h"
#include "gui/models/jobmodel.h"
#include "gui/models/modelutil.h"
#include "gui/models/nodemodel.h"
#include "gui/views/actiondialogs.h"
#include "gui/views/draindialog.h"

#include <QEvent>
#include <QJsonArray>
#include <QMessageBox>
#include <QPushButton>

namespace pilot::gui {

namespace {

ObjectRef refOf(const ResourceType& type, const ObjectRecord& record) {
    return {type, record.namespaceName, record.name};
}

/// Where a kind keeps its pod spec.
QJsonObject podSpecOf(const ResourceType& type, const QJsonObject& object) {
    if (type.kind == QLatin1String("Pod")) {
        return object.value(QLatin1String("spec")).toObject();
    }
    if (type.kind == QLatin1String("CronJob")) {
        return jsonAt(object, u"spec.jobTemplate.spec.template.spec").toObject();
    }
    return jsonAt(object, u"spec.template.spec").toObject();
}

bool paused(const ObjectRecord& record) {
    if (auto* d = dynamic_cast<const DeploymentRecord*>(&record)) {
        return d->paused;
    }
    if (auto* c = dynamic_cast<const CronJobRecord*>(&record)) {
        return c->suspended;
    }
    if (auto* j = dynamic_cast<const JobRecord*>(&record)) {
        return j->suspended;
    }
    return false;
}

} // namespace

ActionController::ActionController(ClusterSession* session, QWidget* dialogParent, QObject* parent)
    : QObject(parent), m_session(session), m_dialogParent(dialogParent) {}

QList<ResourceAction> ActionController::actionsFor(const ResourceType& type) {
    using A = ResourceAction;
    const QString id = type.id();
    if (id == ResourceType::deployments().id()) {
        return {A::Scale, A::Restart, A::SetImage, A::Pause, A::Resume, A::EditLabels, A::Delete};
    }
    if (id == ResourceType::statefulSets().id()) {
        return {A::Scale, A::Restart, A::SetImage, A::EditLabels, A::Delete};
    }
    if (id == ResourceType::daemonSets().id()) {
        return {A::Restart, A::SetImage, A::EditLabels, A::Delete};
    }
    if (id == ResourceType::jobs().id() || id == ResourceType::cronJobs().id()) {
        return {A::Pause, A::Resume, A::EditLabels, A::Delete};
    }
    if (id == ResourceType::nodes().id()) {
        return {A::Cordon, A::Uncordon, A::Drain, A::EditLabels, A::EditTaints, A::Delete};
    }
    if (id == ResourceType::events().id()) {
        return {A::Delete};
    }
    return {A::EditLabels, A::Delete};
}

QString ActionController::text(ResourceAction action) {
    switch (action) {
    case ResourceAction::Scale:
        return tr("Scale…");
    case ResourceAction::Restart:
        return tr("Restart");
    case ResourceAction::SetImage:
        return tr("Change image…");
    case ResourceAction::Pause:
        return tr("Pause");
    case ResourceAction::Resume:
        return tr("Resume");
    case ResourceAction::EditLabels:
        return tr("Edit labels…");
    case ResourceAction::EditTaints:
        return tr("Edit taints…");
    case ResourceAction::Cordon:
        return tr("Cordon");
    case ResourceAction::Uncordon:
        return tr("Uncordon");
    case ResourceAction::Drain:
        return tr("Drain…");
    case ResourceAction::Delete:
        return tr("Delete");
    }
    return {};
}

QString ActionController::objectName(ResourceAction action) {
    switch (action) {
    case ResourceAction::Scale:
        return QStringLiteral("actionScale");
    case ResourceAction::Restart:
        return QStringLiteral("actionRestart");
    case ResourceAction::SetImage:
        return QStringLiteral("actionSetImage");
    case ResourceAction::Pause:
        return QStringLiteral("actionPause");
    case ResourceAction::Resume:
        return QStringLiteral("actionResume");
    case ResourceAction::EditLabels:
        return QStringLiteral("actionEditLabels");
    case ResourceAction::EditTaints:
        return QStringLiteral("actionEditTaints");
    case ResourceAction::Cordon:
        return QStringLiteral("actionCordon");
    case ResourceAction::Uncordon:
        return QStringLiteral("actionUncordon");
    case ResourceAction::Drain:
        return QStringLiteral("actionDrain");
    case ResourceAction::Delete:
        return QStringLiteral("actionDelete");
    }
    return {};
}

bool ActionController::singleObject(ResourceAction action) {
    switch (action) {
    case ResourceAction::Scale:
    case ResourceAction::SetImage:
    case ResourceAction::EditLabels:
    case ResourceAction::EditTaints:
    case ResourceAction::Drain:
        return true;
    default:
        return false;
    }
}

bool ActionController::applies(ResourceAction action, const QList<RecordPtr>& records) {
    if (records.isEmpty() || (singleObject(action) && records.size() != 1)) {
        return false;
    }
    for (const RecordPtr& record : records) {
        switch (action) {
        case ResourceAction::Pause:
            if (paused(*record)) {
                return false;
            }
            break;
        case ResourceAction::Resume:
            if (!paused(*record)) {
                return false;
            }
            break;
        case ResourceAction::Cordon:
        case ResourceAction::Uncordon: {
            auto* node = dynamic_cast<const NodeRecord*>(record.get());
            if (!node || node->unschedulable != (action == ResourceAction::Uncordon)) {
                return false;
            }
            break;
        }
        default:
            break;
        }
    }
    return true;
}

void ActionController::run(Command* command) {
    QString description = command->description();
    connect(command, &Command::finished, this,
            [this, command, description](bool ok, const QString& error) {
                command->deleteLater();
                Q_EMIT message(ok ? tr("%1: done").arg(description)
                                  : tr("%1: failed: %2").arg(description, error),
                               !ok);
                Q_EMIT commandFinished(ok);
            });
    command->start();
}

void ActionController::trigger(ResourceAction action, const ResourceType& type,
                               const QList<RecordPtr>& records) {
    if (!m_session || !applies(action, records)) {
        return;
    }
    KubeClient* client = m_session->client();
    QWidget* parent = m_dialogParent;
    const ObjectRecord& first = *records.front();
    ObjectRef ref = refOf(type, first);
    switch (action) {
    case ResourceAction::Scale: {
        auto* dialog =
            new ScaleDialog(ref.display(), intAt(first.json(), u"spec.replicas", 1), parent);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &QDialog::accepted, this, [this, client, ref, dialog] {
            run(new ScaleCommand(client, ref, dialog->replicas(), this));
        });
        dialog->open();
        return;
    }
    case ResourceAction::SetImage: {
        QList<std::pair<QString, QString>> containers;
        for (const QJsonValue& value :
             podSpecOf(type, first.json()).value(QLatin1String("containers")).toArray()) {
            QJsonObject container = value.toObject();
            containers.append({container.value(QLatin1String("name")).toString(),
                               container.value(QLatin1String("image")).toString()});
        }
        auto* dialog = new ImageDialog(ref.display(), containers, parent);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &QDialog::accepted, this, [this, client, ref, dialog] {
            if (!dialog->image().isEmpty()) {
                run(new SetImageCommand(client, ref, dialog->container(), dialog->image(), this));
            }
        });
        dialog->open();
        return;
    }
    case ResourceAction::EditLabels: {
        QMap<QString, QString> labels;
        for (const auto& [key, value] : first.labels) {
            labels.insert(key, value);
        }
        auto* dialog = new LabelsDialog(ref.display(), labels, parent);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &QDialog::accepted, this, [this, client, ref, labels, dialog] {
            run(new SetLabelsCommand(client, ref, labels, dialog->labels(), this));
        });
        dialog->open();
        return;
    }
    case ResourceAction::EditTaints: {
        QJsonObject node = first.json();
        auto* dialog = new TaintsDialog(first.name, SetTaintsCommand::taintsOf(node), parent);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        QString name = first.name;
        QString rv = first.resourceVersion;
        connect(dialog, &QDialog::accepted, this, [this, client, name, rv, dialog] {
            run(new SetTaintsCommand(client, name, rv, dialog->taints(), this));
        });
        dialog->open();
        return;
    }
    case ResourceAction::Drain: {
        auto* dialog = new DrainDialog(client, first.name, parent);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        QString name = first.name;
        connect(dialog, &DrainDialog::drainFinished, this,
                [this, name](bool ok, const QString& error) {
                    Q_EMIT message(ok ? tr("Node %1 drained").arg(name)
                                      : tr("Drain of node %1 failed: %2").arg(name, error),
                                   !ok);
                    Q_EMIT commandFinished(ok);
                });
        dialog->open();
        return;
    }
    case ResourceAction::Delete: {
        QList<ObjectRef> refs;
        for (const RecordPtr& record : records) {
            refs << refOf(type, *record);
        }
        QString what = refs.size() == 1 ? refs.front().display()
                                        : tr("%n object(s)", nullptr, int(refs.size()));
        auto* box = new QMessageBox(QMessageBox::Warning, tr("Delete"),
                                    tr("Delete %1? This cannot be undone.").arg(what),
                                    QMessageBox::NoButton, parent);
        box->setObjectName(QStringLiteral("confirmDelete"));
        QPushButton* yes = box->addButton(tr("Delete"), QMessageBox::DestructiveRole);
        yes->setObjectName(QStringLiteral("confirmDeleteButton"));
        QPushButton* no = box->addButton(tr("Cancel"), QMessageBox::RejectRole);
        no->setObjectName(QStringLiteral("cancelDeleteButton"));
        box->setDefaultButton(no);
        box->setAttribute(Qt::WA_DeleteOnClose);
        connect(box, &QMessageBox::buttonClicked, this,
                [this, client, refs, yes](QAbstractButton* b) {
                    if (b == yes) {
                        run(new DeleteCommand(client, refs, this));
                    }
                });
        box->open();
        return;
    }
    case ResourceAction::Restart:
        for (const RecordPtr& record : records) {
            run(new RestartCommand(client, refOf(type, *record), this));
        }
        return;
    case ResourceAction::Pause:
    case ResourceAction::Resume:
        for (const RecordPtr& record : records) {
            run(new PauseCommand(client, refOf(type, *record), action == ResourceAction::Pause,
                                 this));
        }
        return;
    case ResourceAction::Cordon:
    case ResourceAction::Uncordon:
        for (const RecordPtr& record : records) {
            run(new CordonCommand(client, record->name, action == ResourceAction::Cordon, this));
        }
        return;
    }
}

ResourceActions::ResourceActions(ActionController* controller, QWidget* owner)
    : QObject(owner), m_controller(controller), m_owner(owner) {
    owner->installEventFilter(this);
}

bool ResourceActions::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_owner && event->type() == QEvent::LanguageChange) {
        retranslate();
    }
    return QObject::eventFilter(watched, event);
}

void ResourceActions::setType(const ResourceType& type) {
    if (type == m_type && !m_order.isEmpty()) {
        return;
    }
    m_type = type;
    qDeleteAll(m_order);
    m_order.clear();
    m_actions.clear();
    for (ResourceAction kind : ActionController::actionsFor(type)) {
        auto* action = new QAction(this);
        action->setObjectName(ActionController::objectName(kind));
        connect(action, &QAction::triggered, this, [this, kind] {
            if (m_controller) {
                m_controller->trigger(kind, m_type, m_records);
            }
        });
        if (kind == ResourceAction::Delete) {
            action->setShortcut(QKeySequence::Delete);
            action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        }
        m_actions.insert(kind, action);
        m_order.append(action);
    }
    retranslate();
    updateEnabled();
    Q_EMIT actionsChanged();
}

void ResourceActions::setRecords(const QList<RecordPtr>& records) {
    m_records = records;
    updateEnabled();
}

void ResourceActions::retranslate() {
    for (auto it = m_actions.begin(); it != m_actions.end(); ++it) {
        it.value()->setText(ActionController::text(it.key()));
    }
}

void ResourceActions::updateEnabled() {
    for (auto it = m_actions.begin(); it != m_actions.end(); ++it) {
        it.value()->setEnabled(ActionController::applies(it.key(), m_records));
    }
}

} // namespace pilot::gui
