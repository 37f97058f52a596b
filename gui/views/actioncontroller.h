#pragma once

#include "gui/client/command.h"
#include "gui/client/objectrecord.h"
#include "gui/client/resourcetype.h"
#include "gui/models/clustersession.h"

#include <QAction>
#include <QHash>
#include <QObject>
#include <QPointer>

namespace pilot::gui {

/// The user actions on objects.
enum class ResourceAction {
    Scale,
    Restart,
    SetImage,
    Pause,
    Resume,
    EditLabels,
    EditTaints,
    Cordon,
    Uncordon,
    Drain,
    Delete,
};

/// Turns user actions into commands: asks what it needs (replicas, image, labels, taints,
/// drain options) in non-blocking dialogs, confirms deletions with a QMessageBox, runs the
/// command and reports the outcome through `message`. One per cluster view.
class ActionController : public QObject {
    Q_OBJECT
public:
    ActionController(ClusterSession* session, QWidget* dialogParent, QObject* parent = nullptr);

    /// The actions offered for a kind, in toolbar order.
    [[nodiscard]] static QList<ResourceAction> actionsFor(const ResourceType& type);
    [[nodiscard]] static QString text(ResourceAction action);
    [[nodiscard]] static QString objectName(ResourceAction action);
    /// Whether the action works on one object only.
    [[nodiscard]] static bool singleObject(ResourceAction action);
    /// Whether the action makes sense for these objects now (Pause for a running Deployment,
    /// Uncordon for a cordoned node, ...).
    [[nodiscard]] static bool applies(ResourceAction action, const QList<RecordPtr>& records);

    void trigger(ResourceAction action, const ResourceType& type, const QList<RecordPtr>& records);
    [[nodiscard]] ClusterSession* session() const { return m_session; }

Q_SIGNALS:
    /// A result to show in the status bar (errors inline in the view).
    void message(const QString& text, bool error);
    void commandFinished(bool ok);

private:
    void run(Command* command);

    QPointer<ClusterSession> m_session;
    QPointer<QWidget> m_dialogParent;
};

/// The QActions of one view (toolbar and context menu) for the current kind and selection:
/// enabled when they apply, retranslated on language changes, object names `action<Name>` for
/// tests and accessibility.
class ResourceActions : public QObject {
    Q_OBJECT
public:
    ResourceActions(ActionController* controller, QWidget* owner);

    void setType(const ResourceType& type);
    void setRecords(const QList<RecordPtr>& records);
    [[nodiscard]] QList<QAction*> actions() const { return m_order; }
    [[nodiscard]] QAction* action(ResourceAction action) const { return m_actions.value(action); }

Q_SIGNALS:
    void actionsChanged();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void retranslate();
    void updateEnabled();

    QPointer<ActionController> m_controller;
    QWidget* m_owner;
    ResourceType m_type;
    QList<RecordPtr> m_records;
    QHash<ResourceAction, QAction*> m_actions;
    QList<QAction*> m_order;
};

} // namespace pilot::gui
