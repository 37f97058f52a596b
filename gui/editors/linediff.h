#pragma once

#include <QList>
#include <QString>

namespace pilot::gui {

/// One row of a side-by-side diff: a line of the left text and/or of the right text.
struct DiffRow {
    enum class Kind { Equal, Changed, Removed, Added };
    Kind kind = Kind::Equal;
    int leftLine = 0;  ///< 1-based line of the left text; 0 when the row has none (Added).
    int rightLine = 0; ///< 1-based line of the right text; 0 when the row has none (Removed).
    QString left;
    QString right;
};

/// A range of characters within one line.
struct CharRange {
    int start = 0;
    int length = 0;
    friend bool operator==(const CharRange&, const CharRange&) = default;
};

/// Compares two texts line by line (dtl's O(ND) shortest edit script) and aligns them: equal lines
/// share a row; within each run of differences, removed and added lines are paired up in order as
/// Changed rows, the rest are Removed (left only) or Added (right only) rows. A final newline does
/// not count as an empty last line.
[[nodiscard]] QList<DiffRow> diffLines(const QString& left, const QString& right);

/// The characters that differ between two versions of a line, for highlighting within a Changed
/// row: ranges of `left` that were removed and of `right` that were added.
void diffChars(const QString& left, const QString& right, QList<CharRange>& leftRanges,
               QList<CharRange>& rightRanges);

/// Counts of the rows of each kind.
struct DiffSummary {
    int changed = 0;
    int removed = 0;
    int added = 0;
    [[nodiscard]] bool identical() const { return changed == 0 && removed == 0 && added == 0; }
};
[[nodiscard]] DiffSummary summarize(const QList<DiffRow>& rows);

} // namespace pilot::gui
