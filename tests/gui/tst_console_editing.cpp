// console.md items 4, 6, 7 and 8 in the console window: "Create…" on the Deployments list opens
// the form (synced with the YAML tab), Preview/Create show the server's dry run as a diff, and the
// Deployment with its Service appears in the lists with its pods Running; the detail's YAML tab
// shows a strict-validation error at its line and a diff before apply; the Rollout tab lists a
// new revision after "Change image…" and rolls back to the first one. Pods run on simulated
// nodes (pilot-simnodes).

#include "gui/app/clustermanager.h"
#include "gui/app/languagemanager.h"
#include "gui/app/mainwindow.h"
#include "gui/editors/containersection.h"
#include "gui/editors/deploymentform.h"
#include "gui/editors/diffview.h"
#include "gui/editors/objecteditor.h"
#include "gui/editors/podtemplatesection.h"
#include "gui/editors/recordlist.h"
#include "gui/editors/yamleditor.h"
#include "gui/editors/yamlview.h"
#include "gui/integration/createobjectdialog.h"
#include "gui/integration/editortab.h"
#include "gui/integration/rollouttab.h"
#include "gui/models/clustersession.h"
#include "gui/models/deploymentmodel.h"
#include "gui/models/navigationmodel.h"
#include "gui/models/servicemodel.h"
#include "gui/models/statefulsetmodel.h"
#include "gui/rollout/rollouthistorywidget.h"
#include "gui/views/actioncontroller.h"
#include "gui/views/detailview.h"
#include "gui/views/navigationview.h"
#include "gui/views/resourcelistview.h"
#include "gui/views/resourcetableview.h"

#include "tests/gui/support/consoletest.h"
#include "tests/gui/support/deploymentfixture.h"
#include "tests/gui/support/engineinstance.h"

#include <QCheckBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabBar>
#include <QTabWidget>
#include <QTest>
#include <QTextBlock>
#include <QToolBar>
#include <QTreeWidget>

using namespace pilot::gui;
using namespace pilot::guitest;

namespace {

void typeInto(QLineEdit* edit, const QString& text) {
    edit->setFocus();
    QTest::keyClick(edit, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(edit, text);
}

void clickTab(QTabWidget* tabs, int index) {
    QTest::mouseClick(tabs->tabBar(), Qt::LeftButton, {}, tabs->tabBar()->tabRect(index).center());
}

/// Selects `word` on the first line containing `lineText` in the editor (as a double click on
/// the word does); returns the 1-based line, 0 when there is none.
int selectWord(QPlainTextEdit* editor, const QString& lineText, const QString& word) {
    for (QTextBlock block = editor->document()->begin(); block.isValid(); block = block.next()) {
        const qsizetype at = block.text().indexOf(lineText);
        if (at < 0) {
            continue;
        }
        const qsizetype column = block.text().indexOf(word, at);
        QTextCursor cursor(block);
        cursor.setPosition(block.position() + int(column));
        cursor.setPosition(block.position() + int(column + word.size()), QTextCursor::KeepAnchor);
        editor->setTextCursor(cursor);
        editor->setFocus();
        return block.blockNumber() + 1;
    }
    return 0;
}

} // namespace

class ConsoleEditingTest : public QObject, protected DeploymentFixture {
    Q_OBJECT

public:
    ConsoleEditingTest() : DeploymentFixture(QStringLiteral("default/shop")) {}

private:
    ResourceListView* showList(const ResourceType& type) {
        clickTreeItem(
            m_window->navigation()->tree(),
            m_window->navigationModel()->kindIndex(m_context, QStringLiteral("default"), type));
        return m_window->listView(m_context, type);
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
    }

    void cleanupTestCase() {
        m_window.reset();
        m_nodes.stop();
        m_engine.stop();
    }

    void createsADeploymentWithItsServiceFromTheList() {
        ResourceListView* list = showList(ResourceType::deployments());
        QVERIFY(list);
        auto* create = list->findChild<QAction*>(QStringLiteral("actionCreate"));
        QVERIFY(create);
        clickToolBarAction(list->toolBar(), create);
        CreateObjectDialog* dialog = nullptr;
        QTRY_VERIFY((dialog = qobject_cast<CreateObjectDialog*>(
                         visibleTopLevel(QStringLiteral("createObjectDialog")))) != nullptr);
        QCOMPARE(dialog->windowTitle(), QStringLiteral("Create Deployment"));
        ObjectEditor* editor = dialog->editor();
        auto* form = qobject_cast<DeploymentForm*>(editor->form());
        QVERIFY(form);
        QCOMPARE(editor->tabs()->currentIndex(), int(ObjectEditor::FormTab));

        typeInto(form->nameEdit(), QStringLiteral("shop"));
        auto* main = qobject_cast<ContainerSection*>(form->podTemplate()->containers()->row(0));
        QVERIFY(main);
        typeInto(main->nameEdit(), QStringLiteral("web"));
        typeInto(main->imageEdit(), QStringLiteral("nginx:1.27"));
        form->replicas()->setFocus();
        form->replicas()->selectAll();
        QTest::keyClicks(form->replicas(), QStringLiteral("2"));
        clickButton(main->ports()->addButton());
        typeInto(main->ports()->row(0)->findChild<QLineEdit*>(QStringLiteral("containerPort")),
                 QStringLiteral("8080"));
        clickButton(form->createService());
        QVERIFY(form->createService()->isChecked());
        saveScreenshot(dialog, QStringLiteral("editing-create-form"));

        // The YAML tab shows the same object; an edit there shows in the form.
        clickTab(editor->tabs(), ObjectEditor::YamlTab);
        YamlEditor* yaml = editor->yamlView()->editor();
        QTRY_VERIFY(yaml->toPlainText().contains(QLatin1String("image: nginx:1.27")));
        QVERIFY(yaml->toPlainText().contains(QLatin1String("name: shop")));
        QVERIFY(yaml->toPlainText().contains(QLatin1String("replicas: 2")));
        QVERIFY(selectWord(yaml, QStringLiteral("replicas: 2"), QStringLiteral("2")) > 0);
        QTest::keyClicks(yaml, QStringLiteral("3"));
        QTRY_COMPARE(form->replicas()->value(), 3);
        saveScreenshot(dialog, QStringLiteral("editing-create-yaml"));
        clickTab(editor->tabs(), ObjectEditor::FormTab);
        form->replicas()->setFocus();
        form->replicas()->selectAll();
        QTest::keyClicks(form->replicas(), QStringLiteral("2"));
        QTRY_VERIFY(yaml->toPlainText().contains(QLatin1String("replicas: 2")));

        // Create: the server's dry run as a diff first (both objects), then create on confirm.
        QSignalSpy previewed(editor, &ObjectEditor::previewReady);
        clickButton(editor->applyButton());
        QVERIFY2(previewed.wait(20000), qPrintable(editor->bannerText()));
        QCOMPARE(editor->tabs()->currentIndex(), int(ObjectEditor::PreviewTab));
        QVERIFY(editor->confirmButton()->isVisible());
        const QString after = editor->diffView()->rightPane()->toPlainText();
        QVERIFY(after.contains(QLatin1String("kind: Deployment")));
        QVERIFY(after.contains(QLatin1String("kind: Service")));
        QVERIFY(after.contains(QLatin1String("uid:"))); // filled in by the server
        QCOMPARE(editor->diffView()->summary().removed, 0);
        saveScreenshot(dialog, QStringLiteral("editing-create-preview"));
        QPointer<CreateObjectDialog> guard(dialog);
        clickButton(editor->confirmButton());
        QTRY_VERIFY_WITH_TIMEOUT(guard.isNull() || !guard->isVisible(), 20000);

        // It appears in the list, its pods become Running, and its Service exists.
        QTRY_VERIFY_WITH_TIMEOUT(list->table()->rowOfKey(m_key) >= 0, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(deployment() ? deployment()->available : -1, 2, 30000);
        QCOMPARE(deployment()->images, QStringList{QStringLiteral("nginx:1.27")});
        ResourceListView* services = showList(ResourceType::services());
        QTRY_VERIFY_WITH_TIMEOUT(services->table()->rowOfKey(m_key) >= 0, 5000);
        showList(ResourceType::deployments());
        QTRY_COMPARE(list->table()->model()->index(list->table()->rowOfKey(m_key), 0).data(),
                     QVariant(QStringLiteral("shop")));
        saveScreenshot(m_window.get(), QStringLiteral("editing-created-list"));
    }

    void yamlTabShowsErrorsAtTheirLineAndADiffBeforeApply() {
        ResourceListView* list = m_window->listView(m_context, ResourceType::deployments());
        doubleClickRow(list->table(), list->table()->rowOfKey(m_key));
        QTRY_VERIFY(m_window->currentDetail() != nullptr);
        m_detail = m_window->currentDetail();
        QCOMPARE(m_detail->key(), m_key);
        QTabWidget* tabs = m_detail->tabs();
        QCOMPARE(tabs->tabText(2), QStringLiteral("YAML"));
        clickTab(tabs, 2);
        auto* tab = qobject_cast<EditorTab*>(tabs->currentWidget());
        QVERIFY(tab);
        ObjectEditor* editor = tab->editor();
        QCOMPARE(editor->tabs()->currentIndex(), int(ObjectEditor::YamlTab));
        YamlEditor* yaml = editor->yamlView()->editor();
        QTRY_VERIFY(yaml->toPlainText().contains(QLatin1String("name: shop")));
        QVERIFY(!yaml->toPlainText().contains(QLatin1String("managedFields")));
        QCOMPARE(m_detail->yamlText(), yaml->toPlainText());

        // A misspelt field: the server's strict validation names it, at its line.
        const int line =
            selectWord(yaml, QStringLiteral("  replicas: 2"), QStringLiteral("replicas"));
        QVERIFY(line > 0);
        QTest::keyClicks(yaml, QStringLiteral("replicaz"));
        QTRY_VERIFY(tab->isEdited());
        QSignalSpy failed(editor, &ObjectEditor::failed);
        clickButton(editor->applyButton());
        QVERIFY(failed.wait(20000));
        QTRY_VERIFY(yaml->messagesAt(line).contains(QLatin1String("replicaz")));
        bool atLine = false;
        for (const YamlDiagnostic& d : editor->yamlView()->diagnostics()) {
            atLine = atLine || (d.line == line && d.field.contains(QLatin1String("replicaz")));
        }
        QVERIFY(atLine);
        QCOMPARE(editor->tabs()->currentIndex(), int(ObjectEditor::YamlTab));
        saveScreenshot(m_window.get(), QStringLiteral("editing-yaml-error"));

        // Fixed, and 2 replicas made 3: the diff shows exactly that before anything is applied.
        QVERIFY(selectWord(yaml, QStringLiteral("  replicaz: 2"), QStringLiteral("replicaz: 2")) ==
                line);
        QTest::keyClicks(yaml, QStringLiteral("replicas: 3"));
        QSignalSpy previewed(editor, &ObjectEditor::previewReady);
        clickButton(editor->applyButton());
        QVERIFY2(previewed.wait(20000), qPrintable(editor->bannerText()));
        bool replicasRow = false;
        for (const DiffRow& row : editor->diffView()->rows()) {
            replicasRow = replicasRow || (row.kind == DiffRow::Kind::Changed &&
                                          row.left.contains(QLatin1String("replicas: 2")) &&
                                          row.right.contains(QLatin1String("replicas: 3")));
        }
        QVERIFY(replicasRow);
        QCOMPARE(deployment()->replicas, 2); // nothing applied yet
        saveScreenshot(m_window.get(), QStringLiteral("editing-yaml-diff"));
        QSignalSpy applied(editor, &ObjectEditor::applied);
        clickButton(editor->confirmButton());
        QVERIFY(applied.wait(20000));
        QTRY_COMPARE_WITH_TIMEOUT(deployment()->replicas, 3, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(deployment()->available, 3, 30000);
        // Not edited any more: the tab follows the live object again.
        QVERIFY(!tab->isEdited());
        QTRY_VERIFY(yaml->toPlainText().contains(QLatin1String("availableReplicas: 3")));
    }

    void rolloutTabListsRevisionsAndRollsBack() {
        QTabWidget* tabs = m_detail->tabs();
        QCOMPARE(tabs->count(), 4);
        QCOMPARE(tabs->tabText(3), QStringLiteral("Rollout"));
        clickTab(tabs, 3);
        auto* tab = qobject_cast<RolloutTab*>(tabs->currentWidget());
        QVERIFY(tab);
        RolloutHistoryWidget* history = tab->history();
        QTRY_COMPARE_WITH_TIMEOUT(history->revisions().size(), 1, 10000);
        QCOMPARE(history->revisions().first().images, QStringList{QStringLiteral("nginx:1.27")});

        // "Change image…" from the detail's toolbar (kubectl set image).
        QAction* setImage = m_detail->actions()->action(ResourceAction::SetImage);
        QTRY_VERIFY(setImage->isEnabled());
        clickToolBarAction(m_detail->toolBar(), setImage);
        QWidget* dialog = nullptr;
        QTRY_VERIFY((dialog = visibleTopLevel(QStringLiteral("imageDialog"))) != nullptr);
        auto* image = dialog->findChild<QLineEdit*>(QStringLiteral("image"));
        typeInto(image, QStringLiteral("nginx:1.28"));
        QTest::keyClick(image, Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(history->revisions().size(), 2, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(history->revisions().last().current, 10000);
        QCOMPARE(history->revisions().last().images, QStringList{QStringLiteral("nginx:1.28")});
        QTRY_COMPARE_WITH_TIMEOUT(deployment()->updated, 3, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(deployment()->available, 3, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(history->revisionList()->topLevelItemCount(), 2, 5000);
        saveScreenshot(m_window.get(), QStringLiteral("editing-rollout-revisions"));

        // Roll back to revision 1: choose it, "Roll back", confirm.
        QTreeWidget* revisions = history->revisionList();
        QTreeWidgetItem* first = nullptr;
        for (int i = 0; i < revisions->topLevelItemCount(); ++i) {
            if (revisions->topLevelItem(i)->data(0, Qt::UserRole).toLongLong() == 1) {
                first = revisions->topLevelItem(i);
            }
        }
        QVERIFY(first);
        QTest::mouseClick(revisions->viewport(), Qt::LeftButton, {},
                          revisions->visualItemRect(first).center());
        QVERIFY(first->isSelected());
        QTRY_VERIFY(history->rollbackButton()->isEnabled());
        clickButton(history->rollbackButton());
        QTRY_VERIFY(history->confirmButton()->isVisible());
        saveScreenshot(m_window.get(), QStringLiteral("editing-rollout-confirm"));
        QSignalSpy rolledBack(history, &RolloutHistoryWidget::rolledBack);
        clickButton(history->confirmButton());
        QVERIFY(rolledBack.wait(20000));
        QTRY_COMPARE_WITH_TIMEOUT(deployment()->images, QStringList{QStringLiteral("nginx:1.27")},
                                  10000);
        // Revision 1 becomes revision 3, the current one.
        QTRY_VERIFY_WITH_TIMEOUT(!history->revisions().isEmpty() &&
                                     history->revisions().last().number == 3 &&
                                     history->revisions().last().current,
                                 10000);
        QCOMPARE(history->revisions().last().images, QStringList{QStringLiteral("nginx:1.27")});
        QTRY_COMPARE_WITH_TIMEOUT(deployment()->updated, 3, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(deployment()->available, 3, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(history->statusText().startsWith(QLatin1String("Rolled out")),
                                 10000);
        saveScreenshot(m_window.get(), QStringLiteral("editing-rollout-rolledback"));
    }

    void statefulSetRolloutComesFromControllerRevisions() {
        const QByteArray db =
            "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: "
            "default}\nspec:\n  replicas: 1\n  serviceName: db\n  selector: "
            "{matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: "
            "db}}\n    spec:\n      containers: [{name: db, image: "
            "postgres:15}]\n";
        QCOMPARE(kubectl(m_engine.kubeconfig(),
                         {QStringLiteral("apply"), QStringLiteral("-f"), QStringLiteral("-")},
                         nullptr, db),
                 0);
        QTRY_VERIFY_WITH_TIMEOUT(
            session()->statefulSets()->recordByKey(QStringLiteral("default/db")) != nullptr, 5000);
        DetailView* detail = m_window->openDetail(m_context, ResourceType::statefulSets(),
                                                  QStringLiteral("default/db"));
        QVERIFY(detail);
        QCOMPARE(detail->tabs()->tabText(3), QStringLiteral("Rollout"));
        clickTab(detail->tabs(), 3);
        auto* tab = qobject_cast<RolloutTab*>(detail->tabs()->currentWidget());
        QVERIFY(tab);
        QTRY_COMPARE_WITH_TIMEOUT(tab->history()->revisions().size(), 1, 10000);
        QCOMPARE(kubectl(m_engine.kubeconfig(),
                         {QStringLiteral("set"), QStringLiteral("image"),
                          QStringLiteral("statefulset/db"), QStringLiteral("db=postgres:16")}),
                 0);
        QTRY_COMPARE_WITH_TIMEOUT(tab->history()->revisions().size(), 2, 10000);
        QTRY_VERIFY(tab->history()->revisions().last().current);
        QCOMPARE(tab->history()->revisions().last().images,
                 QStringList{QStringLiteral("postgres:16")});
        saveScreenshot(m_window.get(), QStringLiteral("editing-statefulset-rollout"));
    }
};

QTEST_MAIN(ConsoleEditingTest)
#include "tst_console_editing.moc"
