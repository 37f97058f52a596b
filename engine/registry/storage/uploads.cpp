#include "engine/registry/storage/uploads.h"

#include "core/log.h"
#include "core/random.h"

#include <fmt/format.h>

#include <cerrno>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace pilot::registry {

/// One session's in-memory state. `busy` (guarded by `mutex`) gives one request at a time
/// exclusive use of the rest.
struct UploadSession {
    std::string id;
    std::string repository;
    std::string path;
    std::mutex mutex;
    bool busy = false;
    /// The hash of the file's first `hashed` bytes; empty when unknown (after a restart).
    std::optional<Hasher> hasher;
    uint64_t hashed = 0;
    /// The hash as it was before the current body, to go back to if the body is dropped.
    std::optional<Hasher> checkpoint;
};

namespace {

constexpr size_t RehashBuffer = 1 << 20;
/// Written data is handed to the disk in steps of this size while the upload goes on, so that
/// the sync when it completes has little left to wait for.
constexpr uint64_t WritebackStep = 8 << 20;

/// Marks a session busy for the lifetime of the guard.
class BusyGuard {
public:
    explicit BusyGuard(UploadSession& session) : m_session(session) {}
    ~BusyGuard() {
        std::lock_guard lock(m_session.mutex);
        m_session.busy = false;
    }
    BusyGuard(const BusyGuard&) = delete;
    BusyGuard& operator=(const BusyGuard&) = delete;

private:
    UploadSession& m_session;
};

Result<Digest> hashFile(int fd, uint64_t size, DigestAlgorithm algorithm, std::string_view what) {
    Hasher hasher(algorithm);
    std::vector<char> buffer(RehashBuffer);
    uint64_t offset = 0;
    while (offset < size) {
        auto got = readAt(fd, offset, buffer.data(), buffer.size(), what);
        if (!got) {
            return std::unexpected(got.error());
        }
        if (*got == 0) {
            break;
        }
        hasher.update(std::string_view(buffer.data(), *got));
        offset += *got;
    }
    return hasher.finish();
}

std::unexpected<Error> unknownUpload(std::string_view id) {
    return fail(ErrorCode::NotFound, fmt::format("upload {} not found", id));
}

} // namespace

bool isUploadId(std::string_view id) {
    if (id.size() != 36) {
        return false;
    }
    for (size_t i = 0; i < id.size(); ++i) {
        char c = id[i];
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

UploadAppender::UploadAppender(std::shared_ptr<UploadSession> session, UniqueFd fd, uint64_t start)
    : m_session(std::move(session)), m_fd(std::move(fd)), m_start(start), m_offset(start),
      m_writtenBack(start) {}

UploadAppender::~UploadAppender() {
    if (m_finished) {
        return;
    }
    // Leave the session as it was before this body.
    if (::ftruncate(m_fd.get(), static_cast<off_t>(m_start)) != 0) {
        log::warn("registry", "upload {}: truncate after an incomplete chunk: {}", m_session->id,
                  osError(errno));
    }
    std::lock_guard lock(m_session->mutex);
    m_session->hasher = std::move(m_session->checkpoint);
    m_session->checkpoint.reset();
    m_session->busy = false;
}

Status UploadAppender::write(std::string_view bytes) {
    if (m_failed) {
        return fail(ErrorCode::Internal, "upload " + m_session->id + ": write after a failure");
    }
    if (auto ok = writeAt(m_fd.get(), m_offset, bytes, m_session->path); !ok) {
        m_failed = true;
        return ok;
    }
    m_offset += bytes.size();
    if (m_offset - m_writtenBack >= WritebackStep) {
        // Starts writeback of what arrived so far without waiting for it (Linux).
        ::sync_file_range(m_fd.get(), static_cast<off_t>(m_writtenBack),
                          static_cast<off_t>(m_offset - m_writtenBack), SYNC_FILE_RANGE_WRITE);
        m_writtenBack = m_offset;
    }
    if (m_session->hasher) {
        m_session->hasher->update(bytes);
        m_session->hashed = m_offset;
    }
    return {};
}

Result<uint64_t> UploadAppender::finish() {
    if (m_failed) {
        return fail(ErrorCode::Internal, "upload " + m_session->id + ": a write failed");
    }
    m_finished = true;
    std::lock_guard lock(m_session->mutex);
    m_session->checkpoint.reset();
    m_session->busy = false;
    return m_offset;
}

Uploads::Uploads(RegistryDb& db, const BlobFiles& files, std::string root, const Clock& clock)
    : m_db(db), m_files(files), m_root(std::move(root)), m_clock(clock) {}

Uploads::~Uploads() = default;

Status Uploads::prepare() const {
    std::error_code ec;
    std::filesystem::create_directories(m_root, ec);
    if (ec) {
        return fail(ErrorCode::Internal, fmt::format("{}: {}", m_root, ec.message()));
    }
    return {};
}

std::string Uploads::pathOf(std::string_view id) const {
    return fmt::format("{}/{}", m_root, id);
}

Result<UploadStatus> Uploads::start(std::string_view repository) {
    auto session = std::make_shared<UploadSession>();
    session->id = newUuid();
    session->repository = std::string(repository);
    session->path = pathOf(session->id);
    session->hasher.emplace(DigestAlgorithm::Sha256);
    // The file first: a crash before the row leaves only a stray file, which expiry removes.
    int fd = ::open(session->path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        return fail(ErrorCode::Internal,
                    fmt::format("{}: create: {}", session->path, osError(errno)));
    }
    ::close(fd);
    int64_t now = unixSeconds(m_clock.now());
    auto recorded = m_db.writeRelaxed([&](DbConnection& db) -> Status {
        auto repositoryId = ensureRepository(db, repository, now);
        if (!repositoryId) {
            return std::unexpected(repositoryId.error());
        }
        auto insert = db.query("INSERT INTO uploads(id, repository_id, created) VALUES(?, ?, ?)");
        if (!insert) {
            return std::unexpected(insert.error());
        }
        return insert->bind(session->id).bind(*repositoryId).bind(now).run();
    });
    if (!recorded) {
        ::unlink(session->path.c_str());
        return std::unexpected(recorded.error());
    }
    std::lock_guard lock(m_mutex);
    m_sessions.emplace(session->id, session);
    return UploadStatus{session->id, 0};
}

Result<std::shared_ptr<UploadSession>> Uploads::find(std::string_view repository,
                                                     std::string_view id) {
    if (!isUploadId(id)) {
        return unknownUpload(id);
    }
    {
        std::lock_guard lock(m_mutex);
        auto found = m_sessions.find(std::string(id));
        if (found != m_sessions.end()) {
            if (found->second->repository != repository) {
                return unknownUpload(id);
            }
            return found->second;
        }
    }
    // Not in memory: a session from before a restart.
    auto owner = m_db.read([&](DbConnection& db) -> Result<std::optional<std::string>> {
        auto query = db.query("SELECT r.name FROM uploads u JOIN repositories r "
                              "ON r.id = u.repository_id WHERE u.id = ?");
        if (!query) {
            return std::unexpected(query.error());
        }
        query->bind(id);
        auto row = query->next();
        if (!row) {
            return std::unexpected(row.error());
        }
        return *row ? std::optional<std::string>(std::string(query->text(0))) : std::nullopt;
    });
    if (!owner) {
        return std::unexpected(owner.error());
    }
    if (!*owner || **owner != repository) {
        return unknownUpload(id);
    }
    auto session = std::make_shared<UploadSession>();
    session->id = std::string(id);
    session->repository = **owner;
    session->path = pathOf(id);
    struct stat st {};
    if (::stat(session->path.c_str(), &st) != 0) {
        return unknownUpload(id);
    }
    if (st.st_size == 0) {
        session->hasher.emplace(DigestAlgorithm::Sha256);
    }
    std::lock_guard lock(m_mutex);
    auto [it, inserted] = m_sessions.emplace(session->id, session);
    return it->second;
}

Result<UploadStatus> Uploads::status(std::string_view repository, std::string_view id) {
    auto session = find(repository, id);
    if (!session) {
        return std::unexpected(session.error());
    }
    struct stat st {};
    if (::stat((*session)->path.c_str(), &st) != 0) {
        return unknownUpload(id);
    }
    return UploadStatus{(*session)->id, static_cast<uint64_t>(st.st_size)};
}

Result<std::unique_ptr<UploadAppender>>
Uploads::append(std::string_view repository, std::string_view id, std::optional<uint64_t> start) {
    auto found = find(repository, id);
    if (!found) {
        return std::unexpected(found.error());
    }
    std::shared_ptr<UploadSession> session = *found;
    std::lock_guard lock(session->mutex);
    if (session->busy) {
        return fail(ErrorCode::Conflict, fmt::format("upload {} is in use", id));
    }
    int fd = ::open(session->path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        return errno == ENOENT ? unknownUpload(id)
                               : fail(ErrorCode::Internal,
                                      fmt::format("{}: open: {}", session->path, osError(errno)));
    }
    UniqueFd file(fd);
    auto size = fileSize(file.get(), session->path);
    if (!size) {
        return std::unexpected(size.error());
    }
    if (start && *start != *size) {
        return fail(ErrorCode::Conflict,
                    fmt::format("upload {}: chunk starts at {} but {} bytes were received", id,
                                *start, *size));
    }
    if (session->hasher && session->hashed != *size) {
        session->hasher.reset(); // out of step with the file: recompute when completing
    }
    session->checkpoint =
        session->hasher ? std::optional<Hasher>(session->hasher->clone()) : std::nullopt;
    session->busy = true;
    return std::unique_ptr<UploadAppender>(new UploadAppender(session, std::move(file), *size));
}

Result<BlobInfo> Uploads::complete(std::string_view repository, std::string_view id,
                                   const Digest& expected) {
    auto found = find(repository, id);
    if (!found) {
        return std::unexpected(found.error());
    }
    std::shared_ptr<UploadSession> session = *found;
    std::optional<Hasher> hasher;
    uint64_t hashed = 0;
    {
        std::lock_guard lock(session->mutex);
        if (session->busy) {
            return fail(ErrorCode::Conflict, fmt::format("upload {} is in use", id));
        }
        session->busy = true;
        hasher = std::move(session->hasher);
        hashed = session->hashed;
        session->hasher.reset();
    }
    BusyGuard busy(*session);
    int fd = ::open(session->path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        return unknownUpload(id);
    }
    UniqueFd file(fd);
    auto size = fileSize(file.get(), session->path);
    if (!size) {
        return std::unexpected(size.error());
    }
    Result<Digest> computed =
        hasher && hashed == *size && hasher->algorithm() == expected.algorithm()
            ? Result<Digest>(hasher->finish())
            : hashFile(file.get(), *size, expected.algorithm(), session->path);
    if (!computed) {
        return std::unexpected(computed.error());
    }
    if (!(*computed == expected)) {
        if (auto ok = discard(session); !ok) {
            log::warn("registry", "upload {}: {}", id, ok.error().message);
        }
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("digest {} does not match the uploaded content ({})",
                                expected.str(), computed->str()));
    }
    if (::fdatasync(file.get()) != 0) {
        return fail(ErrorCode::Internal,
                    fmt::format("{}: fsync: {}", session->path, osError(errno)));
    }
    file.reset();
    int64_t now = unixSeconds(m_clock.now());
    // The rename happens inside the write transaction: garbage collection deletes blob files
    // inside its own, so the two never interleave between "file in place" and "row recorded".
    auto committed = m_db.write([&](DbConnection& db) -> Status {
        auto repositoryId = ensureRepository(db, repository, now);
        if (!repositoryId) {
            return std::unexpected(repositoryId.error());
        }
        if (auto ok = m_files.install(session->path, expected); !ok) {
            return ok;
        }
        auto blob = db.query("INSERT INTO blobs(digest, size, created, touched) VALUES(?, ?, ?, ?) "
                             "ON CONFLICT DO UPDATE SET touched = excluded.touched");
        if (!blob) {
            return std::unexpected(blob.error());
        }
        if (auto ok = blob->bind(expected.str())
                          .bind(static_cast<int64_t>(*size))
                          .bind(now)
                          .bind(now)
                          .run();
            !ok) {
            return ok;
        }
        auto link =
            db.query("INSERT INTO repository_blobs(repository_id, digest, created) "
                     "VALUES(?, ?, ?) ON CONFLICT DO UPDATE SET created = excluded.created");
        if (!link) {
            return std::unexpected(link.error());
        }
        if (auto ok = link->bind(*repositoryId).bind(expected.str()).bind(now).run(); !ok) {
            return ok;
        }
        auto remove = db.query("DELETE FROM uploads WHERE id = ?");
        if (!remove) {
            return std::unexpected(remove.error());
        }
        return remove->bind(id).run();
    });
    if (!committed) {
        return std::unexpected(committed.error());
    }
    {
        std::lock_guard lock(m_mutex);
        m_sessions.erase(session->id);
    }
    return BlobInfo{expected, *size};
}

Status Uploads::discard(const std::shared_ptr<UploadSession>& session) {
    auto removed = m_db.writeRelaxed([&](DbConnection& db) -> Status {
        auto query = db.query("DELETE FROM uploads WHERE id = ?");
        if (!query) {
            return std::unexpected(query.error());
        }
        return query->bind(session->id).run();
    });
    ::unlink(session->path.c_str());
    std::lock_guard lock(m_mutex);
    m_sessions.erase(session->id);
    return removed;
}

Result<bool> Uploads::cancel(std::string_view repository, std::string_view id) {
    auto found = find(repository, id);
    if (!found) {
        if (found.error().code == ErrorCode::NotFound) {
            return false;
        }
        return std::unexpected(found.error());
    }
    {
        std::lock_guard lock((*found)->mutex);
        if ((*found)->busy) {
            return fail(ErrorCode::Conflict, fmt::format("upload {} is in use", id));
        }
        (*found)->busy = true;
    }
    if (auto ok = discard(*found); !ok) {
        return std::unexpected(ok.error());
    }
    return true;
}

Result<size_t> Uploads::expire(TimePoint cutoff) {
    auto rows = m_db.read([&](DbConnection& db) -> Result<std::vector<std::string>> {
        auto query = db.query("SELECT u.id, r.name FROM uploads u JOIN repositories r "
                              "ON r.id = u.repository_id");
        if (!query) {
            return std::unexpected(query.error());
        }
        std::vector<std::string> out;
        for (;;) {
            auto row = query->next();
            if (!row) {
                return std::unexpected(row.error());
            }
            if (!*row) {
                return out;
            }
            out.emplace_back(query->text(0));
            out.emplace_back(query->text(1));
        }
    });
    if (!rows) {
        return std::unexpected(rows.error());
    }
    auto cutoffTime = std::chrono::system_clock::to_time_t(cutoff);
    auto idle = [&](const std::string& path) {
        struct stat st {};
        return ::stat(path.c_str(), &st) != 0 || st.st_mtime < cutoffTime;
    };
    size_t expired = 0;
    std::unordered_map<std::string, bool> known;
    for (size_t i = 0; i + 1 < rows->size(); i += 2) {
        const std::string& id = (*rows)[i];
        known.emplace(id, true);
        if (!idle(pathOf(id))) {
            continue;
        }
        auto cancelled = cancel((*rows)[i + 1], id);
        if (cancelled && *cancelled) {
            ++expired;
        }
    }
    // Files whose session row never made it (a crash inside `start`).
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(m_root, ec)) {
        std::string name = entry.path().filename().string();
        if (known.contains(name) || !idle(entry.path().string())) {
            continue;
        }
        std::lock_guard lock(m_mutex);
        if (!m_sessions.contains(name) && ::unlink(entry.path().c_str()) == 0) {
            ++expired;
        }
    }
    return expired;
}

} // namespace pilot::registry
