#include "gui/editors/diffview.h"

#include "gui/editors/yamlhighlighting.h"

#include <QEvent>
#include <QFontDatabase>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPaintEvent>
#include <QPainter>
#include <QScrollBar>
#include <QTextBlock>
#include <QToolButton>

namespace pilot::gui {

namespace {

const QColor RemovedLine(0xfd, 0xe2, 0xe1);
const QColor RemovedChars(0xf5, 0xa9, 0xa6);
const QColor AddedLine(0xdc, 0xf5, 0xdf);
const QColor AddedChars(0x9b, 0xe0, 0xa6);
const QColor Gap(0xee, 0xee, 0xee);

} // namespace

/// One side of a DiffView: read-only text with the original line numbers in a margin (blank for
/// the gaps that keep both sides aligned).
class DiffPane : public QPlainTextEdit {
public:
    explicit DiffPane(QWidget* parent) : QPlainTextEdit(parent), m_margin(new Margin(this)) {
        setReadOnly(true);
        setLineWrapMode(QPlainTextEdit::NoWrap);
        setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
        createYamlHighlighter(document());
        connect(this, &QPlainTextEdit::updateRequest, this, [this](const QRect& rect, int dy) {
            if (dy != 0) {
                m_margin->scroll(0, dy);
            } else {
                m_margin->update(0, rect.y(), m_margin->width(), rect.height());
            }
        });
    }

    void setLines(const QStringList& lines, const QList<int>& numbers) {
        m_numbers = numbers;
        setPlainText(lines.join(QLatin1Char('\n')));
        setViewportMargins(marginWidth(), 0, 0, 0);
        m_margin->update();
    }

    [[nodiscard]] int marginWidth() const {
        int max = 1;
        for (int n : m_numbers) {
            max = qMax(max, n);
        }
        return 8 + fontMetrics().horizontalAdvance(QString::number(max * 10));
    }

protected:
    void resizeEvent(QResizeEvent* event) override {
        QPlainTextEdit::resizeEvent(event);
        const QRect r = contentsRect();
        m_margin->setGeometry(QRect(r.left(), r.top(), marginWidth(), r.height()));
    }

private:
    class Margin : public QWidget {
    public:
        explicit Margin(DiffPane* pane) : QWidget(pane), m_pane(pane) {}

    protected:
        void paintEvent(QPaintEvent* event) override { m_pane->paintMargin(this, event); }

    private:
        DiffPane* m_pane;
    };

    void paintMargin(QWidget* margin, QPaintEvent* event) {
        QPainter painter(margin);
        painter.fillRect(event->rect(), QColor(0xf5, 0xf5, 0xf5));
        painter.setPen(QColor(0x90, 0x90, 0x90));
        QTextBlock block = firstVisibleBlock();
        int top = qRound(blockBoundingGeometry(block).translated(contentOffset()).top());
        const int lineHeight = fontMetrics().height();
        while (block.isValid() && top <= event->rect().bottom()) {
            const int bottom = top + qRound(blockBoundingRect(block).height());
            const int row = block.blockNumber();
            if (row < m_numbers.size() && m_numbers.at(row) > 0) {
                painter.drawText(0, top, margin->width() - 4, lineHeight, Qt::AlignRight,
                                 QString::number(m_numbers.at(row)));
            }
            block = block.next();
            top = bottom;
        }
    }

    Margin* m_margin;
    QList<int> m_numbers;
};

DiffView::DiffView(QWidget* parent)
    : QWidget(parent), m_leftTitle(new QLabel(this)), m_rightTitle(new QLabel(this)),
      m_summary(new QLabel(this)), m_previous(new QToolButton(this)), m_next(new QToolButton(this)),
      m_left(new DiffPane(this)), m_right(new DiffPane(this)) {
    m_leftTitle->setObjectName(QStringLiteral("leftTitle"));
    m_rightTitle->setObjectName(QStringLiteral("rightTitle"));
    m_summary->setObjectName(QStringLiteral("summary"));
    QFont bold = m_leftTitle->font();
    bold.setBold(true);
    m_leftTitle->setFont(bold);
    m_rightTitle->setFont(bold);
    m_previous->setArrowType(Qt::UpArrow);
    m_next->setArrowType(Qt::DownArrow);

    auto* bar = new QHBoxLayout;
    bar->addWidget(m_summary, 1);
    bar->addWidget(m_previous);
    bar->addWidget(m_next);
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->addLayout(bar, 0, 0, 1, 2);
    grid->addWidget(m_leftTitle, 1, 0);
    grid->addWidget(m_rightTitle, 1, 1);
    grid->addWidget(m_left, 2, 0);
    grid->addWidget(m_right, 2, 1);
    grid->setRowStretch(2, 1);

    // Both sides scroll together.
    auto sync = [this](QScrollBar* from, QScrollBar* to) {
        connect(from, &QScrollBar::valueChanged, this, [this, to](int value) {
            if (m_syncing) {
                return;
            }
            m_syncing = true;
            to->setValue(value);
            m_syncing = false;
        });
    };
    sync(m_left->verticalScrollBar(), m_right->verticalScrollBar());
    sync(m_right->verticalScrollBar(), m_left->verticalScrollBar());
    sync(m_left->horizontalScrollBar(), m_right->horizontalScrollBar());
    sync(m_right->horizontalScrollBar(), m_left->horizontalScrollBar());
    connect(m_next, &QToolButton::clicked, this, [this] { nextChange(); });
    connect(m_previous, &QToolButton::clicked, this, [this] { previousChange(); });
    retranslate();
}

QPlainTextEdit* DiffView::leftPane() const {
    return m_left;
}

QPlainTextEdit* DiffView::rightPane() const {
    return m_right;
}

void DiffView::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) {
        retranslate();
    }
    QWidget::changeEvent(event);
}

void DiffView::retranslate() {
    m_previous->setToolTip(tr("Previous change"));
    m_next->setToolTip(tr("Next change"));
    if (m_defaultTitles) {
        m_leftTitle->setText(tr("Before"));
        m_rightTitle->setText(tr("After"));
    }
    const DiffSummary s = summary();
    if (s.identical()) {
        m_summary->setText(tr("No differences"));
    } else {
        m_summary->setText(tr("Changed lines: %1, added: %2, removed: %3")
                               .arg(s.changed)
                               .arg(s.added)
                               .arg(s.removed));
    }
}

void DiffView::setTitles(const QString& left, const QString& right) {
    m_defaultTitles = false;
    m_leftTitle->setText(left);
    m_rightTitle->setText(right);
}

void DiffView::setTexts(const QString& left, const QString& right) {
    m_rows = diffLines(left, right);
    m_currentRow = -1;
    render();
    retranslate();
}

void DiffView::render() {
    QStringList leftLines;
    QStringList rightLines;
    QList<int> leftNumbers;
    QList<int> rightNumbers;
    for (const DiffRow& row : std::as_const(m_rows)) {
        leftLines.append(row.left);
        rightLines.append(row.right);
        leftNumbers.append(row.leftLine);
        rightNumbers.append(row.rightLine);
    }
    m_left->setLines(leftLines, leftNumbers);
    m_right->setLines(rightLines, rightNumbers);

    QList<QTextEdit::ExtraSelection> leftSelections;
    QList<QTextEdit::ExtraSelection> rightSelections;
    auto line = [](DiffPane* pane, int row, const QColor& color) {
        QTextEdit::ExtraSelection s;
        s.cursor = QTextCursor(pane->document()->findBlockByNumber(row));
        s.format.setBackground(color);
        s.format.setProperty(QTextFormat::FullWidthSelection, true);
        return s;
    };
    auto chars = [](DiffPane* pane, int row, const CharRange& range, const QColor& color) {
        QTextEdit::ExtraSelection s;
        const QTextBlock block = pane->document()->findBlockByNumber(row);
        s.cursor = QTextCursor(block);
        s.cursor.setPosition(block.position() + range.start);
        s.cursor.setPosition(block.position() + range.start + range.length,
                             QTextCursor::KeepAnchor);
        s.format.setBackground(color);
        return s;
    };
    for (int i = 0; i < m_rows.size(); ++i) {
        const DiffRow& row = m_rows.at(i);
        switch (row.kind) {
        case DiffRow::Kind::Equal:
            break;
        case DiffRow::Kind::Removed:
            leftSelections.append(line(m_left, i, RemovedLine));
            rightSelections.append(line(m_right, i, Gap));
            break;
        case DiffRow::Kind::Added:
            leftSelections.append(line(m_left, i, Gap));
            rightSelections.append(line(m_right, i, AddedLine));
            break;
        case DiffRow::Kind::Changed: {
            leftSelections.append(line(m_left, i, RemovedLine));
            rightSelections.append(line(m_right, i, AddedLine));
            QList<CharRange> leftRanges;
            QList<CharRange> rightRanges;
            diffChars(row.left, row.right, leftRanges, rightRanges);
            for (const CharRange& r : std::as_const(leftRanges)) {
                leftSelections.append(chars(m_left, i, r, RemovedChars));
            }
            for (const CharRange& r : std::as_const(rightRanges)) {
                rightSelections.append(chars(m_right, i, r, AddedChars));
            }
            break;
        }
        }
    }
    m_left->setExtraSelections(leftSelections);
    m_right->setExtraSelections(rightSelections);
    m_previous->setEnabled(!summary().identical());
    m_next->setEnabled(!summary().identical());
}

void DiffView::showRow(int row) {
    m_currentRow = row;
    const QTextBlock block = m_left->document()->findBlockByNumber(row);
    QTextCursor cursor(block);
    m_left->setTextCursor(cursor);
    m_left->verticalScrollBar()->setValue(qMax(0, row - 3));
}

bool DiffView::nextChange() {
    // Skip the rest of the current run of changes, then find the next one.
    int i = m_currentRow + 1;
    while (m_currentRow >= 0 && i < m_rows.size() && m_rows.at(i).kind != DiffRow::Kind::Equal) {
        ++i;
    }
    for (; i < m_rows.size(); ++i) {
        if (m_rows.at(i).kind != DiffRow::Kind::Equal) {
            showRow(i);
            return true;
        }
    }
    return false;
}

bool DiffView::previousChange() {
    int i = m_currentRow - 1;
    while (i >= 0 && m_rows.at(i).kind == DiffRow::Kind::Equal) {
        --i;
    }
    // To the start of that run.
    while (i > 0 && m_rows.at(i - 1).kind != DiffRow::Kind::Equal) {
        --i;
    }
    if (i < 0) {
        return false;
    }
    showRow(i);
    return true;
}

} // namespace pilot::gui
