#pragma once

#include "core/clock.h"
#include "core/error.h"
#include "engine/registry/storage/blobfiles.h"
#include "engine/registry/storage/blobs.h"
#include "engine/registry/storage/digest.h"
#include "engine/registry/storage/registrydb.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace pilot::registry {

struct UploadStatus {
    std::string id;
    /// Bytes received so far.
    uint64_t size = 0;
};

class Uploads;
struct UploadSession;

/// Streams one request body into an upload session, hashing as it writes. Holds the session
/// exclusively until `finish` or destruction: meanwhile other requests on it get Conflict.
/// Destroyed unfinished (the client went away, a write failed), it leaves the session exactly
/// as it was before this body, so the same chunk can be sent again.
class UploadAppender {
public:
    ~UploadAppender();
    UploadAppender(const UploadAppender&) = delete;
    UploadAppender& operator=(const UploadAppender&) = delete;

    /// Where the next byte goes: the session's size including what this body added so far.
    [[nodiscard]] uint64_t offset() const { return m_offset; }
    /// Appends `bytes` (cheap: a write to the page cache and a hash update).
    [[nodiscard]] Status write(std::string_view bytes);
    /// The body is complete: keeps it and returns the session's new size.
    [[nodiscard]] Result<uint64_t> finish();

private:
    friend class Uploads;
    UploadAppender(std::shared_ptr<UploadSession> session, UniqueFd fd, uint64_t start);

    std::shared_ptr<UploadSession> m_session;
    UniqueFd m_fd;
    uint64_t m_start = 0;
    uint64_t m_offset = 0;
    uint64_t m_writtenBack = 0;
    bool m_finished = false;
    bool m_failed = false;
};

/// Blob upload sessions: data in ROOT/<id> (outside the blob store, so never visible as a
/// blob), the session's repository in the database, the running hash in memory. A session's
/// size is its file's size, so sessions survive restarts (the hash is then recomputed when the
/// upload completes). Completing verifies the digest, syncs the file and renames it into the
/// blob store in the same database transaction that records the blob. Thread-safe.
class Uploads {
public:
    Uploads(RegistryDb& db, const BlobFiles& files, std::string root, const Clock& clock);
    ~Uploads();

    [[nodiscard]] Status prepare() const;

    /// A new, empty session in `repository` (created when new).
    [[nodiscard]] Result<UploadStatus> start(std::string_view repository);
    /// NotFound when `repository` has no session `id`.
    [[nodiscard]] Result<UploadStatus> status(std::string_view repository, std::string_view id);
    /// Opens the session to append one body. With `start`, the body must begin exactly at the
    /// session's size: Conflict otherwise (an out-of-order chunk), and Conflict while another
    /// request writes to the session. NotFound for an unknown session.
    [[nodiscard]] Result<std::unique_ptr<UploadAppender>>
    append(std::string_view repository, std::string_view id, std::optional<uint64_t> start);
    /// Ends the session as blob `expected`: InvalidArgument (and the session is discarded) when
    /// the content has another digest; Conflict while a body is being appended.
    [[nodiscard]] Result<BlobInfo> complete(std::string_view repository, std::string_view id,
                                            const Digest& expected);
    /// Discards the session; false when there is none.
    [[nodiscard]] Result<bool> cancel(std::string_view repository, std::string_view id);
    /// Discards sessions not written to since `cutoff` (and stray files); returns how many.
    [[nodiscard]] Result<size_t> expire(TimePoint cutoff);

private:
    [[nodiscard]] Result<std::shared_ptr<UploadSession>> find(std::string_view repository,
                                                              std::string_view id);
    [[nodiscard]] std::string pathOf(std::string_view id) const;
    [[nodiscard]] Status discard(const std::shared_ptr<UploadSession>& session);

    RegistryDb& m_db;
    const BlobFiles& m_files;
    std::string m_root;
    const Clock& m_clock;
    std::mutex m_mutex;
    std::unordered_map<std::string, std::shared_ptr<UploadSession>> m_sessions;
};

/// Whether `id` has the shape of a session id this registry hands out (a UUID).
[[nodiscard]] bool isUploadId(std::string_view id);

} // namespace pilot::registry
