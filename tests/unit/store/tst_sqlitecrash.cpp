// Durability across a real crash: a child process writes under load and reports each
// acknowledged write through a pipe; the parent SIGKILLs it mid-load, reopens the database and
// checks that every acknowledged write is there.

#include "engine/store/store.h"

#include "tests/unit/store/storetestutil.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <map>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace pilot::store::test {
namespace {

/// One acknowledged write, as the child reports it (well under PIPE_BUF: writes are atomic).
struct Ack {
    int32_t thread = 0;
    int32_t index = 0;
    int32_t op = 0; // Write::Op
    int32_t padding = 0;
    int64_t revision = 0;
};

constexpr int kChildThreads = 8;
constexpr size_t kAcksBeforeKill = 600;
/// Large enough that no history is compacted during the test: all of it is checked.
constexpr int64_t kRetention = 10'000'000;

std::string crashKey(int thread, int index) {
    return "/registry/crash/t" + std::to_string(thread) + "/k" + std::to_string(index);
}

std::string crashValue(int thread, int index, Write::Op op) {
    return crashKey(thread, index) + "#" + std::to_string(static_cast<int>(op));
}

/// The child: each thread creates a key, updates it, deletes every third one, and reports each
/// acknowledged write, forever. Never returns.
[[noreturn]] void runChild(const std::string& path, int ackFd) {
    auto store = makeSqliteStore(SqliteOptions{path, kRetention});
    if (!store->open()) {
        _exit(2);
    }
    std::vector<std::thread> threads;
    for (int t = 0; t < kChildThreads; ++t) {
        threads.emplace_back([&store, ackFd, t] {
            for (int i = 0;; ++i) {
                const std::string key = crashKey(t, i);
                std::vector<Write> writes{makeCreate(key, crashValue(t, i, Write::Op::Create)),
                                          makeUpdate(key, crashValue(t, i, Write::Op::Update))};
                if (i % 3 == 0) {
                    writes.push_back(makeDelete(key));
                }
                for (auto& write : writes) {
                    const auto op = write.op;
                    auto result = store->write(std::move(write));
                    if (!result) {
                        _exit(3);
                    }
                    const Ack ack{t, i, static_cast<int32_t>(op), 0, result->revision};
                    if (::write(ackFd, &ack, sizeof ack) != static_cast<ssize_t>(sizeof ack)) {
                        _exit(4);
                    }
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    _exit(5);
}

/// Kills and reaps the child if the test bails out early.
class ChildGuard {
public:
    explicit ChildGuard(pid_t pid) : m_pid(pid) {}
    ~ChildGuard() {
        if (m_pid > 0) {
            kill(m_pid, SIGKILL);
            waitpid(m_pid, nullptr, 0);
        }
    }
    ChildGuard(const ChildGuard&) = delete;
    ChildGuard& operator=(const ChildGuard&) = delete;

    /// SIGKILLs the child and returns its wait status.
    int killAndReap() {
        kill(m_pid, SIGKILL);
        int status = 0;
        waitpid(m_pid, &status, 0);
        m_pid = -1;
        return status;
    }

private:
    pid_t m_pid;
};

TEST(SqliteStoreCrash, KillNineLosesNoAcknowledgedWrite) {
    TempDir dir;
    const std::string path = dir.file("crash.db");
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        runChild(path, fds[1]);
    }
    close(fds[1]);
    ChildGuard child(pid);

    std::vector<Ack> acks;
    std::string buffer;
    bool killed = false;
    int status = 0;
    char chunk[4096];
    for (;;) {
        const ssize_t got = read(fds[0], chunk, sizeof chunk);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            break; // EOF: the child is gone (killed, or failed on its own)
        }
        buffer.append(chunk, static_cast<size_t>(got));
        while (buffer.size() >= sizeof(Ack)) {
            Ack ack;
            std::memcpy(&ack, buffer.data(), sizeof ack);
            buffer.erase(0, sizeof ack);
            acks.push_back(ack);
        }
        if (!killed && acks.size() >= kAcksBeforeKill) {
            status = child.killAndReap(); // mid-load: the child's threads are still writing
            killed = true;
        }
    }
    close(fds[0]);
    if (!killed) {
        status = child.killAndReap();
    }
    ASSERT_TRUE(killed) << "child stopped early, status " << status;
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
    ASSERT_GE(acks.size(), kAcksBeforeKill);

    auto store = makeSqliteStore(SqliteOptions{path, kRetention});
    auto opened = store->open();
    ASSERT_TRUE(opened) << opened.error().message;
    auto history = store->eventsSince(0, "");
    ASSERT_TRUE(history) << history.error().message;

    // The history holds every revision up to the current one, without gaps.
    const int64_t current = store->currentRevision();
    ASSERT_EQ(history->size(), static_cast<size_t>(current));
    std::map<int64_t, const Event*> byRevision;
    std::map<std::string, const Event*> lastByKey;
    for (size_t i = 0; i < history->size(); ++i) {
        const Event& event = (*history)[i];
        ASSERT_EQ(event.revision, static_cast<int64_t>(i + 1));
        byRevision[event.revision] = &event;
        lastByKey[event.key] = &event;
    }

    // Every acknowledged write is in the history, at the revision it was acknowledged with.
    for (const Ack& ack : acks) {
        ASSERT_LE(ack.revision, current);
        const Event* event = byRevision[ack.revision];
        ASSERT_NE(event, nullptr);
        const auto op = static_cast<Write::Op>(ack.op);
        EXPECT_EQ(event->key, crashKey(ack.thread, ack.index)) << "revision " << ack.revision;
        EXPECT_EQ(event->type, op == Write::Op::Delete ? EventType::Delete : EventType::Put);
        if (op != Write::Op::Delete) {
            EXPECT_EQ(event->value, crashValue(ack.thread, ack.index, op));
        }
    }

    // The objects agree with the history: each key holds its last event's state.
    for (const auto& [key, event] : lastByKey) {
        auto got = store->get(key);
        if (event->type == EventType::Delete) {
            EXPECT_EQ(got.error().code, ErrorCode::NotFound) << key;
            continue;
        }
        ASSERT_TRUE(got) << key;
        EXPECT_EQ(got->value, event->value) << key;
        EXPECT_EQ(got->modRevision, event->revision) << key;
    }

    // And the store keeps going from where it stopped.
    auto next = store->write(makeCreate("/registry/crash/after", "v"));
    ASSERT_TRUE(next) << next.error().message;
    EXPECT_EQ(next->revision, current + 1);
}

} // namespace
} // namespace pilot::store::test
