#pragma once

#include <QList>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

namespace pilot::gui {

/// The console's own YAML highlighter, used when KSyntaxHighlighting is not available (see
/// yamlhighlighting.h): mapping keys, quoted and plain scalars, numbers/booleans/null, comments,
/// anchors/aliases/tags, block scalars (`|`, `>-`, ...) and document markers (`---`, `...`).
/// Works line by line; the block state carries "inside a block scalar whose parent is indented
/// N columns".
class YamlHighlighter : public QSyntaxHighlighter {
    Q_OBJECT
public:
    enum class Role {
        Key,
        String,
        Literal,
        Comment,
        Anchor,
        BlockScalar,
        DocumentMarker,
        Indicator
    };

    /// One highlighted range of a line.
    struct Span {
        int start = 0;
        int length = 0;
        Role role = Role::String;
    };

    explicit YamlHighlighter(QTextDocument* document);

    /// The format used for `role`.
    [[nodiscard]] static QTextCharFormat format(Role role);
    /// Splits one line into highlighted spans. `state` is the previous line's state (-1 at the
    /// start); returns this line's state.
    [[nodiscard]] static int scanLine(const QString& line, int state, QList<Span>& spans);

protected:
    void highlightBlock(const QString& text) override;
};

} // namespace pilot::gui
