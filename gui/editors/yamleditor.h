#pragma once

#include "gui/editors/yamldiagnostics.h"
#include "gui/editors/yamlhighlighting.h"

#include <QList>
#include <QPlainTextEdit>

class QSyntaxHighlighter;

namespace pilot::gui {

/// A plain-text YAML editor: line numbers, syntax highlighting (yamlhighlighting.h), and
/// diagnostics shown at their lines: a wavy underline under the line's text, a marker in the
/// line-number margin, and the messages as the tooltip of the line and of its marker. Tab
/// inserts two spaces (YAML has no tabs).
class YamlEditor : public QPlainTextEdit {
    Q_OBJECT
public:
    explicit YamlEditor(QWidget* parent = nullptr);

    void setDiagnostics(const QList<YamlDiagnostic>& diagnostics);
    [[nodiscard]] const QList<YamlDiagnostic>& diagnostics() const { return m_diagnostics; }
    /// The messages of the diagnostics at 1-based `line`, one per line of text.
    [[nodiscard]] QString messagesAt(int line) const;
    /// Moves the cursor to the start of 1-based `line` and shows it.
    void goToLine(int line);
    [[nodiscard]] YamlHighlighterKind highlighterKind() const { return m_highlighterKind; }
    /// Width of the line-number margin in pixels.
    [[nodiscard]] int marginWidth() const;
    /// Replaces the whole text as one undoable step, keeping the cursor's line and the scroll
    /// position where possible.
    void replaceText(const QString& text);

protected:
    void resizeEvent(QResizeEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    bool event(QEvent* event) override;

private:
    friend class YamlEditorMargin;
    void paintMargin(QPaintEvent* event);
    [[nodiscard]] QString marginTooltip(int y) const;
    void updateMarginWidth();
    void updateMargin(const QRect& rect, int dy);
    void updateSelections();

    QWidget* m_margin = nullptr;
    QSyntaxHighlighter* m_highlighter = nullptr;
    YamlHighlighterKind m_highlighterKind = YamlHighlighterKind::Builtin;
    QList<YamlDiagnostic> m_diagnostics;
};

} // namespace pilot::gui
