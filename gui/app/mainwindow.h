#pragma once

#include "gui/app/appoptions.h"
#include "gui/client/objectrecord.h"
#include "gui/client/resourcetype.h"
#include "gui/cluster/localcluster.h"

#include <QHash>
#include <QMainWindow>

class QActionGroup;
class QLabel;
class QStackedWidget;
class QTabWidget;

namespace pilot::gui {

class ActionController;
class ClusterManager;
class ClusterSession;
class ConnectionBanner;
class DashboardView;
class DetailView;
class LanguageManager;
class NavigationModel;
class NavigationView;
class ResourceListView;
class WelcomeView;

/// The console window. It only composes: the navigation tree on the left; on the right the
/// connection banner and tabs (the page chosen in the tree, then one closable tab per opened
/// object); menus for files, clusters and language; the local cluster's state in the status bar.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    MainWindow(const AppOptions& options, LanguageManager* language,
               LocalCluster::Options local = LocalCluster::defaultOptions(),
               QWidget* parent = nullptr);
    ~MainWindow() override;

    [[nodiscard]] ClusterManager* clusters() const { return m_clusters; }
    [[nodiscard]] NavigationView* navigation() const { return m_navigation; }
    [[nodiscard]] NavigationModel* navigationModel() const { return m_navModel; }
    [[nodiscard]] QTabWidget* tabs() const { return m_tabs; }
    [[nodiscard]] ConnectionBanner* banner() const { return m_banner; }
    [[nodiscard]] WelcomeView* welcome() const { return m_welcome; }
    [[nodiscard]] QWidget* currentPage() const;
    [[nodiscard]] ResourceListView* listView(const QString& context,
                                             const ResourceType& type) const;
    [[nodiscard]] DashboardView* dashboard(const QString& context) const;
    [[nodiscard]] DetailView* currentDetail() const;
    [[nodiscard]] QActionGroup* languageActions() const { return m_languages; }

    /// Selects a page in the tree as a click would.
    void showPage(const QString& context, const QString& ns, const ResourceType& type);
    void showOverview(const QString& context);
    /// Opens (or switches to) the detail tab of an object.
    DetailView* openDetail(const QString& context, const ResourceType& type, const QString& key);

protected:
    void changeEvent(QEvent* event) override;

private:
    void buildMenus();
    void retranslate();
    void onPageRequested(const QModelIndex& index);
    void onSessionOpened(const QString& context, ClusterSession* session);
    void onSessionClosed(const QString& context);
    void openContext(const QString& context);
    void updateLocalState();
    void openKubeconfigFile();
    [[nodiscard]] ActionController* controllerFor(const QString& context);
    [[nodiscard]] QString pageKey(const QString& context, const QString& what) const;
    void setCurrentContext(const QString& context);

    AppOptions m_options;
    LanguageManager* m_language;
    ClusterManager* m_clusters = nullptr;
    NavigationModel* m_navModel = nullptr;
    NavigationView* m_navigation = nullptr;
    ConnectionBanner* m_banner = nullptr;
    QTabWidget* m_tabs = nullptr;
    QStackedWidget* m_pages = nullptr;
    WelcomeView* m_welcome = nullptr;
    QHash<QString, QWidget*> m_pageByKey;
    QHash<QString, ActionController*> m_controllers;
    QString m_currentContext;
    QLabel* m_localState = nullptr;

    QMenu* m_fileMenu = nullptr;
    QMenu* m_clusterMenu = nullptr;
    QMenu* m_viewMenu = nullptr;
    QMenu* m_languageMenu = nullptr;
    QMenu* m_helpMenu = nullptr;
    QAction* m_openFile = nullptr;
    QAction* m_startLocal = nullptr;
    QAction* m_stopLocal = nullptr;
    QAction* m_quit = nullptr;
    QAction* m_openContext = nullptr;
    QAction* m_closeContext = nullptr;
    QAction* m_reconnect = nullptr;
    QAction* m_about = nullptr;
    QActionGroup* m_languages = nullptr;
};

} // namespace pilot::gui
