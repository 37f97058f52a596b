#pragma once

#include "gui/editors/linediff.h"

#include <QList>
#include <QPlainTextEdit>
#include <QWidget>

class QLabel;
class QToolButton;

namespace pilot::gui {

class DiffPane;

/// Two YAML texts side by side, aligned row by row (linediff.h): lines only on the left are
/// red, lines only on the right green, changed lines tinted on both sides with the differing
/// characters stronger; gaps keep the two sides aligned and both sides scroll together. A summary
/// says how many lines changed; Previous/Next jump between changes. Used for "diff before apply",
/// "Preview" (live object vs the server's dry-run result) and rollout revisions.
class DiffView : public QWidget {
    Q_OBJECT
public:
    explicit DiffView(QWidget* parent = nullptr);

    /// Titles above the two sides ("Before"/"After" until set); callers retranslate them.
    void setTitles(const QString& left, const QString& right);
    void setTexts(const QString& left, const QString& right);
    [[nodiscard]] const QList<DiffRow>& rows() const { return m_rows; }
    [[nodiscard]] DiffSummary summary() const { return summarize(m_rows); }
    [[nodiscard]] QPlainTextEdit* leftPane() const;
    [[nodiscard]] QPlainTextEdit* rightPane() const;
    /// Scrolls to the next/previous row that is not Equal; returns whether there was one.
    bool nextChange();
    bool previousChange();
    /// The row shown at the top of the view.
    [[nodiscard]] int currentRow() const { return m_currentRow; }

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void render();
    void showRow(int row);

    QLabel* m_leftTitle;
    QLabel* m_rightTitle;
    QLabel* m_summary;
    QToolButton* m_previous;
    QToolButton* m_next;
    DiffPane* m_left;
    DiffPane* m_right;
    QList<DiffRow> m_rows;
    int m_currentRow = -1;
    bool m_syncing = false;
    bool m_defaultTitles = true;
};

} // namespace pilot::gui
