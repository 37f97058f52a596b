#pragma once

#include "core/error.h"

#include <atomic>
#include <functional>
#include <string>
#include <thread>

/// Watches a directory into which container monitors drop one empty marker file per exited
/// container (MonitorSpec::exitDir/exitName) and reports each marker once, then removes it.
/// Markers present at start are reported too, so exits that happened while the agent was down
/// are not lost. One thread blocked in inotify; the callback runs on it.
namespace pilot::agent {

class ExitWatcher {
public:
    using Callback = std::function<void(const std::string& name)>;

    ExitWatcher(std::string directory, Callback callback);
    ~ExitWatcher();
    ExitWatcher(const ExitWatcher&) = delete;
    ExitWatcher& operator=(const ExitWatcher&) = delete;

    /// Creates the directory if needed and starts watching.
    [[nodiscard]] Status start();
    void stop();

private:
    void run();
    void scan();

    std::string m_directory;
    Callback m_callback;
    int m_inotify = -1;
    int m_wakeup[2] = {-1, -1};
    std::atomic<bool> m_stopping{false};
    std::thread m_thread;
};

} // namespace pilot::agent
