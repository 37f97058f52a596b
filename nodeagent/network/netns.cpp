#include "nodeagent/network/netns.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

namespace pilot::agent::network {

namespace fs = std::filesystem;

bool isNetworkNamespace(const std::string& path) {
    struct statfs st {};
    return ::statfs(path.c_str(), &st) == 0 && static_cast<unsigned long>(st.f_type) == NSFS_MAGIC;
}

Result<std::string> createNetworkNamespace(const std::string& dir, const std::string& name) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
        return fail(ErrorCode::Internal, fmt::format("cannot create {}: {}", dir, ec.message()));
    }
    std::string path = dir + "/" + name;
    if (isNetworkNamespace(path)) {
        return fail(ErrorCode::AlreadyExists, "network namespace " + path + " already exists");
    }
    int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0444);
    if (fd < 0) {
        return fail(ErrorCode::Internal,
                    fmt::format("cannot create {}: {}", path, std::strerror(errno)));
    }
    ::close(fd);
    // A namespace belongs to a thread: a short-lived thread unshares and pins its new namespace
    // on the file, leaving every other thread of the agent where it was.
    int error = 0;
    std::string step;
    std::thread worker([&] {
        if (::unshare(CLONE_NEWNET) != 0) {
            error = errno;
            step = "unshare(CLONE_NEWNET)";
            return;
        }
        std::string self = fmt::format("/proc/self/task/{}/ns/net", ::syscall(SYS_gettid));
        if (::mount(self.c_str(), path.c_str(), "none", MS_BIND, nullptr) != 0) {
            error = errno;
            step = "bind mount of " + self;
        }
    });
    worker.join();
    if (error != 0) {
        ::unlink(path.c_str());
        return fail(error == EPERM ? ErrorCode::Forbidden : ErrorCode::Internal,
                    fmt::format("network namespace {}: {}: {}", path, step, std::strerror(error)));
    }
    return path;
}

Status removeNetworkNamespace(const std::string& path) {
    if (::umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
        return fail(ErrorCode::Internal,
                    fmt::format("cannot unmount {}: {}", path, std::strerror(errno)));
    }
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
        return fail(ErrorCode::Internal,
                    fmt::format("cannot remove {}: {}", path, std::strerror(errno)));
    }
    return {};
}

} // namespace pilot::agent::network
