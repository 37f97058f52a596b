// console.md item 3: navigation like Kuboard (cluster -> namespace -> category -> kind), live
// lists (a pod created with kubectl appears within a second, a deleted one disappears), text and
// label filters, sorting and multi-selection. Driven with mouse and keyboard events.

#include "gui/app/clustermanager.h"
#include "gui/app/languagemanager.h"
#include "gui/app/mainwindow.h"
#include "gui/client/apidiscovery.h"
#include "gui/models/clustersession.h"
#include "gui/models/navigationmodel.h"
#include "gui/models/podmodel.h"
#include "gui/models/resourcefilterproxy.h"
#include "gui/views/actioncontroller.h"
#include "gui/views/detailview.h"
#include "gui/views/navigationview.h"
#include "gui/views/resourcelistview.h"
#include "gui/views/resourcetableview.h"

#include "tests/gui/support/consoletest.h"
#include "tests/gui/support/engineinstance.h"

#include <QAction>
#include <QClipboard>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTest>
#include <QToolBar>
#include <QTreeView>

using namespace pilot::gui;
using namespace pilot::guitest;

class ConsoleListsTest : public QObject {
    Q_OBJECT

private:
    EngineInstance m_engine;
    LanguageManager m_language;
    std::unique_ptr<MainWindow> m_window;
    const QString m_context = QStringLiteral("pilothouse");

    ResourceListView* podsPage() const {
        return m_window->listView(m_context, ResourceType::pods());
    }

    QStringList shownNames() const {
        QStringList names;
        ResourceFilterProxy* proxy = podsPage()->proxy();
        for (int row = 0; row < proxy->rowCount(); ++row) {
            names << proxy->data(proxy->index(row, PodModel::Name)).toString();
        }
        return names;
    }

    static void clearAndType(QLineEdit* edit, const QString& text) {
        edit->setFocus();
        QTest::keyClick(edit, Qt::Key_A, Qt::ControlModifier);
        QTest::keyClick(edit, Qt::Key_Backspace);
        if (!text.isEmpty()) {
            QTest::keyClicks(edit, text);
        }
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_engine.start());
        m_language.setLanguage(QStringLiteral("en"));
        AppOptions options;
        options.kubeconfig = m_engine.kubeconfig();
        m_window = std::make_unique<MainWindow>(options, &m_language);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        // The current context opens by itself and lists its namespaces.
        QTRY_VERIFY_WITH_TIMEOUT(m_window->navigationModel()
                                     ->namespaceIndex(m_context, QStringLiteral("default"))
                                     .isValid(),
                                 10000);
    }

    void cleanupTestCase() {
        m_window.reset();
        m_engine.stop();
    }

    void navigatesClusterNamespaceCategoryKind() {
        NavigationModel* nav = m_window->navigationModel();
        QTreeView* tree = m_window->navigation()->tree();
        QModelIndex ns = nav->namespaceIndex(m_context, QStringLiteral("default"));
        clickTreeItem(tree, ns);
        tree->expand(ns);
        // default -> Workloads -> Pods
        QModelIndex workloads = nav->index(0, 0, ns);
        QCOMPARE(workloads.data().toString(), QStringLiteral("Workloads"));
        QStringList categories;
        for (int row = 0; row < nav->rowCount(ns); ++row) {
            categories << nav->index(row, 0, ns).data().toString();
        }
        QCOMPARE(categories,
                 (QStringList{QStringLiteral("Workloads"), QStringLiteral("Services & Ingress"),
                              QStringLiteral("Config"), QStringLiteral("Storage"),
                              QStringLiteral("Cluster"), QStringLiteral("Custom resources")}));
        QModelIndex pods =
            nav->kindIndex(m_context, QStringLiteral("default"), ResourceType::pods());
        QVERIFY(pods.isValid());
        QCOMPARE(pods.parent(), workloads);
        clickTreeItem(tree, pods);
        QTRY_VERIFY(podsPage() != nullptr);
        QCOMPARE(m_window->currentPage(), podsPage());
        QCOMPARE(podsPage()->namespaceName(), QStringLiteral("default"));
        saveScreenshot(m_window.get(), QStringLiteral("lists-navigation"));
    }

    void createdPodAppearsWithinASecond() {
        QCOMPARE(kubectl(m_engine.kubeconfig(), {QStringLiteral("run"), QStringLiteral("web-1"),
                                                 QStringLiteral("--image=nginx:1.25"),
                                                 QStringLiteral("-n"), QStringLiteral("default"),
                                                 QStringLiteral("--labels=app=web,tier=front")}),
                 0);
        QElapsedTimer since;
        since.start();
        QTRY_VERIFY_WITH_TIMEOUT(
            podsPage()->table()->rowOfKey(QStringLiteral("default/web-1")) >= 0, 1000);
        qInfo("pod shown %lld ms after kubectl returned", since.elapsed());
        QCOMPARE(kubectl(m_engine.kubeconfig(),
                         {QStringLiteral("run"), QStringLiteral("db-1"),
                          QStringLiteral("--image=postgres:16"), QStringLiteral("-n"),
                          QStringLiteral("default"), QStringLiteral("--labels=app=db,tier=back")}),
                 0);
        QTRY_VERIFY_WITH_TIMEOUT(podsPage()->table()->rowOfKey(QStringLiteral("default/db-1")) >= 0,
                                 1000);
        // A pod in another namespace is not listed under "default".
        QCOMPARE(
            kubectl(m_engine.kubeconfig(), {QStringLiteral("create"), QStringLiteral("namespace"),
                                            QStringLiteral("other")}),
            0);
        QCOMPARE(kubectl(m_engine.kubeconfig(), {QStringLiteral("run"), QStringLiteral("elsewhere"),
                                                 QStringLiteral("--image=nginx"),
                                                 QStringLiteral("-n"), QStringLiteral("other")}),
                 0);
        QTRY_VERIFY_WITH_TIMEOUT(m_window->clusters()->session(m_context)->pods()->recordByKey(
                                     QStringLiteral("other/elsewhere")),
                                 2000);
        QCOMPARE(shownNames().size(), 2);
        QVERIFY(podsPage()
                    ->findChild<QLabel*>(QStringLiteral("listCount"))
                    ->text()
                    .contains(QLatin1String("2 of 3")));
        // The new namespace shows up in the tree.
        QTRY_VERIFY(m_window->navigationModel()
                        ->namespaceIndex(m_context, QStringLiteral("other"))
                        .isValid());
        saveScreenshot(m_window.get(), QStringLiteral("lists-pods-live"));
    }

    void filtersByTextAndLabel() {
        ResourceListView* page = podsPage();
        clearAndType(page->textFilter(), QStringLiteral("WEB"));
        QTRY_COMPARE(shownNames(), QStringList{QStringLiteral("web-1")});
        clearAndType(page->textFilter(), QString());
        QTRY_COMPARE(shownNames().size(), 2);

        clearAndType(page->labelFilter(), QStringLiteral("tier in (back),app"));
        QCOMPARE(page->labelFilter()->text(), QStringLiteral("tier in (back),app"));
        QTRY_COMPARE(shownNames(), QStringList{QStringLiteral("db-1")});
        auto* error = page->findChild<QLabel*>(QStringLiteral("labelFilterError"));
        QVERIFY(error->isHidden());
        saveScreenshot(m_window.get(), QStringLiteral("lists-label-filter"));
        // Pasting an invalid selector shows the parser's message and keeps the last filter.
        QGuiApplication::clipboard()->setText(QStringLiteral("app in ("));
        page->labelFilter()->setFocus();
        QTest::keyClick(page->labelFilter(), Qt::Key_A, Qt::ControlModifier);
        QTest::keyClick(page->labelFilter(), Qt::Key_V, Qt::ControlModifier);
        QCOMPARE(page->labelFilter()->text(), QStringLiteral("app in ("));
        QTRY_VERIFY(error->isVisible());
        QVERIFY(!error->text().isEmpty());
        QCOMPARE(shownNames(), QStringList{QStringLiteral("db-1")}); // previous selector stays
        saveScreenshot(m_window.get(), QStringLiteral("lists-label-filter-error"));
        clearAndType(page->labelFilter(), QStringLiteral("app!=db"));
        QTRY_COMPARE(shownNames(), QStringList{QStringLiteral("web-1")});
        QVERIFY(error->isHidden());
        clearAndType(page->labelFilter(), QString());
        QTRY_COMPARE(shownNames().size(), 2);
    }

    void sortsAndSelectsSeveralRows() {
        ResourceTableView* table = podsPage()->table();
        QHeaderView* header = table->horizontalHeader();
        int nameX = header->sectionViewportPosition(PodModel::Name) + 10;
        QTest::mouseClick(header->viewport(), Qt::LeftButton, {},
                          QPoint(nameX, header->height() / 2));
        QStringList first = shownNames();
        QTest::mouseClick(header->viewport(), Qt::LeftButton, {},
                          QPoint(nameX, header->height() / 2));
        QStringList second = shownNames();
        QCOMPARE(second, QStringList(first.rbegin(), first.rend()));

        clickRow(table, 0);
        clickRow(table, 1, Qt::ControlModifier);
        QCOMPARE(table->selectedRecords().size(), 2);
        QAction* remove = podsPage()->actions()->action(ResourceAction::Delete);
        QVERIFY(remove->isEnabled());
        QAction* labels = podsPage()->actions()->action(ResourceAction::EditLabels);
        QVERIFY(!labels->isEnabled()); // one object at a time
        clickRow(table, 0);
        QCOMPARE(table->selectedRecords().size(), 1);
        QVERIFY(labels->isEnabled());
    }

    void editorsPlugIntoListsAndDetails() {
        // The hooks the editors library uses: a create flow per list, the YAML tab per detail.
        // (The console's own tabs are replaced here by one the test recognises.)
        DetailView::clearTabFactories();
        QList<std::pair<QString, QString>> created;
        ResourceListView::setCreateFlow(
            [&](ClusterSession*, const ResourceType& type, const QString& ns, QWidget*) {
                created.append({type.kind, ns});
            });
        DetailView::setYamlViewFactory([](ClusterSession*, const ObjectRef& ref, QWidget* parent) {
            auto* label = new QLabel(ref.namespaceName + QLatin1Char('/') + ref.name, parent);
            label->setObjectName(QStringLiteral("customYaml"));
            return label;
        });
        DetailView::addTabFactory(
            {[](const ResourceType& type) { return type.kind == QLatin1String("Pod"); },
             [] { return QStringLiteral("History"); },
             [](ClusterSession*, const ObjectRef& ref, QWidget* parent) {
                 auto* label = new QLabel(ref.name, parent);
                 label->setObjectName(QStringLiteral("historyTab"));
                 return label;
             }});
        // Lists and details built from now on offer them.
        QModelIndex services = m_window->navigationModel()->kindIndex(
            m_context, QStringLiteral("default"), ResourceType::services());
        clickTreeItem(m_window->navigation()->tree(), services);
        ResourceListView* list = m_window->listView(m_context, ResourceType::services());
        QVERIFY(list);
        auto* create = list->findChild<QAction*>(QStringLiteral("actionCreate"));
        QVERIFY(create);
        clickToolBarAction(list->toolBar(), create);
        QCOMPARE(created.size(), 1);
        QCOMPARE(created.front().first, QStringLiteral("Service"));
        QCOMPARE(created.front().second, QStringLiteral("default"));
        DetailView* detail =
            m_window->openDetail(m_context, ResourceType::pods(), QStringLiteral("default/web-1"));
        QVERIFY(detail);
        auto* yaml = detail->findChild<QLabel*>(QStringLiteral("customYaml"));
        QVERIFY(yaml);
        QCOMPARE(yaml->text(), QStringLiteral("default/web-1"));
        QCOMPARE(detail->tabs()->count(), 4);
        QCOMPARE(detail->tabs()->tabText(3), QStringLiteral("History"));
        QVERIFY(detail->findChild<QLabel*>(QStringLiteral("historyTab")));
        DetailView::clearTabFactories();
        ResourceListView::setCreateFlow({});
        DetailView::setYamlViewFactory({});
        m_window->tabs()->removeTab(m_window->tabs()->indexOf(detail));
        delete detail;
        clickTreeItem(m_window->navigation()->tree(),
                      m_window->navigationModel()->kindIndex(m_context, QStringLiteral("default"),
                                                             ResourceType::pods()));
        QCOMPARE(m_window->currentPage(), podsPage());
    }

    void customResourcesAppearWithServerColumns() {
        QByteArray crd = R"(apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: integer}}}
)";
        QCOMPARE(kubectl(m_engine.kubeconfig(),
                         {QStringLiteral("apply"), QStringLiteral("-f"), QStringLiteral("-")},
                         nullptr, crd),
                 0);
        // The CRD is served once Established; discovery is refreshed when the user looks (and
        // every minute): ask once it is.
        QCOMPARE(
            kubectl(m_engine.kubeconfig(),
                    {QStringLiteral("wait"), QStringLiteral("--for=condition=Established"),
                     QStringLiteral("crd/widgets.example.com"), QStringLiteral("--timeout=30s")}),
            0);
        m_window->clusters()->session(m_context)->discovery()->refresh();
        ResourceType widgets;
        QTRY_VERIFY_WITH_TIMEOUT(
            (widgets =
                 m_window->navigationModel()
                     ->kindIndex(m_context, QStringLiteral("default"),
                                 m_window->clusters()->session(m_context)->discovery()->find(
                                     QStringLiteral("example.com"), QStringLiteral("widgets")))
                     .data(NavigationModel::ResourceTypeRole)
                     .value<ResourceType>())
                .isValid(),
            10000);
        QByteArray widget =
            "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: gear, namespace: "
            "default}\nspec: {size: 7}\n";
        QCOMPARE(kubectl(m_engine.kubeconfig(),
                         {QStringLiteral("apply"), QStringLiteral("-f"), QStringLiteral("-")},
                         nullptr, widget),
                 0);
        QModelIndex node =
            m_window->navigationModel()->kindIndex(m_context, QStringLiteral("default"), widgets);
        QCOMPARE(node.data().toString(), QStringLiteral("Widget"));
        QCOMPARE(node.parent().data().toString(), QStringLiteral("Custom resources"));
        clickTreeItem(m_window->navigation()->tree(), node);
        ResourceListView* list = m_window->listView(m_context, widgets);
        QVERIFY(list);
        QTRY_VERIFY_WITH_TIMEOUT(list->table()->rowOfKey(QStringLiteral("default/gear")) >= 0,
                                 5000);
        QAbstractItemModel* model = list->proxy();
        QStringList headers;
        for (int c = 0; c < model->columnCount(); ++c) {
            headers << model->headerData(c, Qt::Horizontal).toString();
        }
        QCOMPARE(headers, (QStringList{QStringLiteral("Name"), QStringLiteral("Namespace"),
                                       QStringLiteral("Size"), QStringLiteral("Age")}));
        int row = list->table()->rowOfKey(QStringLiteral("default/gear"));
        QCOMPARE(model->index(row, 2).data().toString(), QStringLiteral("7"));
        saveScreenshot(m_window.get(), QStringLiteral("lists-custom-resource"));
        // Its detail fetches the object itself (tables carry only metadata).
        doubleClickRow(list->table(), row);
        QTRY_VERIFY(m_window->currentDetail() != nullptr);
        QTRY_VERIFY(m_window->currentDetail()->yamlText().contains(QLatin1String("size: 7")));
        m_window->tabs()->setCurrentIndex(0);
        clickTreeItem(m_window->navigation()->tree(),
                      m_window->navigationModel()->kindIndex(m_context, QStringLiteral("default"),
                                                             ResourceType::pods()));
    }

    void deletedPodDisappears() {
        QCOMPARE(kubectl(m_engine.kubeconfig(),
                         {QStringLiteral("delete"), QStringLiteral("pod"), QStringLiteral("web-1"),
                          QStringLiteral("-n"), QStringLiteral("default"),
                          QStringLiteral("--wait=false")}),
                 0);
        QElapsedTimer since;
        since.start();
        QTRY_VERIFY_WITH_TIMEOUT(podsPage()->table()->rowOfKey(QStringLiteral("default/web-1")) < 0,
                                 1000);
        qInfo("pod removed %lld ms after kubectl returned", since.elapsed());
        QCOMPARE(shownNames(), QStringList{QStringLiteral("db-1")});
        saveScreenshot(m_window.get(), QStringLiteral("lists-pod-deleted"));
    }
};

QTEST_MAIN(ConsoleListsTest)
#include "tst_console_lists.moc"
