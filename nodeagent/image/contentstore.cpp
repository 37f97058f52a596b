#include "nodeagent/image/contentstore.h"

#include "core/random.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace pilot::agent::image {

namespace fs = std::filesystem;

namespace {

Error ioError(std::string_view what, const std::string& path, int err) {
    return Error{ErrorCode::Internal, fmt::format("{} {}: {}", what, path, std::strerror(err))};
}

} // namespace

ContentStore::ContentStore(std::string root) : m_root(std::move(root)) {}

Result<std::unique_ptr<ContentStore>> ContentStore::open(std::string root) {
    std::error_code ec;
    fs::create_directories(root + "/blobs/sha256", ec);
    if (!ec) {
        fs::create_directories(root + "/ingest", ec);
    }
    if (ec) {
        return fail(ErrorCode::Internal, fmt::format("content store {}: {}", root, ec.message()));
    }
    // Leftovers of writers interrupted by a crash.
    for (const auto& entry : fs::directory_iterator(root + "/ingest", ec)) {
        std::error_code ignored;
        fs::remove(entry.path(), ignored);
    }
    return std::unique_ptr<ContentStore>(new ContentStore(std::move(root)));
}

std::string ContentStore::path(const Digest& digest) const {
    return fmt::format("{}/blobs/{}/{}", m_root, digest.algorithm, digest.hex);
}

bool ContentStore::has(const Digest& digest) const {
    struct stat st {};
    return ::stat(path(digest).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Result<uint64_t> ContentStore::size(const Digest& digest) const {
    struct stat st {};
    if (::stat(path(digest).c_str(), &st) != 0) {
        return fail(ErrorCode::NotFound, "blob " + digest.str() + " not in the content store");
    }
    return static_cast<uint64_t>(st.st_size);
}

ContentStore::Writer::Writer(ContentStore& store, int fd, std::string tempPath, bool sync)
    : m_store(store), m_fd(fd), m_sync(sync), m_tempPath(std::move(tempPath)) {}

ContentStore::Writer::~Writer() {
    if (m_fd >= 0) {
        ::close(m_fd);
        ::unlink(m_tempPath.c_str());
    }
}

Status ContentStore::Writer::write(const char* data, size_t size) {
    m_hash.update(data, size);
    m_written += size;
    while (size > 0) {
        ssize_t n = ::write(m_fd, data, size);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return std::unexpected(ioError("cannot write", m_tempPath, errno));
        }
        data += n;
        size -= static_cast<size_t>(n);
    }
    return {};
}

Status ContentStore::Writer::commit(const Digest& expected, int64_t expectedSize) {
    auto discard = [&] {
        ::close(m_fd);
        m_fd = -1;
        ::unlink(m_tempPath.c_str());
    };
    if (expectedSize >= 0 && m_written != static_cast<uint64_t>(expectedSize)) {
        discard();
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("blob {}: size {} does not match the descriptor's {}",
                                expected.str(), m_written, expectedSize));
    }
    Digest actual = m_hash.finish();
    if (actual != expected) {
        discard();
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("blob {}: content digest is {} (corrupt or tampered download)",
                                expected.str(), actual.str()));
    }
    if (m_sync && ::fdatasync(m_fd) != 0) {
        int err = errno;
        discard();
        return std::unexpected(ioError("cannot flush", m_tempPath, err));
    }
    ::close(m_fd);
    m_fd = -1;
    std::string target = m_store.path(expected);
    if (::rename(m_tempPath.c_str(), target.c_str()) != 0) {
        int err = errno;
        ::unlink(m_tempPath.c_str());
        return std::unexpected(ioError("cannot store", target, err));
    }
    return {};
}

Result<std::unique_ptr<ContentStore::Writer>> ContentStore::openWriter(bool sync) {
    std::string temp = fmt::format("{}/ingest/{}", m_root, randomHex(12));
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        return std::unexpected(ioError("cannot create", temp, errno));
    }
    return std::unique_ptr<Writer>(new Writer(*this, fd, std::move(temp), sync));
}

Status ContentStore::put(const Digest& digest, std::string_view data) {
    auto writer = openWriter();
    if (!writer) {
        return std::unexpected(writer.error());
    }
    if (auto status = (*writer)->write(data.data(), data.size()); !status) {
        return status;
    }
    return (*writer)->commit(digest, static_cast<int64_t>(data.size()));
}

Result<std::string> ContentStore::read(const Digest& digest, size_t limit) const {
    std::string file = path(digest);
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) {
            return fail(ErrorCode::NotFound, "blob " + digest.str() + " not in the content store");
        }
        return std::unexpected(ioError("cannot open", file, errno));
    }
    std::string out;
    char buffer[65536];
    while (true) {
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        if (out.size() + static_cast<size_t>(n) > limit) {
            ::close(fd);
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("blob {} larger than {} bytes", digest.str(), limit));
        }
        out.append(buffer, static_cast<size_t>(n));
    }
    ::close(fd);
    if (sha256Of(out) != digest) {
        return fail(ErrorCode::Internal, "blob " + digest.str() + " is corrupt on disk");
    }
    return out;
}

Status ContentStore::remove(const Digest& digest) {
    std::string file = path(digest);
    if (::unlink(file.c_str()) != 0 && errno != ENOENT) {
        return std::unexpected(ioError("cannot remove", file, errno));
    }
    return {};
}

std::vector<Digest> ContentStore::list() const {
    std::vector<Digest> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(m_root + "/blobs/sha256", ec)) {
        auto digest = parseDigest("sha256:" + entry.path().filename().string());
        if (digest) {
            out.push_back(*digest);
        }
    }
    return out;
}

} // namespace pilot::agent::image
