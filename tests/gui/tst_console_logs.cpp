// console.md item 9 in the console window: a pod's Logs tab against a real pilothouse-agent
// (process runtime) through the engine's pods/log: it follows the running container's output
// and stays at the end, searches with highlight and next, picks an init container, shows the
// previous instance after a restart, timestamps, keeps at most its line cap, and saves to a file.
// The Events tab is the object's timeline.

#include "gui/app/clustermanager.h"
#include "gui/app/languagemanager.h"
#include "gui/app/mainwindow.h"
#include "gui/models/clustersession.h"
#include "gui/models/navigationmodel.h"
#include "gui/models/podmodel.h"
#include "gui/models/resourcemodel.h"
#include "gui/views/detailview.h"
#include "gui/views/logview.h"
#include "gui/views/navigationview.h"
#include "gui/views/resourcetableview.h"

#include "tests/gui/support/consoletest.h"
#include "tests/gui/support/engineinstance.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>

using namespace pilot::gui;
using namespace pilot::guitest;

namespace {

/// Each run prints its start time, then 25 ticks over about 5 s, and fails: the kubelet restarts
/// it, so there is a previous instance to read.
const char* const TickerPod = R"(apiVersion: v1
kind: Pod
metadata: {name: ticker, namespace: default}
spec:
  restartPolicy: Always
  initContainers:
  - name: setup
    image: busybox:1.36
    command: [sh, -c, "echo init done"]
  containers:
  - name: app
    image: busybox:1.36
    command: [sh, -c, "echo run $(date +%s%N); i=0; while [ $i -lt 25 ]; do echo tick $i; i=$((i+1)); sleep 0.2; done; exit 1"]
)";

void clickTab(QTabWidget* tabs, int index) {
    QTest::mouseClick(tabs->tabBar(), Qt::LeftButton, {}, tabs->tabBar()->tabRect(index).center());
}

void chooseContainer(QComboBox* box, const QString& text) {
    const int index = box->findText(text);
    QVERIFY2(index >= 0, qPrintable(text));
    box->setFocus();
    // Keyboard like a user: open at the top, walk down to it.
    QTest::keyClick(box, Qt::Key_Home);
    for (int i = 0; i < index; ++i) {
        QTest::keyClick(box, Qt::Key_Down);
    }
    QCOMPARE(box->currentIndex(), index);
}

} // namespace

class ConsoleLogsTest : public QObject {
    Q_OBJECT

private:
    EngineInstance m_engine;
    AgentProcess m_agent;
    LanguageManager m_language;
    std::unique_ptr<MainWindow> m_window;
    const QString m_context = QStringLiteral("pilothouse");
    const QString m_key = QStringLiteral("default/ticker");
    DetailView* m_detail = nullptr;
    LogView* m_logs = nullptr;
    QString m_firstRun; ///< The "run N" line of the instance followed first.

    const PodRecord* pod() const {
        RecordPtr record = m_window->clusters()->session(m_context)->pods()->recordByKey(m_key);
        return static_cast<const PodRecord*>(record.get());
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_engine.start());
        QVERIFY(m_agent.start(QStringLiteral(PILOT_AGENT_BINARY), m_engine.kubeconfig(),
                              QStringLiteral("agent-0")));
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
        QCOMPARE(kubectl(m_engine.kubeconfig(),
                         {QStringLiteral("apply"), QStringLiteral("-f"), QStringLiteral("-")},
                         nullptr, TickerPod),
                 0);
    }

    void cleanupTestCase() {
        m_window.reset();
        m_engine.stop();
    }

    void followsTheRunningContainer() {
        QTRY_VERIFY_WITH_TIMEOUT(pod() && pod()->phase == QLatin1String("Running"), 30000);
        m_detail = m_window->openDetail(m_context, ResourceType::pods(), m_key);
        QVERIFY(m_detail);
        QTabWidget* tabs = m_detail->tabs();
        QCOMPARE(tabs->tabText(3), QStringLiteral("Logs"));
        clickTab(tabs, 3);
        m_logs = qobject_cast<LogView*>(tabs->currentWidget());
        QVERIFY(m_logs);
        // Init containers are offered too; the app container is the default.
        QCOMPARE(m_logs->containerBox()->count(), 2);
        QCOMPARE(m_logs->containerBox()->itemText(0), QStringLiteral("setup (init)"));
        QCOMPARE(m_logs->container(), QStringLiteral("app"));
        QVERIFY(m_logs->followBox()->isChecked());
        QTRY_VERIFY_WITH_TIMEOUT(m_logs->lines().size() >= 3, 10000);
        QVERIFY(m_logs->isStreaming());
        m_firstRun = m_logs->lines().first();
        QVERIFY2(m_firstRun.startsWith(QLatin1String("run ")), qPrintable(m_firstRun));
        // New lines keep arriving on the same request, and the view stays at the end.
        const qsizetype before = m_logs->lines().size();
        QTRY_VERIFY_WITH_TIMEOUT(m_logs->lines().size() >= before + 3, 5000);
        QVERIFY(m_logs->isStreaming());
        QCOMPARE(m_logs->lines().first(), m_firstRun);
        static const QRegularExpression tick(QStringLiteral("^tick \\d+$"));
        QVERIFY(tick.match(m_logs->lines().last()).hasMatch());
        QVERIFY(m_logs->isAtEnd());
        saveScreenshot(m_window.get(), QStringLiteral("logs-follow"));

        // Search: every match highlighted, Next moves to the next one.
        QTest::keyClicks(m_logs->searchEdit(), QStringLiteral("tick 1"));
        QTRY_VERIFY(m_logs->matchCount() >= 1);
        clickButton(m_logs->nextButton());
        QVERIFY(m_logs->currentMatch() >= 0);
        const int line = m_logs->currentMatchLine();
        QVERIFY(m_logs->textView()->document()->findBlockByNumber(line).text().startsWith(
            QLatin1String("tick 1")));
        QCOMPARE(m_logs->textView()->textCursor().selectedText(), QStringLiteral("tick 1"));
        QVERIFY(m_logs->textView()->extraSelections().size() >= m_logs->matchCount());
        QVERIFY(m_logs->findChild<QLabel*>(QStringLiteral("logMatches"))
                    ->text()
                    .startsWith(QLatin1String("1 of ")));
        saveScreenshot(m_window.get(), QStringLiteral("logs-search"));
        m_logs->searchEdit()->clear();
    }

    void showsThePreviousInstanceAfterARestart() {
        // The followed run ends (the container exits); the kubelet starts the next one.
        QTRY_VERIFY_WITH_TIMEOUT(!m_logs->isStreaming(), 20000);
        QVERIFY2(m_logs->statusText().contains(QLatin1String("ended")),
                 qPrintable(m_logs->statusText()));
        QTRY_VERIFY_WITH_TIMEOUT(pod()->restarts >= 1, 30000);
        clickButton(m_logs->previousBox());
        QVERIFY(m_logs->previousBox()->isChecked());
        QVERIFY(!m_logs->followBox()->isEnabled());
        QSignalSpy finished(m_logs, &LogView::streamFinished);
        QTRY_VERIFY_WITH_TIMEOUT(!m_logs->lines().isEmpty() && !m_logs->isStreaming(), 10000);
        const QStringList previous = m_logs->lines();
        // A whole earlier run: its start line and all 25 ticks.
        QVERIFY2(previous.first().startsWith(QLatin1String("run ")), qPrintable(previous.first()));
        QCOMPARE(previous.size(), 26);
        QCOMPARE(previous.last(), QStringLiteral("tick 24"));
        if (pod()->restarts == 1) {
            QCOMPARE(previous.first(), m_firstRun);
        }
        saveScreenshot(m_window.get(), QStringLiteral("logs-previous"));

        // Back to the current instance: a different run.
        clickButton(m_logs->previousBox());
        QTRY_VERIFY_WITH_TIMEOUT(!m_logs->lines().isEmpty() &&
                                     m_logs->lines().first().startsWith(QLatin1String("run ")),
                                 10000);
        QVERIFY(m_logs->lines().first() != previous.first());
    }

    void initContainerTimestampsCapAndSave() {
        chooseContainer(m_logs->containerBox(), QStringLiteral("setup (init)"));
        QTRY_COMPARE_WITH_TIMEOUT(m_logs->lines(), QStringList{QStringLiteral("init done")}, 10000);
        clickButton(m_logs->timestampsBox());
        static const QRegularExpression stamped(
            QStringLiteral("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z init done$"));
        QTRY_VERIFY_WITH_TIMEOUT(m_logs->lines().size() == 1 &&
                                     stamped.match(m_logs->lines().first()).hasMatch(),
                                 10000);
        saveScreenshot(m_window.get(), QStringLiteral("logs-init-timestamps"));
        clickButton(m_logs->timestampsBox());

        // Bounded: with a cap of 10 lines, a 26-line run keeps its last 10 and says so.
        chooseContainer(m_logs->containerBox(), QStringLiteral("app"));
        m_logs->setMaxLines(10);
        clickButton(m_logs->previousBox());
        QTRY_VERIFY_WITH_TIMEOUT(!m_logs->isStreaming() && !m_logs->lines().isEmpty() &&
                                     m_logs->lines().last() == QLatin1String("tick 24"),
                                 10000);
        QCOMPARE(m_logs->lines().size(), 10);
        QCOMPARE(m_logs->lines().first(), QStringLiteral("tick 15"));
        QVERIFY2(m_logs->statusText().contains(QLatin1String("16 older dropped")),
                 qPrintable(m_logs->statusText()));
        saveScreenshot(m_window.get(), QStringLiteral("logs-capped"));

        // Save: the file dialog, a name, the shown lines in the file.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("ticker.log"));
        clickButton(m_logs->saveButton());
        QFileDialog* dialog = nullptr;
        QTRY_VERIFY((dialog = qobject_cast<QFileDialog*>(
                         visibleTopLevel(QStringLiteral("saveLogDialog")))) != nullptr);
        // Offered: <pod>-<container>.log; the user picks a folder and names the file.
        auto* name = dialog->findChild<QLineEdit*>(QStringLiteral("fileNameEdit"));
        QVERIFY(name);
        QCOMPARE(name->text(), QStringLiteral("ticker-app.log"));
        dialog->setDirectory(dir.path());
        dialog->selectFile(QStringLiteral("ticker.log"));
        auto* buttons = dialog->findChild<QDialogButtonBox*>(QStringLiteral("buttonBox"));
        QVERIFY(buttons);
        QAbstractButton* save = buttons->button(QDialogButtonBox::Save);
        QVERIFY(save);
        clickButton(save);
        QTRY_VERIFY(QFile::exists(path));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(file.readAll()),
                 m_logs->lines().join(QLatin1Char('\n')) + QLatin1Char('\n'));
        QVERIFY(m_logs->statusText().contains(QLatin1String("Saved 10 lines")));
    }

    void eventsTabIsTheObjectsTimeline() {
        QTabWidget* tabs = m_detail->tabs();
        clickTab(tabs, 1);
        ResourceTableView* events = m_detail->eventsTable();
        // Scheduled, Pulled, Created, Started, ... all about this pod, the latest first.
        QTRY_VERIFY_WITH_TIMEOUT(events->model()->rowCount() >= 3, 10000);
        QStringList reasons;
        for (int row = 0; row < events->model()->rowCount(); ++row) {
            reasons << events->model()->index(row, 2).data().toString();
        }
        QVERIFY2(reasons.contains(QStringLiteral("Started")), qPrintable(reasons.join(u',')));
        QVERIFY2(reasons.contains(QStringLiteral("Scheduled")), qPrintable(reasons.join(u',')));
        for (int row = 1; row < events->model()->rowCount(); ++row) {
            QVERIFY(events->model()->index(row - 1, 0).data(ResourceModel::SortRole).toLongLong() <=
                    events->model()->index(row, 0).data(ResourceModel::SortRole).toLongLong());
        }
        saveScreenshot(m_window.get(), QStringLiteral("logs-events-timeline"));
    }

    void switchesLanguageWithoutRestart() {
        m_language.setLanguage(QStringLiteral("zh_CN"));
        QTRY_COMPARE(m_detail->tabs()->tabText(3), QStringLiteral("日志"));
        clickTab(m_detail->tabs(), 3);
        QTRY_COMPARE(m_logs->followBox()->text(), QStringLiteral("持续跟踪"));
        QCOMPARE(m_logs->previousBox()->text(), QStringLiteral("上一个实例"));
        QCOMPARE(m_logs->containerBox()->itemText(0), QStringLiteral("setup（初始化容器）"));
        saveScreenshot(m_window.get(), QStringLiteral("logs-zh_CN"));
        m_language.setLanguage(QStringLiteral("en"));
        QTRY_COMPARE(m_detail->tabs()->tabText(3), QStringLiteral("Logs"));
    }
};

QTEST_MAIN(ConsoleLogsTest)
#include "tst_console_logs.moc"
