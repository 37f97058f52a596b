#pragma once

// Private to pilot::registrydistribution: helpers the endpoint handlers share.

#include "core/error.h"
#include "engine/registry/distribution/ocierror.h"
#include "engine/registry/distribution/registryhttp.h"
#include "engine/registry/storage/digest.h"
#include "engine/registry/storage/uploads.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace pilot::registry::handlers {

/// 500 UNKNOWN (503 when the storage is unavailable) for a storage failure; logged.
[[nodiscard]] RegistryResponse serverError(const Error& error);
/// A response with no body.
[[nodiscard]] RegistryResponse empty(int status);

[[nodiscard]] std::string blobLocation(std::string_view repository, const Digest& digest);
[[nodiscard]] std::string uploadLocation(std::string_view repository, std::string_view id);
/// The `Range` value of an upload holding `size` bytes: `0-<last byte>` (`0-0` when empty,
/// as Distribution answers).
[[nodiscard]] std::string uploadRange(uint64_t size);
/// 202/204-style upload status headers: Location, Range, Docker-Upload-UUID.
[[nodiscard]] RegistryResponse uploadStatus(int status, std::string_view repository,
                                            std::string_view id, uint64_t size);

/// A PATCH `Content-Range`: `<start>-<end>` (inclusive), also with `bytes ` / `bytes=` before
/// and `/<total>` after, as some clients send it.
struct ChunkRange {
    uint64_t start = 0;
    uint64_t end = 0;
};
[[nodiscard]] std::optional<ChunkRange> parseChunkRange(std::string_view text);

/// A GET `Range: bytes=...` against a blob of `size` bytes.
struct ByteRange {
    uint64_t first = 0;
    uint64_t length = 0;
};
enum class RangeOutcome { Whole, Partial, Unsatisfiable };
[[nodiscard]] RangeOutcome parseByteRange(std::string_view header, uint64_t size, ByteRange& out);

/// Collects a small body (a manifest) up to `limit` bytes, then hands it to `done`; a larger
/// body gets 413.
class BufferSink final : public BodySink {
public:
    BufferSink(size_t limit, std::function<RegistryResponse(std::string)> done)
        : m_limit(limit), m_done(std::move(done)) {}

    [[nodiscard]] bool write(std::string_view piece) override;
    [[nodiscard]] RegistryResponse finish() override;

private:
    size_t m_limit;
    std::function<RegistryResponse(std::string)> m_done;
    std::string m_buffer;
    bool m_tooLarge = false;
};

/// Streams a body into an upload session; when it is complete (and, with `expectedLength`,
/// exactly that long) keeps it and hands the session's new size to `done`. Otherwise the
/// session is left as it was.
class UploadSink final : public BodySink {
public:
    UploadSink(std::unique_ptr<UploadAppender> appender, std::optional<uint64_t> expectedLength,
               std::string repository, std::string id,
               std::function<RegistryResponse(uint64_t size)> done);

    [[nodiscard]] bool write(std::string_view piece) override;
    [[nodiscard]] RegistryResponse finish() override;

private:
    std::unique_ptr<UploadAppender> m_appender;
    std::optional<uint64_t> m_expectedLength;
    std::string m_repository;
    std::string m_id;
    std::function<RegistryResponse(uint64_t size)> m_done;
    uint64_t m_start = 0;
    uint64_t m_received = 0;
    std::optional<Error> m_error;
};

} // namespace pilot::registry::handlers
