// The side-by-side diff: which lines pair up, how the two sides stay aligned and scroll
// together, what is highlighted.
#include "gui/editors/diffview.h"
#include "gui/editors/linediff.h"
#include "tests/gui/editors/guitestutil.h"

#include <QLabel>
#include <QScrollBar>
#include <QTest>
#include <QTextBlock>

using namespace pilot::gui;
using pilot::gui::test::saveScreenshot;

namespace {

/// Rows as "=1:1" (equal, left line 1, right line 1), "~", "-", "+".
QStringList describe(const QList<DiffRow>& rows) {
    QStringList out;
    for (const DiffRow& row : rows) {
        const char* mark = row.kind == DiffRow::Kind::Equal     ? "="
                           : row.kind == DiffRow::Kind::Changed ? "~"
                           : row.kind == DiffRow::Kind::Removed ? "-"
                                                                : "+";
        out.append(QLatin1String(mark) + QString::number(row.leftLine) + QLatin1Char(':') +
                   QString::number(row.rightLine));
    }
    return out;
}

QString lines(std::initializer_list<const char*> items) {
    QString text;
    for (const char* item : items) {
        text += QString::fromUtf8(item) + QLatin1Char('\n');
    }
    return text;
}

const QString Before =
    lines({"apiVersion: apps/v1", "kind: Deployment", "metadata:", "  name: web", "spec:",
           "  replicas: 2", "  template:", "    spec:", "      containers:", "      - name: main",
           "        image: nginx:1.25", "        env:", "        - name: A",
           "          value: \"1\"", "      - name: side", "        image: busybox"});
const QString After =
    lines({"apiVersion: apps/v1", "kind: Deployment", "metadata:", "  name: web",
           "  labels:", "    app: web", "spec:", "  replicas: 3",
           "  template:", "    spec:", "      containers:", "      - name: main",
           "        image: nginx:1.26", "      - name: side", "        image: busybox"});

} // namespace

class TestDiffView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rows_data() {
        QTest::addColumn<QString>("left");
        QTest::addColumn<QString>("right");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("identical") << lines({"a", "b"}) << lines({"a", "b"})
                                   << QStringList{QStringLiteral("=1:1"), QStringLiteral("=2:2")};
        QTest::newRow("one changed")
            << lines({"a", "b", "c"}) << lines({"a", "B", "c"})
            << QStringList{QStringLiteral("=1:1"), QStringLiteral("~2:2"), QStringLiteral("=3:3")};
        QTest::newRow("inserted") << lines({"a", "c"}) << lines({"a", "b", "c"})
                                  << QStringList{QStringLiteral("=1:1"), QStringLiteral("+0:2"),
                                                 QStringLiteral("=2:3")};
        QTest::newRow("removed") << lines({"a", "b", "c"}) << lines({"a", "c"})
                                 << QStringList{QStringLiteral("=1:1"), QStringLiteral("-2:0"),
                                                QStringLiteral("=3:2")};
        QTest::newRow("two replaced by one")
            << lines({"a", "x", "y", "b"}) << lines({"a", "z", "b"})
            << QStringList{QStringLiteral("=1:1"), QStringLiteral("~2:2"), QStringLiteral("-3:0"),
                           QStringLiteral("=4:3")};
        QTest::newRow("left longer, all new")
            << lines({"a", "b", "c"}) << lines({"x"})
            << QStringList{QStringLiteral("~1:1"), QStringLiteral("-2:0"), QStringLiteral("-3:0")};
        QTest::newRow("from nothing")
            << QString() << lines({"a", "b"})
            << QStringList{QStringLiteral("+0:1"), QStringLiteral("+0:2")};
        QTest::newRow("no final newline")
            << QStringLiteral("a\nb") << QStringLiteral("a\nb\n")
            << QStringList{QStringLiteral("=1:1"), QStringLiteral("=2:2")};
    }
    void rows() {
        QFETCH(QString, left);
        QFETCH(QString, right);
        QFETCH(QStringList, expected);
        QCOMPARE(describe(diffLines(left, right)), expected);
    }

    void changedCharacters() {
        QList<CharRange> left;
        QList<CharRange> right;
        diffChars(QStringLiteral("image: nginx:1.25"), QStringLiteral("image: nginx:1.26"), left,
                  right);
        QCOMPARE(left, (QList<CharRange>{{16, 1}}));
        QCOMPARE(right, (QList<CharRange>{{16, 1}}));
    }

    void sidesStayAligned() {
        DiffView view;
        view.resize(900, 420);
        view.setTitles(QStringLiteral("Live"), QStringLiteral("Dry run"));
        view.show();
        view.setTexts(Before, After);
        const DiffSummary summary = view.summary();
        QCOMPARE(summary.changed, 2); // replicas, image
        QCOMPARE(summary.added, 2);   // labels
        QCOMPARE(summary.removed, 3); // env
        auto* label = view.findChild<QLabel*>(QStringLiteral("summary"));
        QVERIFY(label->text().contains(QLatin1Char('2')));

        // Every row is one line on each side: matching lines share their line number in both
        // panes, and gaps are empty lines.
        QPlainTextEdit* left = view.leftPane();
        QPlainTextEdit* right = view.rightPane();
        QCOMPARE(left->document()->blockCount(), right->document()->blockCount());
        auto lineOf = [](QPlainTextEdit* pane, const QString& text) {
            for (QTextBlock b = pane->document()->begin(); b.isValid(); b = b.next()) {
                if (b.text() == text) {
                    return b.blockNumber();
                }
            }
            return -1;
        };
        QCOMPARE(lineOf(left, QStringLiteral("        image: nginx:1.25")),
                 lineOf(right, QStringLiteral("        image: nginx:1.26")));
        QCOMPARE(lineOf(left, QStringLiteral("      - name: side")),
                 lineOf(right, QStringLiteral("      - name: side")));
        QCOMPARE(lineOf(left, QStringLiteral("spec:")), lineOf(right, QStringLiteral("spec:")));
        const int labels = lineOf(right, QStringLiteral("  labels:"));
        QCOMPARE(left->document()->findBlockByNumber(labels).text(), QString());

        // Scrolling one side scrolls the other.
        view.resize(900, 200);
        QTRY_VERIFY(left->verticalScrollBar()->maximum() > 0);
        left->verticalScrollBar()->setValue(5);
        QCOMPARE(right->verticalScrollBar()->value(), 5);

        // Next change walks the runs of changes, top to bottom.
        left->verticalScrollBar()->setValue(0);
        QVERIFY(view.nextChange());
        QCOMPARE(view.currentRow(), 4); // labels
        QVERIFY(view.nextChange());
        QCOMPARE(view.currentRow(), 7); // replicas
        QVERIFY(view.nextChange());
        QVERIFY(view.previousChange());
        QCOMPARE(view.currentRow(), 7);
        view.resize(900, 420);
        view.leftPane()->verticalScrollBar()->setValue(0);
        saveScreenshot(&view, QStringLiteral("diffview"));
    }

    void highlightsWhatChanged() {
        DiffView view;
        view.setTexts(Before, After);
        // The changed characters of the image line are marked on both sides.
        bool leftMarked = false;
        for (const QTextEdit::ExtraSelection& s : view.leftPane()->extraSelections()) {
            leftMarked = leftMarked || s.cursor.selectedText() == QStringLiteral("5");
        }
        bool rightMarked = false;
        for (const QTextEdit::ExtraSelection& s : view.rightPane()->extraSelections()) {
            rightMarked = rightMarked || s.cursor.selectedText() == QStringLiteral("6");
        }
        QVERIFY(leftMarked);
        QVERIFY(rightMarked);
    }

    void identicalTexts() {
        DiffView view;
        view.setTexts(Before, Before);
        QVERIFY(view.summary().identical());
        QVERIFY(!view.nextChange());
        QVERIFY(view.leftPane()->extraSelections().isEmpty());
    }
};

QTEST_MAIN(TestDiffView)
#include "tst_diffview.moc"
