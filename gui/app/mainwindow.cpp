#include "gui/app/mainwindow.h"

#include "gui/app/clustermanager.h"
#include "gui/app/languagemanager.h"
#include "gui/integration/consolehooks.h"
#include "gui/models/clustersession.h"
#include "gui/models/navigationmodel.h"
#include "gui/views/actioncontroller.h"
#include "gui/views/connectionbanner.h"
#include "gui/views/dashboardview.h"
#include "gui/views/detailview.h"
#include "gui/views/navigationview.h"
#include "gui/views/resourcelistview.h"
#include "gui/views/welcomeview.h"

#include <QActionGroup>
#include <QApplication>
#include <QDir>
#include <QEvent>
#include <QFileDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabBar>
#include <QTabWidget>
#include <QTreeView>
#include <QVBoxLayout>

namespace pilot::gui {

namespace {

constexpr int MessageTimeoutMs = 8000;

QStringList kubeconfigFiles(const AppOptions& options) {
    return KubeconfigSet::defaultFiles(options.kubeconfig, qEnvironmentVariable("KUBECONFIG"),
                                       QDir::homePath());
}

} // namespace

MainWindow::MainWindow(const AppOptions& options, LanguageManager* language,
                       LocalCluster::Options local, QWidget* parent)
    : QMainWindow(parent), m_options(options), m_language(language) {
    setObjectName(QStringLiteral("mainWindow"));
    resize(1280, 800);
    installConsoleHooks();
    m_clusters = new ClusterManager(kubeconfigFiles(options), !options.kubeconfig.isEmpty(),
                                    std::move(local), this);
    m_navModel = new NavigationModel(this);
    m_navModel->setContexts(m_clusters->contexts());

    auto* splitter = new QSplitter(this);
    splitter->setObjectName(QStringLiteral("mainSplitter"));
    m_navigation = new NavigationView(m_navModel, splitter);
    auto* right = new QWidget(splitter);
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 4, 4, 0);
    rightLayout->setSpacing(4);
    m_banner = new ConnectionBanner(right);
    rightLayout->addWidget(m_banner);
    m_tabs = new QTabWidget(right);
    m_tabs->setObjectName(QStringLiteral("mainTabs"));
    m_tabs->setTabsClosable(true);
    m_tabs->setDocumentMode(true);
    m_pages = new QStackedWidget(m_tabs);
    m_pages->setObjectName(QStringLiteral("pages"));
    m_welcome = new WelcomeView(m_pages);
    m_pages->addWidget(m_welcome);
    m_tabs->addTab(m_pages, QString());
    // The browsing tab stays; only detail tabs close.
    m_tabs->tabBar()->setTabButton(0, QTabBar::RightSide, nullptr);
    m_tabs->tabBar()->setTabButton(0, QTabBar::LeftSide, nullptr);
    rightLayout->addWidget(m_tabs, 1);
    splitter->addWidget(m_navigation);
    splitter->addWidget(right);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({260, 1020});
    setCentralWidget(splitter);

    m_localState = new QLabel(this);
    m_localState->setObjectName(QStringLiteral("localClusterState"));
    statusBar()->addPermanentWidget(m_localState);
    buildMenus();

    connect(m_tabs, &QTabWidget::tabCloseRequested, this, [this](int index) {
        if (index > 0) {
            QWidget* page = m_tabs->widget(index);
            m_tabs->removeTab(index);
            page->deleteLater();
        }
    });
    connect(m_navigation, &NavigationView::openRequested, this, &MainWindow::openContext);
    connect(m_navigation, &NavigationView::closeRequested, m_clusters, &ClusterManager::close);
    connect(m_navigation, &NavigationView::pageRequested, this, &MainWindow::onPageRequested);
    connect(m_clusters, &ClusterManager::contextsChanged, this, [this] {
        m_navModel->setContexts(m_clusters->contexts());
        m_welcome->setHasContexts(!m_clusters->contexts().isEmpty());
    });
    connect(m_clusters, &ClusterManager::sessionOpened, this, &MainWindow::onSessionOpened);
    connect(m_clusters, &ClusterManager::sessionClosed, this, &MainWindow::onSessionClosed);
    connect(m_clusters, &ClusterManager::localOpened, this,
            [this](const QString& context) { showOverview(context); });
    connect(m_clusters->localCluster(), &LocalCluster::stateChanged, this,
            &MainWindow::updateLocalState);
    connect(m_clusters->localCluster(), &LocalCluster::agentStarted, this,
            &MainWindow::updateLocalState);
    connect(m_welcome, &WelcomeView::startLocalRequested, m_clusters, &ClusterManager::startLocal);
    connect(m_welcome, &WelcomeView::openFileRequested, this, &MainWindow::openKubeconfigFile);

    m_welcome->setHasContexts(!m_clusters->contexts().isEmpty());
    retranslate();
    updateLocalState();
    if (!m_clusters->loadError().isEmpty()) {
        statusBar()->showMessage(m_clusters->loadError(), MessageTimeoutMs);
    }
    // Open what the command line asks for, else the current context.
    if (options.local) {
        m_clusters->startLocal();
    }
    QString initial = !options.context.isEmpty() ? options.context : m_clusters->currentContext();
    if (!initial.isEmpty() && !options.local) {
        openContext(initial);
    }
}

MainWindow::~MainWindow() {
    // Views and controllers hold raw pointers into sessions: remove them first.
    delete m_navigation;
    m_navigation = nullptr;
    delete m_tabs;
    m_tabs = nullptr;
}

void MainWindow::buildMenus() {
    m_fileMenu = menuBar()->addMenu(QString());
    m_openFile = m_fileMenu->addAction(QString(), this, &MainWindow::openKubeconfigFile);
    m_openFile->setObjectName(QStringLiteral("actionOpenKubeconfig"));
    m_openFile->setShortcut(QKeySequence::Open);
    m_fileMenu->addSeparator();
    m_startLocal = m_fileMenu->addAction(QString(), m_clusters, &ClusterManager::startLocal);
    m_startLocal->setObjectName(QStringLiteral("actionStartLocal"));
    m_stopLocal = m_fileMenu->addAction(QString(), m_clusters, &ClusterManager::stopLocal);
    m_stopLocal->setObjectName(QStringLiteral("actionStopLocal"));
    m_fileMenu->addSeparator();
    m_quit = m_fileMenu->addAction(QString(), this, &QWidget::close);
    m_quit->setShortcut(QKeySequence::Quit);

    m_clusterMenu = menuBar()->addMenu(QString());
    m_openContext = m_clusterMenu->addAction(
        QString(), this, [this] { openContext(m_navigation->currentContext()); });
    m_closeContext = m_clusterMenu->addAction(
        QString(), this, [this] { m_clusters->close(m_navigation->currentContext()); });
    m_reconnect = m_clusterMenu->addAction(QString(), this, [this] {
        if (ClusterSession* session = m_clusters->session(m_currentContext)) {
            session->reconnectNow();
        }
    });
    m_reconnect->setObjectName(QStringLiteral("actionReconnect"));

    m_viewMenu = menuBar()->addMenu(QString());
    m_languageMenu = m_viewMenu->addMenu(QString());
    m_languages = new QActionGroup(this);
    m_languages->setExclusive(true);
    for (const QString& code : LanguageManager::available()) {
        QAction* action = m_languageMenu->addAction(LanguageManager::nativeName(code));
        action->setCheckable(true);
        action->setData(code);
        action->setObjectName(QStringLiteral("language_") + code);
        action->setChecked(m_language && m_language->language() == code);
        m_languages->addAction(action);
    }
    connect(m_languages, &QActionGroup::triggered, this, [this](QAction* action) {
        if (m_language) {
            m_language->setLanguage(action->data().toString());
        }
    });

    m_helpMenu = menuBar()->addMenu(QString());
    m_about = m_helpMenu->addAction(QString(), this, [this] {
        auto* box = new QMessageBox(QMessageBox::Information, tr("About Pilothouse"),
                                    tr("Pilothouse 0.1.0\nA desktop Kubernetes console with a "
                                       "bundled lightweight cluster."),
                                    QMessageBox::Ok, this);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    });
}

void MainWindow::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) {
        retranslate();
    }
    QMainWindow::changeEvent(event);
}

void MainWindow::retranslate() {
    setWindowTitle(m_currentContext.isEmpty() ? tr("Pilothouse")
                                              : tr("Pilothouse — %1").arg(m_currentContext));
    m_tabs->setTabText(0, tr("Browse"));
    m_fileMenu->setTitle(tr("&File"));
    m_openFile->setText(tr("Open kubeconfig…"));
    m_startLocal->setText(tr("Start local cluster"));
    m_stopLocal->setText(tr("Stop local cluster"));
    m_quit->setText(tr("Quit"));
    m_clusterMenu->setTitle(tr("&Cluster"));
    m_openContext->setText(tr("Open selected context"));
    m_closeContext->setText(tr("Close selected context"));
    m_reconnect->setText(tr("Reconnect now"));
    m_viewMenu->setTitle(tr("&View"));
    m_languageMenu->setTitle(tr("Language"));
    m_helpMenu->setTitle(tr("&Help"));
    m_about->setText(tr("About Pilothouse"));
    // Chinese titles are taller than Latin ones: let the layout give the menu bar its new height
    // (otherwise it keeps the old one and folds every menu into its extension button).
    menuBar()->setMinimumHeight(menuBar()->sizeHint().height());
    for (QAction* action : m_languages->actions()) {
        action->setChecked(m_language && action->data().toString() == m_language->language());
    }
    updateLocalState();
}

QString MainWindow::pageKey(const QString& context, const QString& what) const {
    return context + QLatin1Char('\n') + what;
}

ActionController* MainWindow::controllerFor(const QString& context) {
    if (ActionController* controller = m_controllers.value(context)) {
        return controller;
    }
    ClusterSession* session = m_clusters->session(context);
    if (!session) {
        return nullptr;
    }
    auto* controller = new ActionController(session, this, session);
    connect(controller, &ActionController::message, this, [this](const QString& text, bool) {
        statusBar()->showMessage(text, MessageTimeoutMs);
    });
    m_controllers.insert(context, controller);
    return controller;
}

void MainWindow::openContext(const QString& context) {
    if (context.isEmpty()) {
        return;
    }
    QString error;
    if (!m_clusters->open(context, &error)) {
        statusBar()->showMessage(tr("Cannot open %1: %2").arg(context, error), MessageTimeoutMs);
        return;
    }
    showOverview(context);
}

void MainWindow::onSessionOpened(const QString& context, ClusterSession* session) {
    m_navModel->setSession(context, session);
}

void MainWindow::onSessionClosed(const QString& context) {
    // Detail tabs and pages of the context go with it.
    for (int i = m_tabs->count() - 1; i > 0; --i) {
        if (m_tabs->widget(i)->property("context").toString() == context) {
            QWidget* page = m_tabs->widget(i);
            m_tabs->removeTab(i);
            delete page;
        }
    }
    for (auto it = m_pageByKey.begin(); it != m_pageByKey.end();) {
        if (it.key().startsWith(context + QLatin1Char('\n'))) {
            m_pages->removeWidget(it.value());
            delete it.value();
            it = m_pageByKey.erase(it);
        } else {
            ++it;
        }
    }
    m_controllers.remove(context); // owned by the session, which is going
    m_navModel->setSession(context, nullptr);
    if (m_currentContext == context) {
        setCurrentContext(QString());
        m_pages->setCurrentWidget(m_welcome);
    }
}

void MainWindow::setCurrentContext(const QString& context) {
    m_currentContext = context;
    m_banner->setSession(m_clusters->session(context));
    retranslate();
}

void MainWindow::showOverview(const QString& context) {
    m_navigation->select(m_navModel->overviewIndex(context));
}

void MainWindow::showPage(const QString& context, const QString& ns, const ResourceType& type) {
    QModelIndex index = m_navModel->kindIndex(context, ns, type);
    if (index.isValid()) {
        m_navigation->select(index);
    }
}

void MainWindow::onPageRequested(const QModelIndex& index) {
    QString context = index.data(NavigationModel::ContextRole).toString();
    ClusterSession* session = m_clusters->session(context);
    m_tabs->setCurrentIndex(0);
    if (!session) {
        setCurrentContext(QString());
        m_pages->setCurrentWidget(m_welcome);
        return;
    }
    setCurrentContext(context);
    auto type = NavigationModel::NodeType(index.data(NavigationModel::NodeTypeRole).toInt());
    QString ns = index.data(NavigationModel::NamespaceRole).toString();
    ResourceType kind;
    switch (type) {
    case NavigationModel::NodeType::Context:
    case NavigationModel::NodeType::Overview: {
        QString key = pageKey(context, QStringLiteral("overview"));
        QWidget* page = m_pageByKey.value(key);
        if (!page) {
            page = new DashboardView(session, m_pages);
            m_pageByKey.insert(key, page);
            m_pages->addWidget(page);
        }
        m_pages->setCurrentWidget(page);
        return;
    }
    case NavigationModel::NodeType::Namespace:
        kind = ResourceType::pods();
        break;
    case NavigationModel::NodeType::Category: {
        auto category =
            NavigationModel::Category(index.data(NavigationModel::CategoryRole).toInt());
        QList<ResourceType> kinds = NavigationModel::kindsOf(category);
        if (category == NavigationModel::Category::Custom) {
            kinds = session->discovery()->customResources();
        }
        if (kinds.isEmpty()) {
            return;
        }
        kind = kinds.first();
        break;
    }
    case NavigationModel::NodeType::Kind:
        kind = index.data(NavigationModel::ResourceTypeRole).value<ResourceType>();
        break;
    }
    QString key = pageKey(context, kind.id());
    auto* list = static_cast<ResourceListView*>(m_pageByKey.value(key));
    if (!list) {
        list = new ResourceListView(session, kind, controllerFor(context), m_pages);
        connect(list, &ResourceListView::openDetail, this,
                [this, context](const ResourceType& t, const RecordPtr& record) {
                    openDetail(context, t, record->key());
                });
        m_pageByKey.insert(key, list);
        m_pages->addWidget(list);
    }
    list->setNamespace(ns);
    m_pages->setCurrentWidget(list);
}

DetailView* MainWindow::openDetail(const QString& context, const ResourceType& type,
                                   const QString& key) {
    ClusterSession* session = m_clusters->session(context);
    if (!session) {
        return nullptr;
    }
    for (int i = 1; i < m_tabs->count(); ++i) {
        auto* detail = qobject_cast<DetailView*>(m_tabs->widget(i));
        if (detail && detail->property("context").toString() == context &&
            detail->resourceType() == type && detail->key() == key) {
            m_tabs->setCurrentIndex(i);
            return detail;
        }
    }
    auto* detail = new DetailView(session, type, key, controllerFor(context), m_tabs);
    detail->setProperty("context", context);
    int index = m_tabs->addTab(detail, detail->title());
    m_tabs->setTabToolTip(index, context + QStringLiteral(": ") + key);
    connect(detail, &DetailView::titleChanged, this, [this, detail](const QString& title) {
        int i = m_tabs->indexOf(detail);
        if (i > 0) {
            m_tabs->setTabText(i, title);
        }
    });
    connect(detail, &DetailView::openRelated, this,
            [this, context](const ResourceType& t, const QString& ns, const QString& name) {
                openDetail(context, t,
                           t.namespaced && !ns.isEmpty() ? ns + QLatin1Char('/') + name : name);
            });
    m_tabs->setCurrentIndex(index);
    return detail;
}

QWidget* MainWindow::currentPage() const {
    return m_pages->currentWidget();
}

ResourceListView* MainWindow::listView(const QString& context, const ResourceType& type) const {
    return qobject_cast<ResourceListView*>(m_pageByKey.value(pageKey(context, type.id())));
}

DashboardView* MainWindow::dashboard(const QString& context) const {
    return qobject_cast<DashboardView*>(
        m_pageByKey.value(pageKey(context, QStringLiteral("overview"))));
}

DetailView* MainWindow::currentDetail() const {
    return qobject_cast<DetailView*>(m_tabs->currentWidget());
}

void MainWindow::updateLocalState() {
    LocalCluster* local = m_clusters->localCluster();
    QString text;
    bool error = false;
    switch (local->state()) {
    case LocalCluster::State::Stopped:
        text = tr("Local cluster: stopped");
        break;
    case LocalCluster::State::Starting:
        text = local->engineReady() ? tr("Local cluster: engine ready, starting the agent…")
                                    : tr("Local cluster: starting…");
        break;
    case LocalCluster::State::Running:
        text = local->isAttached() ? tr("Local cluster: running (started by another Pilothouse)")
               : local->hasAgent() ? tr("Local cluster: running (engine and agent)")
                                   : tr("Local cluster: running (engine only, no agent installed)");
        break;
    case LocalCluster::State::Stopping:
        text = tr("Local cluster: stopping…");
        break;
    case LocalCluster::State::Failed:
        text = tr("Local cluster: failed: %1").arg(local->lastError());
        error = true;
        break;
    }
    m_localState->setText(text);
    m_welcome->setLocalStatus(local->state() == LocalCluster::State::Stopped ? QString() : text,
                              error);
    bool busy = local->state() == LocalCluster::State::Starting ||
                local->state() == LocalCluster::State::Running ||
                local->state() == LocalCluster::State::Stopping;
    m_welcome->setLocalStartEnabled(!busy);
    if (m_startLocal) {
        m_startLocal->setEnabled(!busy);
        m_stopLocal->setEnabled(local->state() == LocalCluster::State::Running ||
                                local->state() == LocalCluster::State::Starting);
    }
}

void MainWindow::openKubeconfigFile() {
    auto* dialog = new QFileDialog(this, tr("Open kubeconfig"), QDir::homePath());
    dialog->setObjectName(QStringLiteral("openKubeconfigDialog"));
    dialog->setFileMode(QFileDialog::ExistingFile);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString& file) {
        m_clusters->addFile(file);
        if (!m_clusters->loadError().isEmpty()) {
            statusBar()->showMessage(m_clusters->loadError(), MessageTimeoutMs);
        }
    });
    dialog->open();
}

} // namespace pilot::gui
