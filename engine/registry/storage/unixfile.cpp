#include "engine/registry/storage/unixfile.h"

#include <fmt/format.h>

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>
#include <utility>

namespace pilot::registry {

UniqueFd::~UniqueFd() {
    reset();
}

UniqueFd::UniqueFd(UniqueFd&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
        reset();
        m_fd = std::exchange(other.m_fd, -1);
    }
    return *this;
}

void UniqueFd::reset() {
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
}

std::string osError(int error) {
    return std::error_code(error, std::generic_category()).message();
}

Result<UniqueFd> openForReading(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int error = errno;
        return fail(error == ENOENT ? ErrorCode::NotFound : ErrorCode::Internal,
                    fmt::format("{}: {}", path, osError(error)));
    }
    return UniqueFd(fd);
}

Result<uint64_t> fileSize(int fd, std::string_view what) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        return fail(ErrorCode::Internal, fmt::format("{}: stat: {}", what, osError(errno)));
    }
    return static_cast<uint64_t>(st.st_size);
}

Status writeAt(int fd, uint64_t offset, std::string_view bytes, std::string_view what) {
    const char* data = bytes.data();
    size_t left = bytes.size();
    while (left > 0) {
        ssize_t written = ::pwrite(fd, data, left, static_cast<off_t>(offset));
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            return fail(errno == ENOSPC ? ErrorCode::Unavailable : ErrorCode::Internal,
                        fmt::format("{}: write: {}", what, osError(errno)));
        }
        data += written;
        left -= static_cast<size_t>(written);
        offset += static_cast<uint64_t>(written);
    }
    return {};
}

Result<size_t> readAt(int fd, uint64_t offset, char* buffer, size_t size, std::string_view what) {
    for (;;) {
        ssize_t got = ::pread(fd, buffer, size, static_cast<off_t>(offset));
        if (got >= 0) {
            return static_cast<size_t>(got);
        }
        if (errno != EINTR) {
            return fail(ErrorCode::Internal, fmt::format("{}: read: {}", what, osError(errno)));
        }
    }
}

Status syncDirectory(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return fail(ErrorCode::Internal, fmt::format("{}: open: {}", path, osError(errno)));
    }
    int rc = ::fsync(fd);
    int error = errno;
    ::close(fd);
    if (rc != 0) {
        return fail(ErrorCode::Internal, fmt::format("{}: fsync: {}", path, osError(error)));
    }
    return {};
}

} // namespace pilot::registry
