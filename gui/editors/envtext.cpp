#include "gui/editors/envtext.h"

#include <QStringList>

namespace pilot::gui {

namespace {

QString unquote(const QString& value) {
    if (value.size() >= 2 && value.startsWith(QLatin1Char('\'')) &&
        value.endsWith(QLatin1Char('\''))) {
        return value.mid(1, value.size() - 2);
    }
    if (value.size() >= 2 && value.startsWith(QLatin1Char('"')) &&
        value.endsWith(QLatin1Char('"'))) {
        QString out;
        const QString inner = value.mid(1, value.size() - 2);
        for (qsizetype i = 0; i < inner.size(); ++i) {
            const QChar c = inner.at(i);
            if (c == QLatin1Char('\\') && i + 1 < inner.size()) {
                const QChar next = inner.at(++i);
                if (next == QLatin1Char('n')) {
                    out += QLatin1Char('\n');
                } else if (next == QLatin1Char('t')) {
                    out += QLatin1Char('\t');
                } else {
                    out += next;
                }
                continue;
            }
            out += c;
        }
        return out;
    }
    // An unquoted .env value ends at an inline comment.
    const qsizetype comment = value.indexOf(QStringLiteral(" #"));
    return comment >= 0 ? value.left(comment).trimmed() : value;
}

} // namespace

QList<std::pair<QString, QString>> parseEnvText(const QString& text) {
    QList<std::pair<QString, QString>> entries;
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (qsizetype i = 0; i < lines.size(); ++i) {
        QString line = lines.at(i).trimmed();
        if (line.endsWith(QLatin1Char('\r'))) {
            line.chop(1);
        }
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')) ||
            line.startsWith(QLatin1Char('!'))) {
            continue;
        }
        // Properties continue a value on the next line after a trailing backslash.
        while (line.endsWith(QLatin1Char('\\')) && i + 1 < lines.size()) {
            line.chop(1);
            line += lines.at(++i).trimmed();
        }
        if (line.startsWith(QStringLiteral("export "))) {
            line = line.mid(7).trimmed();
        }
        qsizetype separator = -1;
        for (qsizetype j = 0; j < line.size(); ++j) {
            const QChar c = line.at(j);
            if (c == QLatin1Char('=') || c == QLatin1Char(':') || c.isSpace()) {
                separator = j;
                break;
            }
        }
        if (separator <= 0) {
            if (separator < 0 && !line.isEmpty()) {
                entries.append({line, QString()});
            }
            continue;
        }
        const QString key = line.left(separator).trimmed();
        QString rest = line.mid(separator).trimmed();
        if (rest.startsWith(QLatin1Char('=')) || rest.startsWith(QLatin1Char(':'))) {
            rest = rest.mid(1).trimmed();
        }
        entries.append({key, unquote(rest)});
    }
    return entries;
}

} // namespace pilot::gui
