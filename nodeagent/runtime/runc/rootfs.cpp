#include "nodeagent/runtime/runc/rootfs.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace pilot::agent::runc {

namespace {

constexpr size_t MaxMountOptions = 4000; // A page, less a margin.

int openInRoot(int rootFd, const std::string& path, int flags) {
    open_how how{};
    how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    size_t first = path.find_first_not_of('/');
    std::string relative = first == std::string::npos ? std::string(".") : path.substr(first);
    return static_cast<int>(::syscall(SYS_openat2, rootFd, relative.c_str(), &how, sizeof how));
}

std::string parentOf(const std::string& path) {
    size_t slash = path.rfind('/');
    return slash == std::string::npos || slash == 0 ? std::string("/") : path.substr(0, slash);
}

} // namespace

Status mountOverlay(const std::vector<std::string>& lowerDirs, const std::string& upperDir,
                    const std::string& workDir, const std::string& target,
                    const std::string& emptyDir) {
    std::vector<std::string> lowers = lowerDirs;
    if (lowers.empty()) {
        lowers.push_back(emptyDir);
    }
    // overlayfs lists the topmost lower directory first.
    auto join = [&](bool relative, const std::string& base) {
        std::string out;
        for (auto it = lowers.rbegin(); it != lowers.rend(); ++it) {
            std::string dir = relative ? it->substr(base.size() + 1) : *it;
            out += (out.empty() ? "" : ":") + dir;
        }
        return out;
    };
    std::string options =
        fmt::format("lowerdir={},upperdir={},workdir={}", join(false, {}), upperDir, workDir);
    if (options.size() <= MaxMountOptions) {
        if (::mount("overlay", target.c_str(), "overlay", 0, options.c_str()) != 0) {
            return fail(ErrorCode::Internal,
                        fmt::format("mount overlay on {}: {}", target, std::strerror(errno)));
        }
        return {};
    }
    std::string base = parentOf(lowers.front());
    for (const auto& dir : lowers) {
        if (parentOf(dir) != base) {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("mount overlay on {}: {} layers do not fit in one mount",
                                    target, lowers.size()));
        }
    }
    options =
        fmt::format("lowerdir={},upperdir={},workdir={}", join(true, base), upperDir, workDir);
    if (options.size() > MaxMountOptions) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("mount overlay on {}: {} layers do not fit in one mount", target,
                                lowers.size()));
    }
    // Relative lower directories resolve against the working directory, which is shared by all
    // threads: mount from a child process instead.
    pid_t pid = ::fork();
    if (pid == 0) {
        if (::chdir(base.c_str()) != 0) {
            ::_exit(errno);
        }
        if (::mount("overlay", target.c_str(), "overlay", 0, options.c_str()) != 0) {
            ::_exit(errno);
        }
        ::_exit(0);
    }
    if (pid < 0) {
        return fail(ErrorCode::Internal, fmt::format("fork: {}", std::strerror(errno)));
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        return fail(ErrorCode::Internal,
                    fmt::format("mount overlay on {}: {}", target,
                                std::strerror(WIFEXITED(status) ? WEXITSTATUS(status) : EIO)));
    }
    return {};
}

Status unmountIfMounted(const std::string& target) {
    if (::umount2(target.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
        return fail(ErrorCode::Internal,
                    fmt::format("unmount {}: {}", target, std::strerror(errno)));
    }
    return {};
}

Result<std::string> readFileInRoot(const std::string& root, const std::string& path, size_t limit) {
    int rootFd = ::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootFd < 0) {
        return fail(ErrorCode::Internal, fmt::format("open {}: {}", root, std::strerror(errno)));
    }
    int fd = openInRoot(rootFd, path, O_RDONLY);
    int openError = errno;
    ::close(rootFd);
    if (fd < 0) {
        return fail(openError == ENOENT ? ErrorCode::NotFound : ErrorCode::Internal,
                    fmt::format("open {} in {}: {}", path, root, std::strerror(openError)));
    }
    std::string out;
    char buffer[16384];
    while (out.size() < limit) {
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        out.append(buffer, static_cast<size_t>(n));
    }
    ::close(fd);
    if (out.size() > limit) {
        out.resize(limit);
    }
    return out;
}

Status makeDirectoryInRoot(const std::string& root, const std::string& path) {
    int dirFd = ::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dirFd < 0) {
        return fail(ErrorCode::Internal, fmt::format("open {}: {}", root, std::strerror(errno)));
    }
    int rootFd = ::dup(dirFd);
    std::string walked;
    size_t start = 0;
    Status result;
    while (start < path.size()) {
        size_t slash = path.find('/', start);
        std::string part = path.substr(start, slash - start);
        start = slash == std::string::npos ? path.size() : slash + 1;
        if (part.empty() || part == ".") {
            continue;
        }
        walked += "/" + part;
        int next = openInRoot(rootFd, walked, O_PATH | O_DIRECTORY);
        if (next < 0 && errno == ENOENT) {
            if (::mkdirat(dirFd, part.c_str(), 0755) != 0 && errno != EEXIST) {
                result = fail(ErrorCode::Internal, fmt::format("mkdir {} in {}: {}", walked, root,
                                                               std::strerror(errno)));
                break;
            }
            next = openInRoot(rootFd, walked, O_PATH | O_DIRECTORY);
        }
        if (next < 0) {
            result = fail(ErrorCode::InvalidArgument,
                          fmt::format("{} in {}: {}", walked, root, std::strerror(errno)));
            break;
        }
        ::close(dirFd);
        dirFd = next;
    }
    ::close(dirFd);
    ::close(rootFd);
    return result;
}

} // namespace pilot::agent::runc
