// console.md item 12: stopping the engine shows a banner while the views keep their last data;
// when the engine returns (same data dir, same address) the console reconnects by itself and
// resumes watching: a pod created afterwards appears.

#include "gui/app/clustermanager.h"
#include "gui/app/languagemanager.h"
#include "gui/app/mainwindow.h"
#include "gui/client/informer.h"
#include "gui/models/clustersession.h"
#include "gui/models/navigationmodel.h"
#include "gui/views/connectionbanner.h"
#include "gui/views/navigationview.h"
#include "gui/views/resourcelistview.h"
#include "gui/views/resourcetableview.h"

#include "tests/gui/support/consoletest.h"
#include "tests/gui/support/engineinstance.h"

#include <QPushButton>
#include <QStandardPaths>
#include <QTest>
#include <QTreeView>

using namespace pilot::gui;
using namespace pilot::guitest;

class ConsoleReconnectTest : public QObject {
    Q_OBJECT

private:
    EngineInstance m_engine;
    LanguageManager m_language;
    std::unique_ptr<MainWindow> m_window;
    const QString m_context = QStringLiteral("pilothouse");
    QString m_address;

    ResourceListView* pods() const { return m_window->listView(m_context, ResourceType::pods()); }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_engine.start());
        m_address = m_engine.listenAddress();
        m_language.setLanguage(QStringLiteral("en"));
        AppOptions options;
        options.kubeconfig = m_engine.kubeconfig();
        m_window = std::make_unique<MainWindow>(options, &m_language);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QTRY_VERIFY_WITH_TIMEOUT(m_window->navigationModel()
                                     ->namespaceIndex(m_context, QStringLiteral("default"))
                                     .isValid(),
                                 10000);
        clickTreeItem(m_window->navigation()->tree(),
                      m_window->navigationModel()->kindIndex(m_context, QStringLiteral("default"),
                                                             ResourceType::pods()));
        QVERIFY(pods());
        QCOMPARE(kubectl(m_engine.kubeconfig(), {QStringLiteral("run"), QStringLiteral("before"),
                                                 QStringLiteral("--image=nginx"),
                                                 QStringLiteral("-n"), QStringLiteral("default")}),
                 0);
        QTRY_VERIFY(pods()->table()->rowOfKey(QStringLiteral("default/before")) >= 0);
        QVERIFY(m_window->banner()->isHidden());
    }

    void cleanupTestCase() {
        m_window.reset();
        m_engine.stop();
    }

    void showsABannerAndKeepsTheData() {
        m_engine.stop();
        QTRY_VERIFY_WITH_TIMEOUT(m_window->banner()->isVisible(), 15000);
        QVERIFY2(m_window->banner()->message().contains(m_context),
                 qPrintable(m_window->banner()->message()));
        QCOMPARE(m_window->clusters()->session(m_context)->connection(),
                 ClusterSession::Connection::Disconnected);
        QVERIFY(pods()->table()->rowOfKey(QStringLiteral("default/before")) >= 0);
        saveScreenshot(m_window.get(), QStringLiteral("reconnect-banner"));
        // Asking to reconnect while the server is down changes nothing and breaks nothing.
        clickButton(m_window->banner()->findChild<QPushButton*>(QStringLiteral("reconnectButton")));
        QVERIFY(m_window->banner()->isVisible());
    }

    void reconnectsAndResumesWhenTheEngineReturns() {
        Informer* informer =
            m_window->clusters()->session(m_context)->informer(ResourceType::pods());
        QVERIFY(m_engine.start(m_address)); // same data directory, same address
        QTRY_VERIFY_WITH_TIMEOUT(m_window->banner()->isHidden(), 15000);
        QCOMPARE(m_window->clusters()->session(m_context)->connection(),
                 ClusterSession::Connection::Connected);
        QCOMPARE(kubectl(m_engine.kubeconfig(), {QStringLiteral("run"), QStringLiteral("after"),
                                                 QStringLiteral("--image=nginx"),
                                                 QStringLiteral("-n"), QStringLiteral("default")}),
                 0);
        QTRY_VERIFY_WITH_TIMEOUT(pods()->table()->rowOfKey(QStringLiteral("default/after")) >= 0,
                                 5000);
        QVERIFY(pods()->table()->rowOfKey(QStringLiteral("default/before")) >= 0);
        // It resumed from where it was: the watch reopened without listing everything again.
        QCOMPARE(informer->listCount(), 1);
        saveScreenshot(m_window.get(), QStringLiteral("reconnect-resumed"));
    }
};

QTEST_MAIN(ConsoleReconnectTest)
#include "tst_console_reconnect.moc"
