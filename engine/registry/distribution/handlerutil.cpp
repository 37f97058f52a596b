#include "engine/registry/distribution/handlerutil.h"

#include "core/log.h"

#include <fmt/format.h>

#include <charconv>

namespace pilot::registry::handlers {

namespace {

std::optional<uint64_t> parseNumber(std::string_view text) {
    uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
        return std::nullopt;
    }
    return value;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && text.front() == ' ') {
        text.remove_prefix(1);
    }
    while (!text.empty() && text.back() == ' ') {
        text.remove_suffix(1);
    }
    return text;
}

} // namespace

RegistryResponse serverError(const Error& error) {
    log::error("registry", "{}", error.message);
    if (error.code == ErrorCode::Unavailable) {
        return errorResponse(503, OciError::Unknown, "storage unavailable: " + error.message);
    }
    return errorResponse(500, OciError::Unknown, error.message);
}

RegistryResponse empty(int status) {
    RegistryResponse response;
    response.status = status;
    return response;
}

std::string blobLocation(std::string_view repository, const Digest& digest) {
    return fmt::format("/v2/{}/blobs/{}", repository, digest.str());
}

std::string uploadLocation(std::string_view repository, std::string_view id) {
    return fmt::format("/v2/{}/blobs/uploads/{}", repository, id);
}

std::string uploadRange(uint64_t size) {
    return fmt::format("0-{}", size > 0 ? size - 1 : 0);
}

RegistryResponse uploadStatus(int status, std::string_view repository, std::string_view id,
                              uint64_t size) {
    RegistryResponse response = empty(status);
    response.set("Location", uploadLocation(repository, id));
    response.set("Range", uploadRange(size));
    response.set("Docker-Upload-UUID", std::string(id));
    return response;
}

std::optional<ChunkRange> parseChunkRange(std::string_view text) {
    text = trim(text);
    if (text.starts_with("bytes=") || text.starts_with("bytes ")) {
        text.remove_prefix(6);
    }
    text = text.substr(0, text.find('/'));
    size_t dash = text.find('-');
    if (dash == std::string_view::npos) {
        return std::nullopt;
    }
    auto start = parseNumber(trim(text.substr(0, dash)));
    auto end = parseNumber(trim(text.substr(dash + 1)));
    if (!start || !end || *end < *start) {
        return std::nullopt;
    }
    return ChunkRange{*start, *end};
}

RangeOutcome parseByteRange(std::string_view header, uint64_t size, ByteRange& out) {
    header = trim(header);
    if (!header.starts_with("bytes=") || header.find(',') != std::string_view::npos) {
        return RangeOutcome::Whole; // not a single byte range: serve everything (RFC 9110)
    }
    std::string_view spec = trim(header.substr(6));
    size_t dash = spec.find('-');
    if (dash == std::string_view::npos) {
        return RangeOutcome::Whole;
    }
    std::string_view firstText = trim(spec.substr(0, dash));
    std::string_view lastText = trim(spec.substr(dash + 1));
    if (firstText.empty()) { // suffix range: the last N bytes
        auto suffix = parseNumber(lastText);
        if (!suffix) {
            return RangeOutcome::Whole;
        }
        if (*suffix == 0 || size == 0) {
            return RangeOutcome::Unsatisfiable;
        }
        uint64_t length = std::min(*suffix, size);
        out = ByteRange{size - length, length};
        return RangeOutcome::Partial;
    }
    auto first = parseNumber(firstText);
    std::optional<uint64_t> last =
        lastText.empty() ? std::optional<uint64_t>(UINT64_MAX) : parseNumber(lastText);
    if (!first || !last || *last < *first) {
        return RangeOutcome::Whole;
    }
    if (*first >= size) {
        return RangeOutcome::Unsatisfiable;
    }
    uint64_t end = std::min(*last, size - 1);
    out = ByteRange{*first, end - *first + 1};
    return RangeOutcome::Partial;
}

bool BufferSink::write(std::string_view piece) {
    if (m_buffer.size() + piece.size() > m_limit) {
        m_tooLarge = true;
        m_buffer.clear();
        return false;
    }
    m_buffer.append(piece);
    return true;
}

RegistryResponse BufferSink::finish() {
    if (m_tooLarge) {
        return errorResponse(413, OciError::SizeInvalid,
                             fmt::format("manifest larger than {} bytes", m_limit));
    }
    return m_done(std::move(m_buffer));
}

UploadSink::UploadSink(std::unique_ptr<UploadAppender> appender,
                       std::optional<uint64_t> expectedLength, std::string repository,
                       std::string id, std::function<RegistryResponse(uint64_t size)> done)
    : m_appender(std::move(appender)), m_expectedLength(expectedLength),
      m_repository(std::move(repository)), m_id(std::move(id)), m_done(std::move(done)),
      m_start(m_appender->offset()) {}

bool UploadSink::write(std::string_view piece) {
    if (m_error) {
        return false;
    }
    m_received += piece.size();
    if (m_expectedLength && m_received > *m_expectedLength) {
        return false;
    }
    if (auto ok = m_appender->write(piece); !ok) {
        m_error = ok.error();
        return false;
    }
    return true;
}

RegistryResponse UploadSink::finish() {
    if (m_error) {
        m_appender.reset(); // rolls the session back
        return serverError(*m_error);
    }
    if (m_expectedLength && m_received != *m_expectedLength) {
        m_appender.reset();
        RegistryResponse response =
            errorResponse(416, OciError::BlobUploadInvalid,
                          fmt::format("Content-Range announces {} bytes, the body had {}",
                                      *m_expectedLength, m_received));
        response.set("Location", uploadLocation(m_repository, m_id));
        response.set("Range", uploadRange(m_start));
        return response;
    }
    auto size = m_appender->finish();
    m_appender.reset();
    if (!size) {
        return serverError(size.error());
    }
    return m_done(*size);
}

} // namespace pilot::registry::handlers
