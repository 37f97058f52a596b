#pragma once

#include "gui/client/objectrecord.h"

#include <QByteArray>
#include <QJsonArray>
#include <QList>
#include <QString>

namespace pilot::gui {

/// Splits a newline-delimited JSON stream into complete lines as chunks arrive.
class LineSplitter {
public:
    /// Appends `chunk` and moves every completed line (without its newline) to `out`.
    void feed(const QByteArray& chunk, QList<QByteArray>& out);
    void clear() { m_partial.clear(); }
    [[nodiscard]] bool hasPartial() const { return !m_partial.isEmpty(); }

private:
    QByteArray m_partial;
};

/// One page of a list, decoded.
struct DecodedList {
    QList<RecordPtr> records;
    QString resourceVersion;
    QString continueToken;
    QJsonArray columns; ///< Table column definitions (Table lists only).
    QString error;      ///< Non-empty when the body was not a list.
};

/// A run of watch events, decoded and coalesced into row operations.
struct DecodedEvents {
    RecordBatch batch;
    QString resourceVersion; ///< Of the last event (bookmarks included); empty if none.
    bool expired = false;    ///< An ERROR event with code 410: the watch must re-list.
    QString error;           ///< Another ERROR event.
    QJsonArray columns;
    int events = 0;
};

/// Decodes a list body (JSON list or meta.k8s.io Table) with `decoder`. Pure; any thread.
[[nodiscard]] DecodedList decodeList(const QByteArray& body, const RecordDecoder& decoder,
                                     bool table);

/// Decodes watch event lines in order; later events for a key replace earlier ones. Decoding
/// stops at an ERROR event. Pure; any thread.
[[nodiscard]] DecodedEvents decodeEvents(const QList<QByteArray>& lines,
                                         const RecordDecoder& decoder, bool table);

} // namespace pilot::gui
