#include "gui/editors/yamleditor.h"

#include <QFontDatabase>
#include <QHelpEvent>
#include <QPainter>
#include <QScrollBar>
#include <QSyntaxHighlighter>
#include <QTextBlock>
#include <QToolTip>

namespace pilot::gui {

/// The line-number margin of a YamlEditor.
class YamlEditorMargin : public QWidget {
public:
    explicit YamlEditorMargin(YamlEditor* editor) : QWidget(editor), m_editor(editor) {
        setMouseTracking(true);
    }
    [[nodiscard]] QSize sizeHint() const override { return {m_editor->marginWidth(), 0}; }

protected:
    void paintEvent(QPaintEvent* event) override { m_editor->paintMargin(event); }
    bool event(QEvent* event) override {
        if (event->type() == QEvent::ToolTip) {
            auto* help = static_cast<QHelpEvent*>(event);
            const QString tip = m_editor->marginTooltip(help->pos().y());
            if (tip.isEmpty()) {
                QToolTip::hideText();
                event->ignore();
            } else {
                QToolTip::showText(help->globalPos(), tip, this);
            }
            return true;
        }
        return QWidget::event(event);
    }

private:
    YamlEditor* m_editor;
};

YamlEditor::YamlEditor(QWidget* parent) : QPlainTextEdit(parent) {
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setTabChangesFocus(false);
    m_margin = new YamlEditorMargin(this);
    m_highlighter = createYamlHighlighter(document(), &m_highlighterKind);
    connect(this, &QPlainTextEdit::blockCountChanged, this, &YamlEditor::updateMarginWidth);
    connect(this, &QPlainTextEdit::updateRequest, this, &YamlEditor::updateMargin);
    connect(this, &QPlainTextEdit::cursorPositionChanged, this, &YamlEditor::updateSelections);
    updateMarginWidth();
    updateSelections();
}

int YamlEditor::marginWidth() const {
    int digits = 1;
    for (int max = qMax(1, blockCount()); max >= 10; max /= 10) {
        ++digits;
    }
    const int marker = fontMetrics().height();
    return 6 + marker + fontMetrics().horizontalAdvance(QLatin1Char('9')) * qMax(digits, 2);
}

void YamlEditor::updateMarginWidth() {
    setViewportMargins(marginWidth(), 0, 0, 0);
}

void YamlEditor::updateMargin(const QRect& rect, int dy) {
    if (dy != 0) {
        m_margin->scroll(0, dy);
    } else {
        m_margin->update(0, rect.y(), m_margin->width(), rect.height());
    }
    if (rect.contains(viewport()->rect())) {
        updateMarginWidth();
    }
}

void YamlEditor::resizeEvent(QResizeEvent* event) {
    QPlainTextEdit::resizeEvent(event);
    const QRect r = contentsRect();
    m_margin->setGeometry(QRect(r.left(), r.top(), marginWidth(), r.height()));
}

void YamlEditor::keyPressEvent(QKeyEvent* event) {
    if (event->key() == Qt::Key_Tab && event->modifiers() == Qt::NoModifier) {
        textCursor().insertText(QStringLiteral("  "));
        return;
    }
    if (event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) {
        // Keep the indentation of the current line, one level deeper after `key:` or `- `.
        const QString line = textCursor().block().text();
        int indent = 0;
        while (indent < line.size() && line.at(indent) == QLatin1Char(' ')) {
            ++indent;
        }
        const QString before = line.left(textCursor().positionInBlock()).trimmed();
        if (before.endsWith(QLatin1Char(':'))) {
            indent += 2;
        }
        QPlainTextEdit::keyPressEvent(event);
        textCursor().insertText(QString(indent, QLatin1Char(' ')));
        return;
    }
    QPlainTextEdit::keyPressEvent(event);
}

bool YamlEditor::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const QPoint inViewport = viewport()->mapFrom(this, help->pos());
        const QTextCursor cursor = cursorForPosition(inViewport);
        const QString tip = messagesAt(cursor.blockNumber() + 1);
        if (tip.isEmpty()) {
            QToolTip::hideText();
        } else {
            QToolTip::showText(help->globalPos(), tip, this);
        }
        return true;
    }
    return QPlainTextEdit::event(event);
}

void YamlEditor::setDiagnostics(const QList<YamlDiagnostic>& diagnostics) {
    if (diagnostics == m_diagnostics) {
        return;
    }
    m_diagnostics = diagnostics;
    updateSelections();
    m_margin->update();
}

QString YamlEditor::messagesAt(int line) const {
    QStringList messages;
    for (const YamlDiagnostic& d : m_diagnostics) {
        if (d.line != line) {
            continue;
        }
        messages.append(d.field.isEmpty() ? d.message : d.field + QStringLiteral(": ") + d.message);
    }
    return messages.join(QLatin1Char('\n'));
}

void YamlEditor::goToLine(int line) {
    const QTextBlock block = document()->findBlockByNumber(qMax(0, line - 1));
    if (!block.isValid()) {
        return;
    }
    QTextCursor cursor(block);
    setTextCursor(cursor);
    centerCursor();
    setFocus();
}

void YamlEditor::replaceText(const QString& text) {
    if (text == toPlainText()) {
        return;
    }
    const int line = textCursor().blockNumber();
    const int column = textCursor().positionInBlock();
    const int scroll = verticalScrollBar()->value();
    QTextCursor cursor(document());
    cursor.beginEditBlock();
    cursor.select(QTextCursor::Document);
    cursor.insertText(text);
    cursor.endEditBlock();
    const QTextBlock block = document()->findBlockByNumber(qMin(line, blockCount() - 1));
    QTextCursor restored(block);
    restored.setPosition(block.position() + qMin(column, block.length() - 1));
    setTextCursor(restored);
    verticalScrollBar()->setValue(scroll);
}

void YamlEditor::updateSelections() {
    QList<QTextEdit::ExtraSelection> selections;
    if (!isReadOnly()) {
        QTextEdit::ExtraSelection current;
        current.format.setBackground(QColor(0xf3, 0xf6, 0xfb));
        current.format.setProperty(QTextFormat::FullWidthSelection, true);
        current.cursor = textCursor();
        current.cursor.clearSelection();
        selections.append(current);
    }
    for (const YamlDiagnostic& d : m_diagnostics) {
        const QTextBlock block = document()->findBlockByNumber(d.line - 1);
        if (d.line <= 0 || !block.isValid()) {
            continue;
        }
        QTextEdit::ExtraSelection wavy;
        wavy.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        wavy.format.setUnderlineColor(QColor(0xd3, 0x2f, 0x2f));
        wavy.format.setBackground(QColor(0xfd, 0xec, 0xea));
        const QString text = block.text();
        int start = 0;
        while (start < text.size() && text.at(start).isSpace()) {
            ++start;
        }
        if (start >= text.size()) {
            start = 0; // an empty line: underline nothing, but colour it
        }
        QTextCursor cursor(block);
        cursor.setPosition(block.position() + start);
        cursor.setPosition(block.position() + qMax(start, int(text.size())),
                           QTextCursor::KeepAnchor);
        wavy.cursor = cursor;
        selections.append(wavy);
    }
    setExtraSelections(selections);
}

void YamlEditor::paintMargin(QPaintEvent* event) {
    QPainter painter(m_margin);
    painter.fillRect(event->rect(), QColor(0xf5, 0xf5, 0xf5));
    QTextBlock block = firstVisibleBlock();
    int top = qRound(blockBoundingGeometry(block).translated(contentOffset()).top());
    int bottom = top + qRound(blockBoundingRect(block).height());
    const int lineHeight = fontMetrics().height();
    const int width = m_margin->width();
    while (block.isValid() && top <= event->rect().bottom()) {
        if (block.isVisible() && bottom >= event->rect().top()) {
            const int line = block.blockNumber() + 1;
            bool marked = false;
            for (const YamlDiagnostic& d : m_diagnostics) {
                marked = marked || d.line == line;
            }
            if (marked) {
                painter.setRenderHint(QPainter::Antialiasing);
                painter.setPen(Qt::NoPen);
                painter.setBrush(QColor(0xd3, 0x2f, 0x2f));
                const int size = lineHeight - 4;
                const QRect marker(2, top + 2, size, size);
                painter.drawEllipse(marker);
                painter.setPen(Qt::white);
                QFont bold = painter.font();
                bold.setBold(true);
                painter.setFont(bold);
                painter.drawText(marker, Qt::AlignCenter, QStringLiteral("!"));
                painter.setFont(font());
            }
            painter.setPen(marked ? QColor(0xd3, 0x2f, 0x2f) : QColor(0x90, 0x90, 0x90));
            painter.drawText(0, top, width - 4, lineHeight, Qt::AlignRight, QString::number(line));
        }
        block = block.next();
        top = bottom;
        bottom = top + qRound(blockBoundingRect(block).height());
    }
}

QString YamlEditor::marginTooltip(int y) const {
    QTextBlock block = firstVisibleBlock();
    int top = qRound(blockBoundingGeometry(block).translated(contentOffset()).top());
    while (block.isValid()) {
        const int bottom = top + qRound(blockBoundingRect(block).height());
        if (y >= top && y < bottom) {
            return messagesAt(block.blockNumber() + 1);
        }
        block = block.next();
        top = bottom;
    }
    return {};
}

} // namespace pilot::gui
