#include "gui/client/jsonpacker.h"

#include <QHash>
#include <QMutex>
#include <QMutexLocker>
#include <QtEndian>

#include <zlib.h>

namespace pilot::gui {

namespace {

/// zlib uses at most the last 32 KB of a dictionary.
constexpr qsizetype MaxDictionary = 32 * 1024;

std::shared_ptr<const QByteArray> dictionaryFor(const QString& kind, const QByteArray& sample) {
    static QMutex mutex;
    static QHash<QString, std::shared_ptr<const QByteArray>> dictionaries;
    QMutexLocker lock(&mutex);
    auto it = dictionaries.constFind(kind);
    if (it != dictionaries.constEnd()) {
        return *it;
    }
    auto dictionary = std::make_shared<const QByteArray>(sample.right(MaxDictionary));
    dictionaries.insert(kind, dictionary);
    return dictionary;
}

} // namespace

JsonPacker::Packed JsonPacker::pack(const QString& kind, const QByteArray& json) {
    Packed packed;
    packed.dictionary = dictionaryFor(kind, json);
    z_stream stream{};
    if (deflateInit2(&stream, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        return {};
    }
    deflateSetDictionary(&stream, reinterpret_cast<const Bytef*>(packed.dictionary->constData()),
                         uInt(packed.dictionary->size()));
    QByteArray out(qsizetype(4 + deflateBound(&stream, uLong(json.size()))), Qt::Uninitialized);
    qToBigEndian(quint32(json.size()), out.data());
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(json.constData()));
    stream.avail_in = uInt(json.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + 4);
    stream.avail_out = uInt(out.size() - 4);
    int rc = deflate(&stream, Z_FINISH);
    qsizetype used = 4 + qsizetype(stream.total_out);
    deflateEnd(&stream);
    if (rc != Z_STREAM_END) {
        return {};
    }
    out.resize(used);
    out.squeeze(); // keep only the packed bytes, not the worst-case buffer
    packed.data = std::move(out);
    return packed;
}

QByteArray JsonPacker::unpack(const Packed& packed) {
    if (packed.data.size() < 4 || !packed.dictionary) {
        return {};
    }
    quint32 length = qFromBigEndian<quint32>(packed.data.constData());
    QByteArray out(qsizetype(length), Qt::Uninitialized);
    z_stream stream{};
    if (inflateInit2(&stream, -15) != Z_OK) {
        return {};
    }
    inflateSetDictionary(&stream, reinterpret_cast<const Bytef*>(packed.dictionary->constData()),
                         uInt(packed.dictionary->size()));
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(packed.data.constData() + 4));
    stream.avail_in = uInt(packed.data.size() - 4);
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = uInt(out.size());
    int rc = inflate(&stream, Z_FINISH);
    inflateEnd(&stream);
    return rc == Z_STREAM_END ? out : QByteArray();
}

} // namespace pilot::gui
