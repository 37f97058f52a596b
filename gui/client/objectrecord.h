#pragma once

#include "gui/client/jsonpacker.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QSet>
#include <QString>

#include <functional>
#include <memory>
#include <optional>
#include <utility>

namespace pilot::gui {

using Labels = QList<std::pair<QString, QString>>;

/// The part of an API object every model keeps: metadata, labels, and the whole object as
/// packed compact JSON (without managedFields; see JsonPacker) for the raw-object role and
/// detail views.
/// Kinds derive to add the few fields their columns need. Immutable once decoded; shared
/// between threads through RecordPtr.
struct ObjectRecord {
    virtual ~ObjectRecord() = default;

    QString namespaceName;
    QString name;
    QString uid;
    QString resourceVersion;
    qint64 createdMs = 0;  ///< metadata.creationTimestamp, ms since the epoch (UTC).
    qint64 deletingMs = 0; ///< metadata.deletionTimestamp; non-zero while terminating.
    Labels labels;
    JsonPacker::Packed packedJson;

    /// `namespace/name`, or `name` for cluster-scoped objects.
    [[nodiscard]] QString key() const;
    /// The object as decoded (decompresses; empty when it was not kept).
    [[nodiscard]] QJsonObject json() const;
    [[nodiscard]] QString label(const QString& key) const;

    /// Fills the common fields from `object`; `keepJson` stores the packed object.
    void fillMeta(const QJsonObject& object, bool keepJson = true);
};

using RecordPtr = std::shared_ptr<const ObjectRecord>;

/// Turns one API object (or, for Table informers, one `{cells, object}` row) into a record.
/// Runs on worker threads, so it must not touch shared mutable state (StringPool is safe).
using RecordDecoder = std::function<RecordPtr(const QJsonObject& object)>;

/// The key an object would get as a record (`namespace/name`).
[[nodiscard]] QString objectKey(const QJsonObject& object);

/// Row operations delivered to a model in one go (coalesced watch events or a page of a list).
struct RecordBatch {
    QList<RecordPtr> upserts; ///< At most one per key, newest state.
    QStringList removed;      ///< Keys.
    /// Present on the last page of a (re)list: every key that list held. Rows with other keys
    /// are gone.
    std::optional<QSet<QString>> listComplete;

    [[nodiscard]] bool isEmpty() const {
        return upserts.isEmpty() && removed.isEmpty() && !listComplete;
    }
};

/// Shares equal strings between records (namespaces, node names, label keys and values repeat
/// across thousands of objects). Thread-safe; grows with the number of distinct values.
class StringPool {
public:
    [[nodiscard]] static QString intern(const QString& value);
};

/// Milliseconds since the epoch for an RFC 3339 timestamp; 0 when empty or invalid.
[[nodiscard]] qint64 parseTimestamp(const QString& text);

} // namespace pilot::gui

Q_DECLARE_METATYPE(pilot::gui::RecordBatch)
