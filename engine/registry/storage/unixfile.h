#pragma once

#include "core/error.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace pilot::registry {

/// An owned POSIX file descriptor, closed on destruction. Movable, not copyable.
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : m_fd(fd) {}
    ~UniqueFd();
    UniqueFd(UniqueFd&& other) noexcept;
    UniqueFd& operator=(UniqueFd&& other) noexcept;
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    [[nodiscard]] int get() const { return m_fd; }
    [[nodiscard]] explicit operator bool() const { return m_fd >= 0; }
    void reset();

private:
    int m_fd = -1;
};

/// The text of an errno value.
[[nodiscard]] std::string osError(int error);

/// Opens `path` read-only; NotFound when it does not exist.
[[nodiscard]] Result<UniqueFd> openForReading(const std::string& path);
/// Size of an open file.
[[nodiscard]] Result<uint64_t> fileSize(int fd, std::string_view what);
/// Writes all of `bytes` at `offset` (retrying short writes and EINTR).
[[nodiscard]] Status writeAt(int fd, uint64_t offset, std::string_view bytes,
                             std::string_view what);
/// Reads up to `size` bytes at `offset` into `buffer`; 0 at end of file.
[[nodiscard]] Result<size_t> readAt(int fd, uint64_t offset, char* buffer, size_t size,
                                    std::string_view what);
/// fsync(2) of a directory, so that a rename or unlink in it survives a power loss.
[[nodiscard]] Status syncDirectory(const std::string& path);

} // namespace pilot::registry
