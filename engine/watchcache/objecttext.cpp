#include "engine/watchcache/objecttext.h"

#define ZSTD_STATIC_LINKING_ONLY // ZSTD_createCDict_byReference
#include <zstd.h>

#include <cstring>

namespace pilot::watchcache {

namespace {

struct CctxFree {
    void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DctxFree {
    void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

/// One compression and one decompression context per thread: contexts are not thread-safe,
/// dictionaries are.
ZSTD_CCtx* threadCctx() {
    thread_local std::unique_ptr<ZSTD_CCtx, CctxFree> ctx(ZSTD_createCCtx());
    return ctx.get();
}
ZSTD_DCtx* threadDctx() {
    thread_local std::unique_ptr<ZSTD_DCtx, DctxFree> ctx(ZSTD_createDCtx());
    return ctx.get();
}

} // namespace

struct TextCodec::Dictionaries {
    ZSTD_CDict* compress = nullptr;
    ZSTD_DDict* decompress = nullptr;
    ~Dictionaries() {
        ZSTD_freeCDict(compress);
        ZSTD_freeDDict(decompress);
    }
};

TextCodec::~TextCodec() = default;

std::shared_ptr<const TextCodec>
TextCodec::fromSamples(const std::vector<std::string_view>& samples, size_t maxDictionaryBytes,
                       int level) {
    std::shared_ptr<TextCodec> codec(new TextCodec());
    // zstd prefers the most useful content at the end of a raw dictionary: take the newest
    // samples that fit, oldest first.
    size_t total = 0;
    size_t first = samples.size();
    while (first > 0 && total + samples[first - 1].size() <= maxDictionaryBytes) {
        total += samples[--first].size();
    }
    codec->m_dictionary.reserve(total);
    for (size_t i = first; i < samples.size(); ++i) {
        codec->m_dictionary.append(samples[i]);
    }
    codec->m_dicts = std::make_unique<Dictionaries>();
    codec->m_dicts->compress =
        ZSTD_createCDict_byReference(codec->m_dictionary.data(), codec->m_dictionary.size(), level);
    codec->m_dicts->decompress =
        ZSTD_createDDict_byReference(codec->m_dictionary.data(), codec->m_dictionary.size());
    if (codec->m_dicts->compress == nullptr || codec->m_dicts->decompress == nullptr) {
        return nullptr;
    }
    return codec;
}

std::string TextCodec::compress(std::string_view raw) const {
    std::string out(ZSTD_compressBound(raw.size()), '\0');
    size_t n = ZSTD_compress_usingCDict(threadCctx(), out.data(), out.size(), raw.data(),
                                        raw.size(), m_dicts->compress);
    if (ZSTD_isError(n) != 0U) {
        return {};
    }
    out.resize(n);
    out.shrink_to_fit();
    return out;
}

bool TextCodec::decompress(std::string_view packed, char* out, size_t rawSize) const {
    size_t n = ZSTD_decompress_usingDDict(threadDctx(), out, rawSize, packed.data(), packed.size(),
                                          m_dicts->decompress);
    return ZSTD_isError(n) == 0U && n == rawSize;
}

void ObjectText::assign(std::string raw) {
    m_size = raw.size();
    raw.shrink_to_fit();
    m_payload.store(std::make_shared<const Payload>(Payload{std::move(raw), nullptr}),
                    std::memory_order_release);
}

void ObjectText::appendTo(std::string& out) const {
    std::shared_ptr<const Payload> payload = m_payload.load(std::memory_order_acquire);
    if (!payload) {
        return;
    }
    if (!payload->codec) {
        out += payload->bytes;
        return;
    }
    size_t at = out.size();
    out.resize(at + m_size);
    // The codec compressed these bytes itself: corruption would be a memory error elsewhere.
    bool ok = payload->codec->decompress(payload->bytes, out.data() + at, m_size);
    if (!ok) {
        out.resize(at);
    }
}

std::string ObjectText::str() const {
    std::string out;
    out.reserve(m_size);
    appendTo(out);
    return out;
}

size_t ObjectText::heldBytes() const {
    std::shared_ptr<const Payload> payload = m_payload.load(std::memory_order_acquire);
    return payload ? payload->bytes.capacity() : 0;
}

bool ObjectText::compressed() const {
    std::shared_ptr<const Payload> payload = m_payload.load(std::memory_order_acquire);
    return payload && payload->codec;
}

std::string_view ObjectText::rawView() const {
    std::shared_ptr<const Payload> payload = m_payload.load(std::memory_order_acquire);
    if (!payload || payload->codec) {
        return {};
    }
    return payload->bytes;
}

void ObjectText::compress(const std::shared_ptr<const TextCodec>& codec) const {
    std::shared_ptr<const Payload> payload = m_payload.load(std::memory_order_acquire);
    if (!payload || payload->codec || !codec) {
        return;
    }
    std::string packed = codec->compress(payload->bytes);
    if (packed.empty() || packed.size() >= payload->bytes.size()) {
        return;
    }
    m_payload.store(std::make_shared<const Payload>(Payload{std::move(packed), codec}),
                    std::memory_order_release);
}

} // namespace pilot::watchcache
