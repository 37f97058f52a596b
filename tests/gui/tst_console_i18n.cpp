// console.md item 11: switching the language to 简体中文 changes the whole UI at once, without a
// restart (menus, tree, lists, headers, detail tabs, dashboard, dialogs), and back to English.

#include "gui/app/clustermanager.h"
#include "gui/app/languagemanager.h"
#include "gui/app/mainwindow.h"
#include "gui/models/navigationmodel.h"
#include "gui/views/actioncontroller.h"
#include "gui/views/dashboardview.h"
#include "gui/views/detailview.h"
#include "gui/views/navigationview.h"
#include "gui/views/resourcelistview.h"
#include "gui/views/resourcetableview.h"

#include "tests/gui/support/consoletest.h"
#include "tests/gui/support/engineinstance.h"

#include <QActionGroup>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QPushButton>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTest>
#include <QToolBar>
#include <QTreeView>

using namespace pilot::gui;
using namespace pilot::guitest;

namespace {

bool hasChinese(const QString& text) {
    return std::any_of(text.begin(), text.end(),
                       [](QChar c) { return c.unicode() >= 0x4e00 && c.unicode() <= 0x9fff; });
}

} // namespace

class ConsoleI18nTest : public QObject {
    Q_OBJECT

private:
    EngineInstance m_engine;
    LanguageManager m_language;
    std::unique_ptr<MainWindow> m_window;
    const QString m_context = QStringLiteral("pilothouse");

    void switchTo(const QString& code) {
        for (QAction* action : m_window->languageActions()->actions()) {
            if (action->data().toString() == code) {
                action->trigger(); // View > Language > ...
            }
        }
        QCOMPARE(m_language.language(), code);
    }

    /// Every piece of UI chrome that must be translated, as (where, text).
    QList<std::pair<QString, QString>> chrome() const {
        QList<std::pair<QString, QString>> out;
        for (QAction* menu : m_window->menuBar()->actions()) {
            out.append({QStringLiteral("menu"), menu->text()});
            for (QAction* item : menu->menu()->actions()) {
                if (!item->isSeparator() && !item->menu() && item->data().toString().isEmpty()) {
                    out.append({QStringLiteral("menu item"), item->text()});
                }
            }
        }
        QTabWidget* tabs = m_window->tabs();
        out.append({QStringLiteral("tab"), tabs->tabText(0)});
        // Navigation: categories and kinds under a namespace, Overview, All namespaces.
        NavigationModel* nav = m_window->navigationModel();
        QModelIndex ns = nav->namespaceIndex(m_context, QStringLiteral("default"));
        out.append({QStringLiteral("tree"), nav->overviewIndex(m_context).data().toString()});
        out.append(
            {QStringLiteral("tree"), nav->namespaceIndex(m_context, QString()).data().toString()});
        for (int c = 0; c < nav->rowCount(ns); ++c) {
            QModelIndex category = nav->index(c, 0, ns);
            out.append({QStringLiteral("tree"), category.data().toString()});
            for (int k = 0; k < nav->rowCount(category); ++k) {
                out.append({QStringLiteral("tree"), nav->index(k, 0, category).data().toString()});
            }
        }
        ResourceListView* list = m_window->listView(m_context, ResourceType::pods());
        QHeaderView* header = list->table()->horizontalHeader();
        for (int s = 0; s < header->count(); ++s) {
            QString title = header->model()->headerData(s, Qt::Horizontal).toString();
            if (title != QLatin1String("IP")) { // the same in both languages
                out.append({QStringLiteral("header"), title});
            }
        }
        out.append({QStringLiteral("list title"),
                    list->findChild<QLabel*>(QStringLiteral("listTitle"))->text()});
        out.append({QStringLiteral("filter"), list->textFilter()->placeholderText()});
        out.append({QStringLiteral("filter"), list->labelFilter()->placeholderText()});
        for (QAction* action : list->toolBar()->actions()) {
            if (action->isSeparator()) {
                continue;
            }
            out.append({QStringLiteral("action"), action->text()});
        }
        out.append({QStringLiteral("button"), m_window->navigation()->openButton()->text()});
        out.append({QStringLiteral("status"),
                    m_window->findChild<QLabel*>(QStringLiteral("localClusterState"))->text()});
        return out;
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
        QTRY_VERIFY_WITH_TIMEOUT(m_window->navigationModel()
                                     ->namespaceIndex(m_context, QStringLiteral("default"))
                                     .isValid(),
                                 10000);
        QCOMPARE(kubectl(m_engine.kubeconfig(), {QStringLiteral("run"), QStringLiteral("hello"),
                                                 QStringLiteral("--image=nginx"),
                                                 QStringLiteral("-n"), QStringLiteral("default")}),
                 0);
        clickTreeItem(m_window->navigation()->tree(),
                      m_window->navigationModel()->kindIndex(m_context, QStringLiteral("default"),
                                                             ResourceType::pods()));
        ResourceListView* list = m_window->listView(m_context, ResourceType::pods());
        QVERIFY(list);
        QTRY_VERIFY(list->table()->rowOfKey(QStringLiteral("default/hello")) >= 0);
    }

    void cleanupTestCase() {
        m_window.reset();
        m_language.setLanguage(QStringLiteral("en"));
        m_engine.stop();
    }

    void switchesToChineseWithoutRestart() {
        for (const auto& [where, text] : chrome()) {
            QVERIFY2(!hasChinese(text), qPrintable(where + QStringLiteral(": ") + text));
        }
        switchTo(QStringLiteral("zh_CN"));
        // LanguageChange reaches the widgets through the event loop.
        QTRY_COMPARE(m_window->tabs()->tabText(0), QStringLiteral("浏览"));
        QStringList english;
        for (const auto& [where, text] : chrome()) {
            if (!hasChinese(text)) {
                english << where + QStringLiteral(": ") + text;
            }
        }
        QVERIFY2(english.isEmpty(), qPrintable(english.join(QLatin1Char('\n'))));
        ResourceListView* list = m_window->listView(m_context, ResourceType::pods());
        QCOMPARE(list->findChild<QLabel*>(QStringLiteral("listTitle"))->text(),
                 QStringLiteral("命名空间 default 中的容器组"));
        QCOMPARE(list->findChild<QLabel*>(QStringLiteral("listCount"))->text(),
                 QStringLiteral("1 个对象"));
        // Every menu still fits in the menu bar (taller glyphs must not fold them away).
        QTRY_VERIFY(m_window->menuBar()->height() >= m_window->menuBar()->sizeHint().height());
        saveScreenshot(m_window.get(), QStringLiteral("i18n-zh-list"));
    }

    void detailAndDashboardAreChineseToo() {
        ResourceListView* list = m_window->listView(m_context, ResourceType::pods());
        doubleClickRow(list->table(), list->table()->rowOfKey(QStringLiteral("default/hello")));
        QTRY_VERIFY(m_window->currentDetail() != nullptr);
        DetailView* detail = m_window->currentDetail();
        QCOMPARE(detail->tabs()->tabText(0), QStringLiteral("概览"));
        QCOMPARE(detail->tabs()->tabText(1), QStringLiteral("事件"));
        QTRY_COMPARE(detail->summaryValue(QStringLiteral("名称")), QStringLiteral("hello"));
        for (QAction* action : detail->toolBar()->actions()) {
            QVERIFY2(hasChinese(action->text()), qPrintable(action->text()));
        }
        saveScreenshot(m_window.get(), QStringLiteral("i18n-zh-detail"));
        // Dialogs opened now are Chinese as well.
        detail->actions()->action(ResourceAction::EditLabels)->trigger();
        QWidget* dialog = nullptr;
        QTRY_VERIFY((dialog = visibleTopLevel(QStringLiteral("labelsDialog"))) != nullptr);
        QCOMPARE(dialog->windowTitle(), QStringLiteral("编辑标签"));
        QCOMPARE(dialog->findChild<QPushButton*>(QStringLiteral("okButton"))->text(),
                 QStringLiteral("保存"));
        saveScreenshot(dialog, QStringLiteral("i18n-zh-labels-dialog"));
        dialog->close();

        m_window->showOverview(m_context);
        DashboardView* dashboard = m_window->dashboard(m_context);
        QVERIFY(dashboard);
        QVERIFY(m_window->tabs()->currentIndex() == 0);
        QTRY_VERIFY(dashboard->findChild<QLabel*>(QStringLiteral("podsSummary"))
                        ->text()
                        .contains(QStringLiteral("个容器组")));
        QTRY_VERIFY(hasChinese(
            dashboard->findChild<QLabel*>(QStringLiteral("metricsUnavailable"))->text()));
        saveScreenshot(m_window.get(), QStringLiteral("i18n-zh-dashboard"));
    }

    void switchesBack() {
        switchTo(QStringLiteral("en"));
        QTRY_COMPARE(m_window->tabs()->tabText(0), QStringLiteral("Browse"));
        for (const auto& [where, text] : chrome()) {
            QVERIFY2(!hasChinese(text), qPrintable(where + QStringLiteral(": ") + text));
        }
        QCOMPARE(m_window->currentDetail(), nullptr); // the dashboard tab is current
    }
};

QTEST_MAIN(ConsoleI18nTest)
#include "tst_console_i18n.moc"
