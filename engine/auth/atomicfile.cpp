#include "engine/auth/atomicfile.h"

#include <fmt/format.h>

#include <cerrno>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace pilot::auth {

namespace {

std::string osError(int error) {
    return std::error_code(error, std::generic_category()).message();
}

/// Closes the descriptor and removes the temporary file unless `release()` was called.
class TempFile {
public:
    TempFile(int fd, std::string path) : m_fd(fd), m_path(std::move(path)) {}
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile() {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
        if (!m_path.empty()) {
            ::unlink(m_path.c_str());
        }
    }

    [[nodiscard]] int fd() const { return m_fd; }
    [[nodiscard]] const std::string& path() const { return m_path; }
    int close() {
        int rc = ::close(m_fd);
        m_fd = -1;
        return rc;
    }
    void release() { m_path.clear(); }

private:
    int m_fd;
    std::string m_path;
};

} // namespace

Status writeFileAtomically(const std::string& path, std::string_view content, mode_t mode) {
    std::filesystem::path target(path);
    std::filesystem::path directory = target.parent_path();
    if (directory.empty()) {
        directory = ".";
    }
    std::string pattern = (directory / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
    int fd = ::mkstemp(pattern.data());
    if (fd < 0) {
        return fail(ErrorCode::Internal,
                    fmt::format("{}: cannot create temporary file: {}", path, osError(errno)));
    }
    TempFile temp(fd, pattern);
    if (::fchmod(temp.fd(), mode) != 0) {
        return fail(ErrorCode::Internal, fmt::format("{}: chmod: {}", path, osError(errno)));
    }
    const char* data = content.data();
    size_t left = content.size();
    while (left > 0) {
        ssize_t written = ::write(temp.fd(), data, left);
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            return fail(ErrorCode::Internal, fmt::format("{}: write: {}", path, osError(errno)));
        }
        data += written;
        left -= static_cast<size_t>(written);
    }
    if (::fsync(temp.fd()) != 0) {
        return fail(ErrorCode::Internal, fmt::format("{}: fsync: {}", path, osError(errno)));
    }
    if (temp.close() != 0) {
        return fail(ErrorCode::Internal, fmt::format("{}: close: {}", path, osError(errno)));
    }
    if (::rename(temp.path().c_str(), path.c_str()) != 0) {
        return fail(ErrorCode::Internal, fmt::format("{}: rename: {}", path, osError(errno)));
    }
    temp.release();
    // Make the rename itself durable; a failure here leaves a complete file, so it is not fatal.
    int dirFd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirFd >= 0) {
        ::fsync(dirFd);
        ::close(dirFd);
    }
    return {};
}

Result<std::string> readWholeFile(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int error = errno;
        return fail(error == ENOENT ? ErrorCode::NotFound : ErrorCode::Internal,
                    fmt::format("{}: {}", path, osError(error)));
    }
    std::string content;
    char buffer[16384];
    for (;;) {
        ssize_t got = ::read(fd, buffer, sizeof(buffer));
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            int error = errno;
            ::close(fd);
            return fail(ErrorCode::Internal, fmt::format("{}: read: {}", path, osError(error)));
        }
        if (got == 0) {
            break;
        }
        content.append(buffer, static_cast<size_t>(got));
    }
    ::close(fd);
    return content;
}

} // namespace pilot::auth
