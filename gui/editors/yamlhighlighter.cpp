#include "gui/editors/yamlhighlighter.h"

#include <QColor>
#include <QFont>
#include <QRegularExpression>

namespace pilot::gui {

namespace {

int indentOf(const QString& line) {
    int n = 0;
    while (n < line.size() && line.at(n) == QLatin1Char(' ')) {
        ++n;
    }
    return n;
}

bool isBlank(const QString& line) {
    return line.trimmed().isEmpty();
}

/// Where a plain token ends: before ` #`, or before `,]}` inside flow collections.
int plainEnd(const QString& line, int from, bool inFlow) {
    int i = from;
    while (i < line.size()) {
        const QChar c = line.at(i);
        if (c == QLatin1Char('#') && i > 0 && line.at(i - 1).isSpace()) {
            break;
        }
        if (inFlow && (c == QLatin1Char(',') || c == QLatin1Char(']') || c == QLatin1Char('}'))) {
            break;
        }
        if (c == QLatin1Char(':') && (i + 1 == line.size() || line.at(i + 1).isSpace() ||
                                      (inFlow && (line.at(i + 1) == QLatin1Char(',') ||
                                                  line.at(i + 1) == QLatin1Char('}'))))) {
            break;
        }
        ++i;
    }
    // Trailing spaces are not part of the token.
    while (i > from && line.at(i - 1).isSpace()) {
        --i;
    }
    return i;
}

/// End (exclusive) of a quoted scalar starting at `from`, or the line's end when unterminated.
int quotedEnd(const QString& line, int from) {
    const QChar quote = line.at(from);
    int i = from + 1;
    while (i < line.size()) {
        const QChar c = line.at(i);
        if (quote == QLatin1Char('"') && c == QLatin1Char('\\')) {
            i += 2;
            continue;
        }
        if (c == quote) {
            if (quote == QLatin1Char('\'') && i + 1 < line.size() && line.at(i + 1) == quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        ++i;
    }
    return static_cast<int>(line.size());
}

bool isLiteral(const QString& token) {
    static const QRegularExpression literal(QStringLiteral(
        "^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|"
        "Off|OFF|[-+]?(?:0|[1-9][0-9_]*)(?:\\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F]+|0o?[0-7]+"
        "|"
        "[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$"));
    return literal.match(token).hasMatch();
}

class LineScanner {
public:
    LineScanner(const QString& line, QList<YamlHighlighter::Span>& spans)
        : m_line(line), m_spans(spans) {}

    /// Scans the line; returns the column of the parent node of a block scalar that starts at the
    /// end of the line, or -1.
    int scan() {
        int i = indentOf(m_line);
        if (i == 0 && (m_line.startsWith(QStringLiteral("---")) ||
                       m_line.startsWith(QStringLiteral("...")))) {
            if (m_line.size() == 3 || m_line.at(3).isSpace()) {
                add(0, 3, YamlHighlighter::Role::DocumentMarker);
                i = 3;
            }
        }
        int parent = i;
        // Sequence entries: `- - key: value`.
        while (true) {
            i = skipSpaces(i);
            if (i < m_line.size() && m_line.at(i) == QLatin1Char('-') &&
                (i + 1 == m_line.size() || m_line.at(i + 1).isSpace())) {
                add(i, 1, YamlHighlighter::Role::Indicator);
                parent = i;
                ++i;
                continue;
            }
            break;
        }
        i = skipSpaces(i);
        if (i >= m_line.size()) {
            return -1;
        }
        if (m_line.at(i) == QLatin1Char('#')) {
            add(i, static_cast<int>(m_line.size()) - i, YamlHighlighter::Role::Comment);
            return -1;
        }
        // A mapping key?
        const int keyEnd = keyAt(i);
        if (keyEnd > i) {
            add(i, keyEnd - i, YamlHighlighter::Role::Key);
            parent = i;
            i = keyEnd + 1; // past ':'
        }
        return value(i, parent);
    }

private:
    int skipSpaces(int i) const {
        while (i < m_line.size() && m_line.at(i).isSpace()) {
            ++i;
        }
        return i;
    }

    void add(int start, int length, YamlHighlighter::Role role) {
        if (length > 0) {
            m_spans.append({start, length, role});
        }
    }

    /// End of a key starting at `i` (the position of its ':'), or -1.
    int keyAt(int i) const {
        const QChar c = m_line.at(i);
        int end = 0;
        if (c == QLatin1Char('"') || c == QLatin1Char('\'')) {
            end = quotedEnd(m_line, i);
            const int colon = skipSpaces(end);
            if (colon < m_line.size() && m_line.at(colon) == QLatin1Char(':') &&
                (colon + 1 == m_line.size() || m_line.at(colon + 1).isSpace())) {
                return colon;
            }
            return -1;
        }
        if (QStringLiteral("[{&*!|>%@`#").contains(c)) {
            return -1;
        }
        end = plainEnd(m_line, i, false);
        int colon = end;
        while (colon < m_line.size() && m_line.at(colon) == QLatin1Char(' ')) {
            ++colon;
        }
        if (colon < m_line.size() && m_line.at(colon) == QLatin1Char(':')) {
            return colon;
        }
        return -1;
    }

    /// Scans a node's properties and value from `i`.
    int value(int i, int parent) {
        while (true) {
            i = skipSpaces(i);
            if (i >= m_line.size()) {
                return -1;
            }
            const QChar c = m_line.at(i);
            if (c == QLatin1Char('&') || c == QLatin1Char('*') || c == QLatin1Char('!')) {
                int end = i + 1;
                while (end < m_line.size() && !m_line.at(end).isSpace()) {
                    ++end;
                }
                add(i, end - i, YamlHighlighter::Role::Anchor);
                i = end;
                continue;
            }
            break;
        }
        const QChar c = m_line.at(i);
        if (c == QLatin1Char('#')) {
            add(i, static_cast<int>(m_line.size()) - i, YamlHighlighter::Role::Comment);
            return -1;
        }
        if (c == QLatin1Char('|') || c == QLatin1Char('>')) {
            int end = i + 1;
            while (end < m_line.size() &&
                   (m_line.at(end) == QLatin1Char('-') || m_line.at(end) == QLatin1Char('+') ||
                    m_line.at(end).isDigit())) {
                ++end;
            }
            add(i, end - i, YamlHighlighter::Role::Indicator);
            end = skipSpaces(end);
            if (end < m_line.size() && m_line.at(end) == QLatin1Char('#')) {
                add(end, static_cast<int>(m_line.size()) - end, YamlHighlighter::Role::Comment);
            }
            return parent;
        }
        if (c == QLatin1Char('[') || c == QLatin1Char('{')) {
            flow(i);
            return -1;
        }
        scalar(i, false);
        return -1;
    }

    /// A scalar from `i`, then an optional comment. Returns where it ended.
    int scalar(int i, bool inFlow) {
        const QChar c = m_line.at(i);
        int end = 0;
        if (c == QLatin1Char('"') || c == QLatin1Char('\'')) {
            end = quotedEnd(m_line, i);
            add(i, end - i, YamlHighlighter::Role::String);
        } else {
            end = plainEnd(m_line, i, inFlow);
            const QString token = m_line.mid(i, end - i);
            add(i, end - i,
                isLiteral(token) ? YamlHighlighter::Role::Literal : YamlHighlighter::Role::String);
        }
        const int next = skipSpaces(end);
        if (!inFlow && next < m_line.size() && m_line.at(next) == QLatin1Char('#')) {
            add(next, static_cast<int>(m_line.size()) - next, YamlHighlighter::Role::Comment);
            return static_cast<int>(m_line.size());
        }
        return end;
    }

    /// A flow collection (`[a, b]`, `{k: v}`) from `i` to the end of the line.
    void flow(int i) {
        while (i < m_line.size()) {
            i = skipSpaces(i);
            if (i >= m_line.size()) {
                return;
            }
            const QChar c = m_line.at(i);
            if (QStringLiteral("[]{},:").contains(c)) {
                add(i, 1, YamlHighlighter::Role::Indicator);
                ++i;
                continue;
            }
            if (c == QLatin1Char('#') && i > 0 && m_line.at(i - 1).isSpace()) {
                add(i, static_cast<int>(m_line.size()) - i, YamlHighlighter::Role::Comment);
                return;
            }
            const int start = static_cast<int>(m_spans.size());
            const int end = scalar(i, true);
            const int next = skipSpaces(end);
            if (next < m_line.size() && m_line.at(next) == QLatin1Char(':') &&
                start < m_spans.size()) {
                m_spans[start].role = YamlHighlighter::Role::Key;
            }
            i = end > i ? end : i + 1;
        }
    }

    const QString& m_line;
    QList<YamlHighlighter::Span>& m_spans;
};

} // namespace

YamlHighlighter::YamlHighlighter(QTextDocument* document) : QSyntaxHighlighter(document) {}

QTextCharFormat YamlHighlighter::format(Role role) {
    QTextCharFormat f;
    switch (role) {
    case Role::Key:
        f.setForeground(QColor(0x1f, 0x4e, 0x9a));
        f.setFontWeight(QFont::Bold);
        break;
    case Role::String:
        f.setForeground(QColor(0x2e, 0x7d, 0x32));
        break;
    case Role::Literal:
        f.setForeground(QColor(0xa3, 0x4d, 0x00));
        break;
    case Role::Comment:
        f.setForeground(QColor(0x80, 0x80, 0x80));
        f.setFontItalic(true);
        break;
    case Role::Anchor:
        f.setForeground(QColor(0x00, 0x83, 0x8f));
        break;
    case Role::BlockScalar:
        f.setForeground(QColor(0x55, 0x6b, 0x2f));
        break;
    case Role::DocumentMarker:
        f.setForeground(QColor(0xc6, 0x28, 0x28));
        f.setFontWeight(QFont::Bold);
        break;
    case Role::Indicator:
        f.setForeground(QColor(0x6a, 0x1b, 0x9a));
        break;
    }
    return f;
}

int YamlHighlighter::scanLine(const QString& line, int state, QList<Span>& spans) {
    if (state >= 0) {
        if (isBlank(line)) {
            return state;
        }
        if (indentOf(line) > state) {
            spans.append({0, static_cast<int>(line.size()), Role::BlockScalar});
            return state;
        }
    }
    return LineScanner(line, spans).scan();
}

void YamlHighlighter::highlightBlock(const QString& text) {
    QList<Span> spans;
    setCurrentBlockState(scanLine(text, previousBlockState(), spans));
    for (const Span& span : spans) {
        setFormat(span.start, span.length, format(span.role));
    }
}

} // namespace pilot::gui
