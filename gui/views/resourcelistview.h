#pragma once

#include "gui/client/objectrecord.h"
#include "gui/client/resourcetype.h"
#include "gui/models/clustersession.h"

#include <QPointer>
#include <QWidget>

#include <functional>

class QLabel;
class QLineEdit;
class QToolBar;

namespace pilot::gui {

class ActionController;
class ResourceActions;
class ResourceFilterProxy;
class ResourceTableView;

/// The live list of one kind in one cluster (and namespace): a filter bar (free text and label
/// selector, with the selector's parse error shown inline), the actions of the kind for the
/// selected rows, and the sortable, multi-select table. Double-click or Enter opens a detail.
class ResourceListView : public QWidget {
    Q_OBJECT
public:
    /// Starts creating an object of `type` in `ns` (the editors' forms / YAML editor). When set,
    /// every list shows a "Create…" action (object name `actionCreate`) that calls it.
    using CreateFlow = std::function<void(ClusterSession* session, const ResourceType& type,
                                          const QString& ns, QWidget* parent)>;
    static void setCreateFlow(CreateFlow flow);

    ResourceListView(ClusterSession* session, ResourceType type, ActionController* controller,
                     QWidget* parent = nullptr);

    void setNamespace(const QString& ns);
    [[nodiscard]] QString namespaceName() const { return m_namespace; }
    [[nodiscard]] const ResourceType& resourceType() const { return m_type; }
    [[nodiscard]] ResourceTableView* table() const { return m_table; }
    [[nodiscard]] ResourceFilterProxy* proxy() const { return m_proxy; }
    [[nodiscard]] QLineEdit* textFilter() const { return m_text; }
    [[nodiscard]] QLineEdit* labelFilter() const { return m_labels; }
    [[nodiscard]] ResourceActions* actions() const { return m_actions; }
    [[nodiscard]] QToolBar* toolBar() const { return m_toolBar; }

Q_SIGNALS:
    void openDetail(const pilot::gui::ResourceType& type, const pilot::gui::RecordPtr& record);

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void updateCount();

    QPointer<ClusterSession> m_session;
    ResourceType m_type;
    QString m_namespace;
    ResourceFilterProxy* m_proxy = nullptr;
    ResourceTableView* m_table = nullptr;
    ResourceActions* m_actions = nullptr;
    QLabel* m_title = nullptr;
    QLabel* m_count = nullptr;
    QLineEdit* m_text = nullptr;
    QLineEdit* m_labels = nullptr;
    QLabel* m_labelError = nullptr;
    QToolBar* m_toolBar = nullptr;
    QAction* m_create = nullptr;
};

} // namespace pilot::gui
