// console.md item 1: with --kubeconfig F every context of F is listed and can be opened, several
// at once (and closed); an unreachable one shows the banner. Without any kubeconfig the console
// offers "Start a local cluster", which starts the bundled engine (and the agent when it is
// installed) and shows the cluster ready within 10 s. The local cluster serves its registry: the
// Harbor API answers over TLS verified with the engine CA and the recorded administrator.

#include "gui/app/clustermanager.h"
#include "gui/app/languagemanager.h"
#include "gui/app/mainwindow.h"
#include "gui/cluster/localcluster.h"
#include "gui/models/clustersession.h"
#include "gui/models/navigationmodel.h"
#include "gui/models/nodemodel.h"
#include "gui/views/connectionbanner.h"
#include "gui/views/dashboardview.h"
#include "gui/views/navigationview.h"
#include "gui/views/welcomeview.h"

#include "tests/gui/support/consoletest.h"
#include "tests/gui/support/engineinstance.h"

#include <QAction>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPushButton>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

#include <memory>

using namespace pilot::gui;
using namespace pilot::guitest;

namespace {

/// The engine's admin kubeconfig plus a second context ("ops", namespace kube-system) on the
/// same cluster and a third ("offline") whose server does not answer.
QByteArray multiContextKubeconfig(const QString& adminKubeconfig) {
    QFile file(adminKubeconfig);
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    QByteArray text = file.readAll();
    int contexts = int(text.indexOf("contexts:"));
    int current = int(text.indexOf("current-context:"));
    QByteArray head = text.left(contexts);
    // Append the offline cluster to the clusters list and two more contexts.
    head.replace("users:", "  - name: offline\n    cluster:\n      server: https://127.0.0.1:1\n"
                           "      insecure-skip-tls-verify: true\nusers:");
    return head +
           "contexts:\n"
           "  - name: pilothouse\n    context: {cluster: pilothouse, user: pilothouse-admin}\n"
           "  - name: ops\n    context: {cluster: pilothouse, user: pilothouse-admin, "
           "namespace: kube-system}\n"
           "  - name: offline\n    context: {cluster: offline, user: pilothouse-admin}\n" +
           text.mid(current);
}

struct HarborReply {
    QNetworkReply::NetworkError error = QNetworkReply::UnknownNetworkError;
    int status = 0;
    QJsonDocument body;
};

/// GET `path` below the registry's /api/v2.0 as its administrator, trusting only the engine CA
/// (or, with `systemTrust`, only the system store, as a client not told about the CA would).
HarborReply harborGet(const LocalRegistry& registry, const QString& path,
                      bool systemTrust = false) {
    QNetworkAccessManager network;
    QUrl url = registry.url;
    url.setPath(QStringLiteral("/api/v2.0") + path);
    QNetworkRequest request(url);
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    if (!systemTrust) {
        tls.setCaCertificates(QSslCertificate::fromData(registry.certificateAuthorityPem));
    }
    request.setSslConfiguration(tls);
    request.setRawHeader(
        "Authorization",
        "Basic " + (registry.username + QLatin1Char(':') + registry.password).toUtf8().toBase64());
    request.setTransferTimeout(10000);
    std::unique_ptr<QNetworkReply> reply(network.get(request));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    HarborReply out;
    if (!reply->isFinished() && !finished.wait(15000)) {
        return out;
    }
    out.error = reply->error();
    out.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    out.body = QJsonDocument::fromJson(reply->readAll());
    return out;
}

} // namespace

class ConsoleClustersTest : public QObject {
    Q_OBJECT

private:
    EngineInstance m_engine;
    LanguageManager m_language;
    QTemporaryDir m_dir;

    static QStringList contextNames(NavigationModel* nav) {
        QStringList names;
        for (int row = 0; row < nav->rowCount(); ++row) {
            names << nav->index(row, 0).data().toString();
        }
        return names;
    }

    static bool isOpen(MainWindow* window, const QString& context) {
        return window->navigationModel()
            ->contextIndex(context)
            .data(NavigationModel::IsOpenRole)
            .toBool();
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        m_language.setLanguage(QStringLiteral("en"));
    }

    void listsEveryContextAndOpensSeveral() {
        QVERIFY(m_engine.start());
        QString kubeconfig = writeFile(m_dir.path(), QStringLiteral("config"),
                                       multiContextKubeconfig(m_engine.kubeconfig()));
        AppOptions options;
        options.kubeconfig = kubeconfig;
        MainWindow window(options, &m_language);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        NavigationModel* nav = window.navigationModel();
        QCOMPARE(contextNames(nav),
                 (QStringList{QStringLiteral("pilothouse"), QStringLiteral("ops"),
                              QStringLiteral("offline")}));
        // The current context opened by itself.
        QTRY_VERIFY(isOpen(&window, QStringLiteral("pilothouse")));
        QVERIFY(!isOpen(&window, QStringLiteral("ops")));

        // Select "ops" and press Open: two clusters open at once.
        NavigationView* navigation = window.navigation();
        clickTreeItem(navigation->tree(), nav->contextIndex(QStringLiteral("ops")));
        QVERIFY(navigation->openButton()->isEnabled());
        QVERIFY(!navigation->closeButton()->isEnabled());
        clickButton(navigation->openButton());
        QTRY_VERIFY(isOpen(&window, QStringLiteral("ops")));
        QVERIFY(isOpen(&window, QStringLiteral("pilothouse")));
        QCOMPARE(window.clusters()->openContexts().size(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(window.dashboard(QStringLiteral("ops")) != nullptr, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(
            nav->namespaceIndex(QStringLiteral("ops"), QStringLiteral("kube-system")).isValid(),
            10000);
        QCOMPARE(window.clusters()->session(QStringLiteral("ops"))->config().namespaceName,
                 QStringLiteral("kube-system"));
        navigation->tree()->expand(nav->contextIndex(QStringLiteral("pilothouse")));
        saveScreenshot(&window, QStringLiteral("clusters-two-open"));

        // An unreachable context opens with the banner instead of data (double-click opens).
        QModelIndex offline = nav->contextIndex(QStringLiteral("offline"));
        navigation->tree()->scrollTo(offline);
        QPoint at = navigation->tree()->visualRect(offline).center();
        QTest::mouseClick(navigation->tree()->viewport(), Qt::LeftButton, {}, at);
        QTest::mouseDClick(navigation->tree()->viewport(), Qt::LeftButton, {}, at);
        QTRY_VERIFY(isOpen(&window, QStringLiteral("offline")));
        QTRY_VERIFY_WITH_TIMEOUT(window.banner()->isVisible(), 10000);
        QVERIFY(window.banner()->message().contains(QLatin1String("offline")));
        saveScreenshot(&window, QStringLiteral("clusters-offline-banner"));

        // Close "ops" again with the Close button.
        clickTreeItem(navigation->tree(), nav->contextIndex(QStringLiteral("ops")));
        QVERIFY(navigation->closeButton()->isEnabled());
        clickButton(navigation->closeButton());
        QTRY_VERIFY(!isOpen(&window, QStringLiteral("ops")));
        QCOMPARE(nav->rowCount(nav->contextIndex(QStringLiteral("ops"))), 0);
        QVERIFY(isOpen(&window, QStringLiteral("pilothouse")));
        m_engine.stop();
    }

    void offersAndStartsALocalCluster() {
        QTemporaryDir home;
        qputenv("HOME", home.path().toUtf8());
        qputenv("KUBECONFIG", QByteArray());
        LocalCluster::Options local;
        local.engineBinary = QStringLiteral(PILOT_ENGINE_BINARY);
        local.agentBinary = QStringLiteral(PILOT_AGENT_BINARY);
        local.dataDir = home.filePath(QStringLiteral("local-cluster"));
        local.nodeName = QStringLiteral("local-node");
        MainWindow window(AppOptions{}, &m_language, local);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.navigationModel()->rowCount(), 0);
        WelcomeView* welcome = window.welcome();
        QCOMPARE(window.currentPage(), welcome);
        QVERIFY(welcome->startLocalButton()->isVisible());
        QCOMPARE(welcome->startLocalButton()->text(), QStringLiteral("Start a local cluster"));
        QVERIFY(welcome->findChild<QLabel*>(QStringLiteral("welcomeText"))
                    ->text()
                    .contains(QLatin1String("No kubeconfig")));
        saveScreenshot(&window, QStringLiteral("clusters-first-start"));

        QElapsedTimer clock;
        clock.start();
        clickButton(welcome->startLocalButton());
        LocalCluster* cluster = window.clusters()->localCluster();
        QTRY_COMPARE_WITH_TIMEOUT(cluster->state(), LocalCluster::State::Running, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(window.clusters()->session(LocalCluster::contextName()) != nullptr,
                                 10000);
        ClusterSession* session = window.clusters()->session(LocalCluster::contextName());
        QTRY_COMPARE_WITH_TIMEOUT(session->connection(), ClusterSession::Connection::Connected,
                                  10000);
        if (cluster->hasAgent()) {
            QTRY_VERIFY_WITH_TIMEOUT(
                session->nodes()->rowCount() > 0 &&
                    static_cast<const NodeRecord&>(*session->nodes()->record(0)).ready ==
                        QLatin1String("True"),
                10000);
        }
        QVERIFY2(clock.elapsed() < 10000, qPrintable(QString::number(clock.elapsed())));
        qInfo("local cluster ready in %lld ms (agent: %s)", clock.elapsed(),
              cluster->hasAgent() ? "yes" : "no");
        QVERIFY(QFileInfo::exists(local.dataDir + QStringLiteral("/engine/admin.kubeconfig")));
        QTRY_VERIFY(window.dashboard(LocalCluster::contextName()) != nullptr);
        QCOMPARE(window.currentPage(),
                 static_cast<QWidget*>(window.dashboard(LocalCluster::contextName())));
        auto* state = window.findChild<QLabel*>(QStringLiteral("localClusterState"));
        QVERIFY2(state->text().contains(QLatin1String("running")), qPrintable(state->text()));
        saveScreenshot(&window, QStringLiteral("clusters-local-ready"));

        // The bundled registry is served on a port of its own, with the engine CA and the
        // administrator from DATA/engine/registry-admin.
        auto registry = cluster->registry();
        QVERIFY2(registry, qPrintable(registry ? QString() : registry.error()));
        QCOMPARE(registry->url.scheme(), QStringLiteral("https"));
        QCOMPARE(registry->url.host(), QStringLiteral("127.0.0.1"));
        QVERIFY(registry->url.port() > 0);
        QVERIFY(registry->url.port() != QUrl(cluster->apiUrl()).port());
        const int registryPort = registry->url.port();
        QCOMPARE(registry->certificateAuthorityFile,
                 local.dataDir + QStringLiteral("/engine/pki/ca.crt"));
        HarborReply current = harborGet(*registry, QStringLiteral("/users/current"));
        QCOMPARE(current.error, QNetworkReply::NoError);
        QCOMPARE(current.body[QLatin1String("username")].toString(), registry->username);
        HarborReply projects = harborGet(*registry, QStringLiteral("/projects"));
        QCOMPARE(projects.status, 200);
        QStringList names;
        for (const QJsonValue& project : projects.body.array()) {
            names << project[QLatin1String("name")].toString();
        }
        QVERIFY2(names.contains(QStringLiteral("library")), qPrintable(names.join(u',')));
        // Its certificate is the engine CA's, not one the system store trusts.
        QCOMPARE(harborGet(*registry, QStringLiteral("/projects"), true).error,
                 QNetworkReply::SslHandshakeFailedError);

        // A second console on the same data directory attaches instead of starting an engine.
        {
            MainWindow second(AppOptions{}, &m_language, local);
            second.show();
            clickButton(second.welcome()->startLocalButton());
            LocalCluster* other = second.clusters()->localCluster();
            QTRY_COMPARE_WITH_TIMEOUT(other->state(), LocalCluster::State::Running, 10000);
            QVERIFY(other->isAttached());
            // The attached console knows the registry its owner started.
            QCOMPARE(other->registryUrl(), cluster->registryUrl());
            QTRY_VERIFY_WITH_TIMEOUT(
                second.clusters()->session(LocalCluster::contextName()) != nullptr &&
                    second.clusters()->session(LocalCluster::contextName())->connection() ==
                        ClusterSession::Connection::Connected,
                10000);
            // Letting go of an attached cluster leaves it running for its owner.
            second.findChild<QAction*>(QStringLiteral("actionStopLocal"))->trigger();
            QCOMPARE(other->state(), LocalCluster::State::Stopped);
        }
        QCOMPARE(cluster->state(), LocalCluster::State::Running);
        QCOMPARE(session->connection(), ClusterSession::Connection::Connected);

        window.findChild<QAction*>(QStringLiteral("actionStopLocal"))->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(cluster->state(), LocalCluster::State::Stopped, 20000);
        QVERIFY(!cluster->registry());
        QTRY_VERIFY_WITH_TIMEOUT(window.banner()->isVisible(), 15000);

        // Started again, the registry keeps its port: pods name their images by it.
        cluster->start();
        QTRY_COMPARE_WITH_TIMEOUT(cluster->state(), LocalCluster::State::Running, 15000);
        QCOMPARE(cluster->registryUrl().port(), registryPort);
        window.findChild<QAction*>(QStringLiteral("actionStopLocal"))->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(cluster->state(), LocalCluster::State::Stopped, 20000);
    }
};

QTEST_MAIN(ConsoleClustersTest)
#include "tst_console_clusters.moc"
