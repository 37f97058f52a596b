#include "gui/client/watchdecoder.h"

#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>

namespace pilot::gui {

void LineSplitter::feed(const QByteArray& chunk, QList<QByteArray>& out) {
    qsizetype start = 0;
    while (true) {
        qsizetype newline = chunk.indexOf('\n', start);
        if (newline < 0) {
            break;
        }
        QByteArray piece = chunk.mid(start, newline - start);
        if (!m_partial.isEmpty()) {
            piece = m_partial + piece;
            m_partial.clear();
        }
        if (!piece.trimmed().isEmpty()) {
            out.append(piece);
        }
        start = newline + 1;
    }
    m_partial.append(chunk.mid(start));
}

namespace {

QString metaString(const QJsonObject& object, const char* key) {
    return object.value(QLatin1String("metadata")).toObject().value(QLatin1String(key)).toString();
}

/// For Table objects: each row as `{cells, object}`.
QList<QJsonObject> tableRows(const QJsonObject& table) {
    QList<QJsonObject> rows;
    for (const QJsonValue& row : table.value(QLatin1String("rows")).toArray()) {
        rows.append(row.toObject());
    }
    return rows;
}

} // namespace

DecodedList decodeList(const QByteArray& body, const RecordDecoder& decoder, bool table) {
    DecodedList out;
    QJsonParseError parseError{};
    QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        out.error = QStringLiteral("the list is not JSON: ") + parseError.errorString();
        return out;
    }
    QJsonObject root = doc.object();
    out.resourceVersion = metaString(root, "resourceVersion");
    out.continueToken = metaString(root, "continue");
    if (table) {
        out.columns = root.value(QLatin1String("columnDefinitions")).toArray();
        const QList<QJsonObject> rows = tableRows(root);
        out.records.reserve(rows.size());
        for (const QJsonObject& row : rows) {
            if (RecordPtr record = decoder(row)) {
                out.records.append(std::move(record));
            }
        }
        return out;
    }
    const QJsonArray items = root.value(QLatin1String("items")).toArray();
    out.records.reserve(items.size());
    for (const QJsonValue& item : items) {
        if (RecordPtr record = decoder(item.toObject())) {
            out.records.append(std::move(record));
        }
    }
    return out;
}

DecodedEvents decodeEvents(const QList<QByteArray>& lines, const RecordDecoder& decoder,
                           bool table) {
    DecodedEvents out;
    // Newest state per key in first-seen order; a null record means deleted.
    QList<std::pair<QString, RecordPtr>> order;
    QHash<QString, qsizetype> index;
    auto put = [&](const QString& key, RecordPtr record) {
        auto it = index.constFind(key);
        if (it != index.constEnd()) {
            order[*it].second = std::move(record);
            return;
        }
        index.insert(key, order.size());
        order.append({key, std::move(record)});
    };
    for (const QByteArray& line : lines) {
        QJsonObject event = QJsonDocument::fromJson(line).object();
        QString type = event.value(QLatin1String("type")).toString();
        QJsonObject object = event.value(QLatin1String("object")).toObject();
        ++out.events;
        if (type == QLatin1String("ERROR")) {
            int code = object.value(QLatin1String("code")).toInt();
            if (code == 410) {
                out.expired = true;
            } else {
                out.error = object.value(QLatin1String("message")).toString();
                if (out.error.isEmpty()) {
                    out.error = QStringLiteral("watch error %1").arg(code);
                }
            }
            break;
        }
        QString rv = metaString(object, "resourceVersion");
        if (type == QLatin1String("BOOKMARK")) {
            if (!rv.isEmpty()) {
                out.resourceVersion = rv;
            }
            continue;
        }
        bool deleted = type == QLatin1String("DELETED");
        if (type != QLatin1String("ADDED") && type != QLatin1String("MODIFIED") && !deleted) {
            continue; // unknown event type: ignored, as client-go does
        }
        QList<QJsonObject> items;
        if (table) {
            if (QJsonArray columns = object.value(QLatin1String("columnDefinitions")).toArray();
                !columns.isEmpty()) {
                out.columns = columns;
            }
            items = tableRows(object);
        } else {
            items.append(object);
        }
        for (const QJsonObject& item : items) {
            QJsonObject meta = table ? item.value(QLatin1String("object")).toObject() : item;
            QString key = objectKey(meta);
            if (table && rv.isEmpty()) {
                rv = metaString(meta, "resourceVersion");
            }
            put(key, deleted ? RecordPtr() : decoder(item));
        }
        if (!rv.isEmpty()) {
            out.resourceVersion = rv;
        }
    }
    for (auto& [key, record] : order) {
        if (record) {
            out.batch.upserts.append(std::move(record));
        } else {
            out.batch.removed.append(key);
        }
    }
    return out;
}

} // namespace pilot::gui
