#pragma once

#include <QByteArray>
#include <QString>

#include <memory>

namespace pilot::gui {

/// Objects of one kind, compactly: raw deflate with a preset dictionary that is the first
/// object of that kind the process saw. Objects of a kind share most of their text (keys, image
/// names, tolerations, the service-account volume), so a 2.4 KB pod packs into ~150-400 bytes
/// instead of ~900 with plain zlib. Thread-safe; dictionaries live for the whole process.
class JsonPacker {
public:
    struct Packed {
        std::shared_ptr<const QByteArray> dictionary;
        QByteArray data; ///< 4-byte big-endian length, then raw deflate.

        [[nodiscard]] bool isEmpty() const { return data.isEmpty(); }
    };

    /// Packs `json` (compact JSON text) for objects of `kind` (e.g. "v1/Pod").
    [[nodiscard]] static Packed pack(const QString& kind, const QByteArray& json);
    /// The JSON text back; empty on corrupt input.
    [[nodiscard]] static QByteArray unpack(const Packed& packed);
};

} // namespace pilot::gui
