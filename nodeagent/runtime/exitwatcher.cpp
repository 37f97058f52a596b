#include "nodeagent/runtime/exitwatcher.h"

#include "core/log.h"
#include "core/threadname.h"
#include "nodeagent/runtime/fileutil.h"

#include <cerrno>
#include <string>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

namespace pilot::agent {

ExitWatcher::ExitWatcher(std::string directory, Callback callback)
    : m_directory(std::move(directory)), m_callback(std::move(callback)) {}

ExitWatcher::~ExitWatcher() {
    stop();
}

Status ExitWatcher::start() {
    if (auto made = makeDirectories(m_directory); !made) {
        return made;
    }
    m_inotify = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (m_inotify < 0) {
        return fail(ErrorCode::Internal, osError("inotify_init1", m_directory, errno));
    }
    if (::inotify_add_watch(m_inotify, m_directory.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
        int error = errno;
        ::close(m_inotify);
        m_inotify = -1;
        return fail(ErrorCode::Internal, osError("inotify_add_watch", m_directory, error));
    }
    if (::pipe2(m_wakeup, O_CLOEXEC | O_NONBLOCK) != 0) {
        return fail(ErrorCode::Internal, osError("pipe", m_directory, errno));
    }
    m_thread = std::thread([this] {
        setThreadName("exit-watcher");
        scan();
        run();
    });
    return {};
}

void ExitWatcher::stop() {
    if (m_stopping.exchange(true)) {
        return;
    }
    if (m_wakeup[1] >= 0) {
        char c = 0;
        [[maybe_unused]] ssize_t n = ::write(m_wakeup[1], &c, 1);
    }
    if (m_thread.joinable()) {
        m_thread.join();
    }
    for (int fd : {m_inotify, m_wakeup[0], m_wakeup[1]}) {
        if (fd >= 0) {
            ::close(fd);
        }
    }
    m_inotify = m_wakeup[0] = m_wakeup[1] = -1;
}

void ExitWatcher::scan() {
    std::vector<std::string> names;
    if (DIR* dir = ::opendir(m_directory.c_str())) {
        while (dirent* entry = ::readdir(dir)) {
            std::string name = entry->d_name;
            if (name == "." || name == ".." || name.find(".tmp") != std::string::npos) {
                continue;
            }
            names.push_back(std::move(name));
        }
        ::closedir(dir);
    }
    for (const std::string& name : names) {
        ::unlink((m_directory + "/" + name).c_str());
        m_callback(name);
    }
}

void ExitWatcher::run() {
    alignas(inotify_event) char buffer[4096];
    while (!m_stopping) {
        pollfd fds[2] = {{m_inotify, POLLIN, 0}, {m_wakeup[0], POLLIN, 0}};
        int ready = ::poll(fds, 2, -1);
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        if (ready < 0 || (fds[1].revents & POLLIN) || m_stopping) {
            return;
        }
        bool overflow = false;
        while (true) {
            ssize_t n = ::read(m_inotify, buffer, sizeof buffer);
            if (n <= 0) {
                break;
            }
            for (char* p = buffer; p < buffer + n;) {
                auto* event = reinterpret_cast<inotify_event*>(p);
                p += sizeof(inotify_event) + event->len;
                if (event->mask & IN_Q_OVERFLOW) {
                    overflow = true;
                }
            }
        }
        // Whatever the events said, the directory is the truth (this also covers overflows).
        (void)overflow;
        scan();
    }
}

} // namespace pilot::agent
