#include "nodeagent/runtime/fileutil.h"

#include "kube/jsonutil.h"

#include <fmt/format.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pilot::agent {

std::string osError(std::string_view call, std::string_view path, int error) {
    return fmt::format("{} {}: {}", call, path, std::strerror(error));
}

Status writeFileAtomically(const std::string& path, std::string_view content, mode_t mode,
                           bool durable) {
    static std::atomic<unsigned> counter{0};
    std::string temp = fmt::format("{}.tmp{}.{}", path, ::getpid(), counter++);
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        return fail(ErrorCode::Internal, osError("open", temp, errno));
    }
    ::fchmod(fd, mode);
    size_t written = 0;
    while (written < content.size()) {
        ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            int error = errno;
            ::close(fd);
            ::unlink(temp.c_str());
            return fail(ErrorCode::Internal, osError("write", temp, error));
        }
        written += static_cast<size_t>(n);
    }
    if (durable && ::fsync(fd) != 0) {
        int error = errno;
        ::close(fd);
        ::unlink(temp.c_str());
        return fail(ErrorCode::Internal, osError("fsync", temp, error));
    }
    ::close(fd);
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        int error = errno;
        ::unlink(temp.c_str());
        return fail(ErrorCode::Internal, osError("rename", path, error));
    }
    return {};
}

Result<std::string> readFile(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int error = errno;
        return fail(error == ENOENT ? ErrorCode::NotFound : ErrorCode::Internal,
                    osError("open", path, error));
    }
    std::string out;
    char buffer[8192];
    while (true) {
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            int error = errno;
            ::close(fd);
            return fail(ErrorCode::Internal, osError("read", path, error));
        }
        if (n == 0) {
            break;
        }
        out.append(buffer, static_cast<size_t>(n));
    }
    ::close(fd);
    return out;
}

Result<boost::json::value> readJsonFile(const std::string& path) {
    auto text = readFile(path);
    if (!text) {
        return std::unexpected(text.error());
    }
    boost::system::error_code ec;
    boost::json::value value = kube::parseJsonText(*text, ec);
    if (ec) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("{}: malformed JSON: {}", path, ec.message()));
    }
    return value;
}

Status makeDirectories(const std::string& path, mode_t mode) {
    if (path.empty()) {
        return {};
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            return {};
        }
        return fail(ErrorCode::AlreadyExists,
                    fmt::format("{}: exists and is not a directory", path));
    }
    size_t slash = path.find_last_of('/');
    if (slash != std::string::npos && slash > 0) {
        if (auto parent = makeDirectories(path.substr(0, slash), mode); !parent) {
            return parent;
        }
    }
    if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) {
        return fail(ErrorCode::Internal, osError("mkdir", path, errno));
    }
    return {};
}

Status removeTree(const std::string& path) {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
    if (ec && ec != std::errc::no_such_file_or_directory) {
        return fail(ErrorCode::Internal, fmt::format("remove {}: {}", path, ec.message()));
    }
    return {};
}

std::vector<std::string> listDirectory(const std::string& directory) {
    std::vector<std::string> out;
    if (DIR* dir = ::opendir(directory.c_str())) {
        while (dirent* entry = ::readdir(dir)) {
            std::string name = entry->d_name;
            if (name != "." && name != "..") {
                out.push_back(std::move(name));
            }
        }
        ::closedir(dir);
    }
    return out;
}

} // namespace pilot::agent
