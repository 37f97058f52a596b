#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::watchcache {

/// zstd with a dictionary made of one resource's own serialized objects (a raw-content
/// dictionary: pods look like other pods, so most of a pod compresses to references into it).
/// Immutable and shared by every object compressed with it; safe to use from any thread.
class TextCodec {
public:
    /// `samples` are serialized objects of one resource; up to `maxDictionaryBytes` of them,
    /// newest last, make the dictionary.
    [[nodiscard]] static std::shared_ptr<const TextCodec>
    fromSamples(const std::vector<std::string_view>& samples, size_t maxDictionaryBytes = 64 * 1024,
                int level = 3);
    ~TextCodec();
    TextCodec(const TextCodec&) = delete;
    TextCodec& operator=(const TextCodec&) = delete;

    [[nodiscard]] std::string compress(std::string_view raw) const;
    /// Decompresses `packed` (made by compress from `rawSize` bytes) into `out[0, rawSize)`.
    /// Returns false when the data is corrupt (never for data this codec compressed).
    bool decompress(std::string_view packed, char* out, size_t rawSize) const;
    [[nodiscard]] size_t dictionarySize() const { return m_dictionary.size(); }

private:
    TextCodec() = default;
    std::string m_dictionary;
    struct Dictionaries;
    std::unique_ptr<Dictionaries> m_dicts;
};

/// The serialized JSON of one cached object version. It is held as is while the version is
/// recent (watchers and readers of new objects copy it with no work) and compressed once the
/// cache decides it has gone cold; the switch is atomic, so readers on other threads see either
/// form. The text itself never changes.
class ObjectText {
public:
    ObjectText() = default;
    explicit ObjectText(std::string raw) { assign(std::move(raw)); }
    ObjectText(const ObjectText&) = delete;
    ObjectText& operator=(const ObjectText&) = delete;

    /// Sets the text; only while the object is being built, before it is shared.
    void assign(std::string raw);
    /// Size of the JSON text in bytes (not of its compressed form).
    [[nodiscard]] size_t size() const { return m_size; }
    /// Appends the JSON text to `out`.
    void appendTo(std::string& out) const;
    [[nodiscard]] std::string str() const;
    /// Bytes held for the text (compressed or not).
    [[nodiscard]] size_t heldBytes() const;
    [[nodiscard]] bool compressed() const;
    /// Replaces the held text by its compressed form when that is smaller. Idempotent; the
    /// cache calls it from one thread while readers may read concurrently.
    void compress(const std::shared_ptr<const TextCodec>& codec) const;
    /// The text while not compressed, else empty (for building a codec from recent objects).
    /// The view is valid while the object lives and compress() is not called: the caller
    /// must be the only one compressing (ResourceCache serializes its compressions).
    [[nodiscard]] std::string_view rawView() const;

private:
    struct Payload {
        std::string bytes;
        std::shared_ptr<const TextCodec> codec; ///< null: `bytes` is the text itself.
    };
    mutable std::atomic<std::shared_ptr<const Payload>> m_payload;
    size_t m_size = 0;
};

} // namespace pilot::watchcache
