#include "gui/client/objectrecord.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QMutex>
#include <QMutexLocker>

namespace pilot::gui {

namespace {

struct Pool {
    QMutex mutex;
    QSet<QString> strings;
};

Pool& pool() {
    static Pool instance;
    return instance;
}

} // namespace

QString StringPool::intern(const QString& value) {
    if (value.isEmpty()) {
        return {};
    }
    Pool& p = pool();
    QMutexLocker lock(&p.mutex);
    auto it = p.strings.constFind(value);
    if (it != p.strings.constEnd()) {
        return *it;
    }
    p.strings.insert(value);
    return value;
}

qint64 parseTimestamp(const QString& text) {
    if (text.isEmpty()) {
        return 0;
    }
    QDateTime time = QDateTime::fromString(text, Qt::ISODate);
    return time.isValid() ? time.toMSecsSinceEpoch() : 0;
}

QString ObjectRecord::key() const {
    return namespaceName.isEmpty() ? name : QString(namespaceName + QLatin1Char('/') + name);
}

QJsonObject ObjectRecord::json() const {
    if (packedJson.isEmpty()) {
        return {};
    }
    return QJsonDocument::fromJson(JsonPacker::unpack(packedJson)).object();
}

QString ObjectRecord::label(const QString& key) const {
    for (const auto& [k, v] : labels) {
        if (k == key) {
            return v;
        }
    }
    return {};
}

void ObjectRecord::fillMeta(const QJsonObject& object, bool keepJson) {
    QJsonObject meta = object.value(QLatin1String("metadata")).toObject();
    namespaceName = StringPool::intern(meta.value(QLatin1String("namespace")).toString());
    name = meta.value(QLatin1String("name")).toString();
    uid = meta.value(QLatin1String("uid")).toString();
    resourceVersion = meta.value(QLatin1String("resourceVersion")).toString();
    createdMs = parseTimestamp(meta.value(QLatin1String("creationTimestamp")).toString());
    deletingMs = parseTimestamp(meta.value(QLatin1String("deletionTimestamp")).toString());
    QJsonObject labelMap = meta.value(QLatin1String("labels")).toObject();
    labels.reserve(labelMap.size());
    for (auto it = labelMap.begin(); it != labelMap.end(); ++it) {
        labels.append({StringPool::intern(it.key()), StringPool::intern(it.value().toString())});
    }
    if (keepJson) {
        QJsonObject trimmed = object;
        meta.remove(QLatin1String("managedFields"));
        trimmed.insert(QLatin1String("metadata"), meta);
        QString kind = object.value(QLatin1String("apiVersion")).toString() + QLatin1Char('/') +
                       object.value(QLatin1String("kind")).toString();
        packedJson = JsonPacker::pack(kind, QJsonDocument(trimmed).toJson(QJsonDocument::Compact));
    }
}

QString objectKey(const QJsonObject& object) {
    QJsonObject meta = object.value(QLatin1String("metadata")).toObject();
    QString ns = meta.value(QLatin1String("namespace")).toString();
    QString name = meta.value(QLatin1String("name")).toString();
    return ns.isEmpty() ? name : QString(ns + QLatin1Char('/') + name);
}

} // namespace pilot::gui
