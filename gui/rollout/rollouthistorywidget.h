#pragma once

#include "gui/editors/objectapplier.h"
#include "gui/rollout/rollouthistory.h"

#include <boost/json/object.hpp>

#include <QJsonObject>
#include <QList>
#include <QWidget>

#include <functional>

class QLabel;
class QProgressBar;
class QPushButton;
class QTreeWidget;

namespace pilot::gui {

class DiffView;

/// The rollout history of one Deployment, StatefulSet or DaemonSet: its revisions (number, time,
/// change-cause, images; the current one marked), a side-by-side diff of the pod templates of
/// any two revisions, "Roll back" to a chosen revision (after an inline confirmation, sent as
/// `kubectl rollout undo` does), and live progress (updated / ready / available of desired).
/// The objects are pushed in (by the console's informers, or anything else): `setWorkload` with
/// every new version of the workload, `upsertOwned`/`removeOwned` (or `setOwned`) with its
/// namespace's ReplicaSets (Deployments) or ControllerRevisions (StatefulSets, DaemonSets); the
/// widget keeps only those the workload controls. The rollback goes through the ObjectApplier.
class RolloutHistoryWidget : public QWidget {
    Q_OBJECT
public:
    explicit RolloutHistoryWidget(ObjectApplier* applier, QWidget* parent = nullptr);

    void setWorkload(const boost::json::object& workload);
    void setWorkload(const QJsonObject& workload);
    void setOwned(const QList<boost::json::object>& objects);
    void upsertOwned(const boost::json::object& object);
    void upsertOwned(const QJsonObject& object);
    /// Forgets the owned object with this uid.
    void removeOwned(const QString& uid);

    [[nodiscard]] const QList<Revision>& revisions() const { return m_revisions; }
    [[nodiscard]] RolloutProgress progress() const { return m_progress; }
    [[nodiscard]] QTreeWidget* revisionList() const { return m_list; }
    [[nodiscard]] DiffView* diffView() const { return m_diff; }
    [[nodiscard]] QPushButton* rollbackButton() const { return m_rollback; }
    [[nodiscard]] QPushButton* confirmButton() const { return m_confirm; }
    [[nodiscard]] QString statusText() const;
    [[nodiscard]] QString bannerText() const;

public Q_SLOTS:
    /// Shows the pod-template diff between revisions `older` and `newer`.
    void compare(qint64 older, qint64 newer);
    /// Asks to roll back to `revision` (the confirmation bar appears).
    void requestRollback(qint64 revision);
    void confirmRollback();

Q_SIGNALS:
    void rolledBack(qint64 revision);
    void failed(const pilot::gui::StatusError& error);

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void refresh();
    void selectionChanged();
    void showBanner(bool error, std::function<QString()> text);

    ObjectApplier* m_applier;
    boost::json::object m_workload;
    QList<boost::json::object> m_owned;
    QList<Revision> m_revisions;
    RolloutProgress m_progress;
    qint64 m_pendingRollback = 0;

    QLabel* m_title;
    QLabel* m_status;
    QList<QLabel*> m_barLabels;
    QList<QProgressBar*> m_bars;
    QLabel* m_banner;
    QTreeWidget* m_list;
    QPushButton* m_rollback;
    QWidget* m_confirmBar;
    QLabel* m_confirmText;
    QPushButton* m_confirm;
    QPushButton* m_cancel;
    DiffView* m_diff;
    std::function<QString()> m_bannerText;
};

} // namespace pilot::gui
