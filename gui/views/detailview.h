#pragma once

#include "gui/client/objectrecord.h"
#include "gui/client/resourcetype.h"
#include "gui/client/workloadcommands.h"
#include "gui/models/clustersession.h"

#include <QJsonObject>
#include <QPointer>
#include <QWidget>

#include <functional>

class QFormLayout;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QTabWidget;
class QTableWidget;
class QToolBar;

namespace pilot::gui {

class ActionController;
class ResourceActions;
class ResourceFilterProxy;
class ResourceTableView;

/// One object in detail, kept live from its model: Overview (metadata, kind-specific summary,
/// conditions, its pods, related objects), Events (those about it), YAML (read-only here; the
/// editors library replaces it through `setYamlViewFactory`), with the kind's actions. When the
/// object is deleted the last state stays visible under a notice.
class DetailView : public QWidget {
    Q_OBJECT
public:
    /// Builds the widget of the YAML tab for an object. The widget owns its content (fetching
    /// and applying through `session->client()`); DetailView only places it.
    using YamlViewFactory =
        std::function<QWidget*(ClusterSession* session, const ObjectRef& ref, QWidget* parent)>;
    static void setYamlViewFactory(YamlViewFactory factory);

    /// An extra tab for the kinds it applies to (rollout history, logs, ...), added after YAML.
    /// `title` is called again on language changes (use tr() inside).
    struct TabFactory {
        std::function<bool(const ResourceType& type)> appliesTo;
        std::function<QString()> title;
        std::function<QWidget*(ClusterSession* session, const ObjectRef& ref, QWidget* parent)>
            create;
    };
    static void addTabFactory(TabFactory factory);
    static void clearTabFactories();

    DetailView(ClusterSession* session, ResourceType type, const QString& key,
               ActionController* controller, QWidget* parent = nullptr);

    [[nodiscard]] const ResourceType& resourceType() const { return m_type; }
    [[nodiscard]] QString key() const { return m_key; }
    [[nodiscard]] QString title() const;
    [[nodiscard]] RecordPtr record() const { return m_record; }
    [[nodiscard]] bool isDeleted() const { return m_deleted; }
    [[nodiscard]] QTabWidget* tabs() const { return m_tabs; }
    [[nodiscard]] ResourceTableView* podsTable() const { return m_pods; }
    [[nodiscard]] ResourceTableView* eventsTable() const { return m_events; }
    [[nodiscard]] QTableWidget* conditionsTable() const { return m_conditions; }
    [[nodiscard]] QListWidget* relatedList() const { return m_related; }
    [[nodiscard]] QString yamlText() const;
    [[nodiscard]] ResourceActions* actions() const { return m_actions; }
    [[nodiscard]] QToolBar* toolBar() const { return m_toolBar; }
    /// The value shown for a summary field (for tests), by its translated label.
    [[nodiscard]] QString summaryValue(const QString& label) const;

Q_SIGNALS:
    void titleChanged(const QString& title);
    /// The user asked to open a related object.
    void openRelated(const pilot::gui::ResourceType& type, const QString& ns, const QString& name);

protected:
    void changeEvent(QEvent* event) override;

private:
    void refresh();
    void onModelChanged();
    void fillSummary(const QJsonObject& object);
    void fillConditions(const QJsonObject& object);
    void fillRelated(const QJsonObject& object);
    void fillYaml(const QJsonObject& object);
    void setupPods();
    void setupEvents();
    void retranslate();
    void addSummary(const QString& label, const QString& value);

    QPointer<ClusterSession> m_session;
    ResourceType m_type;
    QString m_key;
    RecordPtr m_record;
    QString m_shownVersion;
    QJsonObject m_object; ///< The object as last shown.
    bool m_watchingServices = false;
    bool m_deleted = false;
    bool m_fetchPending = false;
    QObject* m_fetchContext = nullptr;

    QLabel* m_heading = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_deletedNotice = nullptr;
    QToolBar* m_toolBar = nullptr;
    ResourceActions* m_actions = nullptr;
    QTabWidget* m_tabs = nullptr;
    QWidget* m_overview = nullptr;
    QFormLayout* m_summary = nullptr;
    QLabel* m_conditionsTitle = nullptr;
    QTableWidget* m_conditions = nullptr;
    QLabel* m_podsTitle = nullptr;
    ResourceTableView* m_pods = nullptr;
    ResourceFilterProxy* m_podsProxy = nullptr;
    QLabel* m_relatedTitle = nullptr;
    QListWidget* m_related = nullptr;
    ResourceTableView* m_events = nullptr;
    ResourceFilterProxy* m_eventsProxy = nullptr;
    QWidget* m_yamlWidget = nullptr;
    QPlainTextEdit* m_yaml = nullptr;
    QList<std::pair<QWidget*, std::function<QString()>>> m_extraTabs;
};

} // namespace pilot::gui
