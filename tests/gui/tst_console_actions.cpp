// console.md item 7: a Deployment's detail (pods, events, conditions, related objects) and its
// actions driven with the mouse and keyboard: scale, restart, change image, pause/resume, delete
// with confirmation. Pods run on simulated nodes (pilot-simnodes).

#include "gui/app/clustermanager.h"
#include "gui/app/languagemanager.h"
#include "gui/app/mainwindow.h"
#include "gui/models/clustersession.h"
#include "gui/models/deploymentmodel.h"
#include "gui/models/modelutil.h"
#include "gui/models/navigationmodel.h"
#include "gui/models/resourcefilterproxy.h"
#include "gui/views/actioncontroller.h"
#include "gui/views/detailview.h"
#include "gui/views/navigationview.h"
#include "gui/views/resourcelistview.h"
#include "gui/views/resourcetableview.h"

#include "tests/gui/support/consoletest.h"
#include "tests/gui/support/deploymentfixture.h"
#include "tests/gui/support/engineinstance.h"

#include <QComboBox>
#include <QDateTime>
#include <QDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTest>
#include <QToolBar>
#include <QTreeView>

using namespace pilot::gui;
using namespace pilot::guitest;

class ConsoleActionsTest : public QObject, protected DeploymentFixture {
    Q_OBJECT

public:
    ConsoleActionsTest() : DeploymentFixture(QStringLiteral("default/web")) {}

private:
    void trigger(ResourceAction action) {
        QAction* a = m_detail->actions()->action(action);
        QVERIFY(a);
        QTRY_VERIFY(a->isEnabled());
        clickToolBarAction(m_detail->toolBar(), a);
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_engine.start());
        QVERIFY(m_nodes.start(m_engine.kubeconfig(), 2));
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
        QCOMPARE(
            kubectl(m_engine.kubeconfig(),
                    {QStringLiteral("create"), QStringLiteral("deployment"), QStringLiteral("web"),
                     QStringLiteral("--image=nginx:1.25"), QStringLiteral("--replicas=2"),
                     QStringLiteral("-n"), QStringLiteral("default")}),
            0);
        QCOMPARE(
            kubectl(m_engine.kubeconfig(),
                    {QStringLiteral("expose"), QStringLiteral("deployment"), QStringLiteral("web"),
                     QStringLiteral("--port=80"), QStringLiteral("-n"), QStringLiteral("default")}),
            0);
    }

    void cleanupTestCase() {
        m_window.reset();
        m_nodes.stop();
        m_engine.stop();
    }

    void opensTheDeploymentDetail() {
        QModelIndex deployments = m_window->navigationModel()->kindIndex(
            m_context, QStringLiteral("default"), ResourceType::deployments());
        clickTreeItem(m_window->navigation()->tree(), deployments);
        ResourceListView* list = m_window->listView(m_context, ResourceType::deployments());
        QVERIFY(list);
        QTRY_VERIFY_WITH_TIMEOUT(list->table()->rowOfKey(m_key) >= 0, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(deployment()->available, 2, 20000);
        saveScreenshot(m_window.get(), QStringLiteral("actions-deployments"));
        doubleClickRow(list->table(), list->table()->rowOfKey(m_key));
        QTRY_VERIFY(m_window->currentDetail() != nullptr);
        m_detail = m_window->currentDetail();
        QCOMPARE(m_detail->key(), m_key);
        QCOMPARE(m_window->tabs()->tabText(m_window->tabs()->currentIndex()),
                 QStringLiteral("Deployment web"));
        // Overview: its two running pods, conditions, the Service selecting them.
        QTRY_COMPARE_WITH_TIMEOUT(m_detail->podsTable()->model()->rowCount(), 2, 10000);
        QTRY_VERIFY(m_detail->conditionsTable()->rowCount() >= 1);
        QStringList conditions;
        for (int row = 0; row < m_detail->conditionsTable()->rowCount(); ++row) {
            conditions << m_detail->conditionsTable()->item(row, 0)->text();
        }
        QVERIFY2(conditions.contains(QStringLiteral("Available")),
                 qPrintable(conditions.join(QLatin1Char(','))));
        QTRY_VERIFY(!m_detail->relatedList()
                         ->findItems(QStringLiteral("Service: web"), Qt::MatchExactly)
                         .isEmpty());
        QCOMPARE(m_detail->summaryValue(QStringLiteral("Containers")),
                 QStringLiteral("nginx: nginx:1.25"));
        saveScreenshot(m_window.get(), QStringLiteral("actions-detail-overview"));
        // Events about it (the ReplicaSet scaling).
        QTabWidget* tabs = m_detail->tabs();
        QTest::mouseClick(tabs->tabBar(), Qt::LeftButton, {}, tabs->tabBar()->tabRect(1).center());
        QCOMPARE(tabs->currentIndex(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(m_detail->eventsTable()->model()->rowCount() > 0, 10000);
        saveScreenshot(m_window.get(), QStringLiteral("actions-detail-events"));
        QTest::mouseClick(tabs->tabBar(), Qt::LeftButton, {}, tabs->tabBar()->tabRect(2).center());
        QVERIFY(m_detail->yamlText().contains(QLatin1String("kind: Deployment")));
        QVERIFY(m_detail->yamlText().contains(QLatin1String("replicas: 2")));
        QVERIFY(!m_detail->yamlText().contains(QLatin1String("managedFields")));
        saveScreenshot(m_window.get(), QStringLiteral("actions-detail-yaml"));
        QTest::mouseClick(tabs->tabBar(), Qt::LeftButton, {}, tabs->tabBar()->tabRect(0).center());
    }

    void scales() {
        trigger(ResourceAction::Scale);
        QWidget* dialog = nullptr;
        QTRY_VERIFY((dialog = visibleTopLevel(QStringLiteral("scaleDialog"))) != nullptr);
        auto* replicas = dialog->findChild<QSpinBox*>(QStringLiteral("replicas"));
        QCOMPARE(replicas->value(), 2);
        replicas->setFocus();
        QTest::keyClick(replicas, Qt::Key_A, Qt::ControlModifier);
        QTest::keyClicks(replicas, QStringLiteral("3"));
        QCOMPARE(replicas->value(), 3);
        saveScreenshot(dialog, QStringLiteral("actions-scale-dialog"));
        clickButton(dialog->findChild<QPushButton*>(QStringLiteral("okButton")));
        QTRY_COMPARE_WITH_TIMEOUT(deployment()->replicas, 3, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(m_detail->podsTable()->model()->rowCount(), 3, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(deployment()->available, 3, 20000);
    }

    void restarts() {
        trigger(ResourceAction::Restart);
        auto restartedAt = [this] {
            return jsonAt(deployment()->json(), u"spec.template.metadata.annotations")
                .toObject()
                .value(QLatin1String("kubectl.kubernetes.io/restartedAt"))
                .toString();
        };
        QTRY_VERIFY_WITH_TIMEOUT(!restartedAt().isEmpty(), 5000);
        QVERIFY(QDateTime::fromString(restartedAt(), Qt::ISODate).isValid());
    }

    void changesTheImage() {
        trigger(ResourceAction::SetImage);
        QWidget* dialog = nullptr;
        QTRY_VERIFY((dialog = visibleTopLevel(QStringLiteral("imageDialog"))) != nullptr);
        QCOMPARE(dialog->findChild<QComboBox*>(QStringLiteral("container"))->currentText(),
                 QStringLiteral("nginx"));
        auto* image = dialog->findChild<QLineEdit*>(QStringLiteral("image"));
        QCOMPARE(image->text(), QStringLiteral("nginx:1.25"));
        image->setFocus();
        QTest::keyClick(image, Qt::Key_A, Qt::ControlModifier);
        QTest::keyClicks(image, QStringLiteral("nginx:1.27"));
        saveScreenshot(dialog, QStringLiteral("actions-image-dialog"));
        QTest::keyClick(image, Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(deployment()->images, QStringList{QStringLiteral("nginx:1.27")},
                                  5000);
        QTRY_COMPARE(m_detail->summaryValue(QStringLiteral("Containers")),
                     QStringLiteral("nginx: nginx:1.27"));
    }

    void pausesAndResumes() {
        QVERIFY(!m_detail->actions()->action(ResourceAction::Resume)->isEnabled());
        trigger(ResourceAction::Pause);
        QTRY_VERIFY_WITH_TIMEOUT(deployment()->paused, 5000);
        QTRY_VERIFY(m_detail->actions()->action(ResourceAction::Resume)->isEnabled());
        QVERIFY(!m_detail->actions()->action(ResourceAction::Pause)->isEnabled());
        saveScreenshot(m_window.get(), QStringLiteral("actions-paused"));
        trigger(ResourceAction::Resume);
        QTRY_VERIFY_WITH_TIMEOUT(!deployment()->paused, 5000);
    }

    void deletesOnlyAfterConfirmation() {
        trigger(ResourceAction::Delete);
        QWidget* box = nullptr;
        QTRY_VERIFY((box = visibleTopLevel(QStringLiteral("confirmDelete"))) != nullptr);
        QVERIFY(static_cast<QMessageBox*>(box)->text().contains(
            QLatin1String("deployment default/web")));
        clickButton(box->findChild<QPushButton*>(QStringLiteral("cancelDeleteButton")));
        QTRY_VERIFY(visibleTopLevel(QStringLiteral("confirmDelete")) == nullptr);
        QVERIFY(deployment() != nullptr);

        trigger(ResourceAction::Delete);
        QTRY_VERIFY((box = visibleTopLevel(QStringLiteral("confirmDelete"))) != nullptr);
        saveScreenshot(box, QStringLiteral("actions-delete-confirm"));
        clickButton(box->findChild<QPushButton*>(QStringLiteral("confirmDeleteButton")));
        QTRY_VERIFY_WITH_TIMEOUT(deployment() == nullptr, 5000);
        QTRY_VERIFY(m_detail->isDeleted());
        QVERIFY(m_detail->findChild<QLabel*>(QStringLiteral("deletedNotice"))->isVisible());
        saveScreenshot(m_window.get(), QStringLiteral("actions-deleted"));
    }
};

QTEST_MAIN(ConsoleActionsTest)
#include "tst_console_actions.moc"
