#pragma once

#include "core/error.h"
#include "nodeagent/runtime/containermonitor.h"
#include "nodeagent/runtime/exitwatcher.h"
#include "nodeagent/runtime/fileutil.h"
#include "nodeagent/runtime/runtime.h"

#include <boost/json/object.hpp>
#include <fmt/format.h>

#include <chrono>
#include <concepts>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

/// The containers of a runtime whose containers run under a container monitor
/// (containermonitor.h): what the process and runc runtimes share.
namespace pilot::agent {

/// What every monitored container has, whatever the runtime: its own directory
/// (ROOT/containers/<id>) with `container.json` and the monitor's state in `monitor/`.
/// Runtimes derive their container record from it.
struct MonitoredContainer {
    std::string id;
    std::string sandboxId;
    std::string name;
    std::string image; ///< As written in the pod spec.
    std::string logPath;
    Labels labels;
    TimePoint createdAt{};
    std::string directory;

    [[nodiscard]] std::string monitorDir() const { return directory + "/monitor"; }
};

/// The signal a stop asks the runtime to deliver to a running container.
enum class StopSignal {
    Graceful, ///< TERM, or the image's STOPSIGNAL.
    Kill,     ///< SIGKILL.
};

/// The container's status from its monitor's state: Created before the monitor wrote one,
/// Running while the process (or its monitor) lives, else Exited with the exit code and
/// kubelet's reason: Completed, Error, StartError (the monitor could not start it, exit code
/// 128), or ContainerStatusUnknown with 137 when the process and its monitor vanished together
/// (a reboot) and the exit code is lost. The id, sandbox, name, times, log path and labels come
/// from `container`.
[[nodiscard]] ContainerStatus monitoredContainerStatus(const MonitoredContainer& container);

/// Stops a monitored container, as kubelet's grace period asks: nothing to do when it never
/// started or has exited (waits up to 5 s for a monitor that is still finishing); else, with a
/// grace period, `signal(Graceful)` and up to `grace` for the exit, then `signal(Kill)` while the
/// process lives and up to 10 s more. Timeout when the container still runs after that.
/// `signal` is called with the monitor's state (its `pid` is the container's process).
[[nodiscard]] Status
stopMonitoredContainer(const MonitoredContainer& container, std::chrono::seconds grace,
                       const std::function<void(const MonitorState&, StopSignal)>& signal);

/// Labels in the runtimes' state files (sandbox.json, container.json): a JSON object of strings.
[[nodiscard]] boost::json::object labelsToJson(const Labels& labels);
/// The string members of `json` (null: none).
[[nodiscard]] Labels labelsFromJson(const boost::json::object* json);

/// The shared fields of `container.json`; runtimes add their own to it.
[[nodiscard]] boost::json::object monitoredContainerJson(const MonitoredContainer& container);

/// Reads the shared fields of `container.json` back (not `id` and `directory`: the caller's).
void readMonitoredContainer(const boost::json::object& json, MonitoredContainer& container);

/// A runtime's table of monitored containers: thread-safe lookups (by copy, so a caller never
/// holds the table's lock while it talks to a monitor), statuses and stops through the monitor,
/// loading from ROOT/containers after a restart, and exit events from the monitors' exit
/// markers. The runtime supplies how to signal a container and, optionally, what it adds to a
/// status (image IDs, OOM kills). Neither hook is called with the table's lock held.
template <typename Container>
requires std::derived_from<Container, MonitoredContainer>
class ContainerTable {
public:
    /// Delivers `signal` to the running container whose monitor reported the state.
    using Signaller = std::function<void(const Container&, const MonitorState&, StopSignal)>;
    /// Completes the status the monitor gives with what the runtime knows.
    using StatusCompleter = std::function<void(const Container&, ContainerStatus&)>;
    /// Reads a runtime's own fields of `container.json` into a container being loaded.
    using ExtraReader = std::function<void(const boost::json::object&, Container&)>;
    using EventHandler = std::function<void(const ContainerEvent&)>;

    explicit ContainerTable(Signaller signal, StatusCompleter complete = {})
        : m_signal(std::move(signal)), m_complete(std::move(complete)) {}
    ~ContainerTable() { stopWatchingExits(); }
    ContainerTable(const ContainerTable&) = delete;
    ContainerTable& operator=(const ContainerTable&) = delete;

    /// Adds every `<containersDir>/<id>/container.json` that parses (others are skipped).
    void load(const std::string& containersDir, const ExtraReader& readExtra);

    void insert(Container container) {
        std::lock_guard lock(m_mutex);
        std::string id = container.id;
        m_containers.insert_or_assign(std::move(id), std::move(container));
    }
    void erase(const std::string& id) {
        std::lock_guard lock(m_mutex);
        m_containers.erase(id);
    }
    /// A copy of the container; NotFound `container <id> not found`.
    [[nodiscard]] Result<Container> find(const std::string& id) const {
        std::lock_guard lock(m_mutex);
        auto it = m_containers.find(id);
        if (it == m_containers.end()) {
            return fail(ErrorCode::NotFound, fmt::format("container {} not found", id));
        }
        return it->second;
    }
    /// A copy of the container if it runs; NotFound, or InvalidArgument `container <id> is not
    /// running` (exec and execSync need a running container).
    [[nodiscard]] Result<Container> findRunning(const std::string& id) const {
        auto c = find(id);
        if (c && status(*c).state != ContainerState::Running) {
            return fail(ErrorCode::InvalidArgument, fmt::format("container {} is not running", id));
        }
        return c;
    }
    /// Copies of every container, in id order.
    [[nodiscard]] std::vector<Container> all() const {
        std::lock_guard lock(m_mutex);
        std::vector<Container> out;
        out.reserve(m_containers.size());
        for (const auto& [id, c] : m_containers) {
            out.push_back(c);
        }
        return out;
    }
    /// Copies of the containers of one sandbox.
    [[nodiscard]] std::vector<Container> inSandbox(const std::string& sandboxId) const {
        std::lock_guard lock(m_mutex);
        std::vector<Container> out;
        for (const auto& [id, c] : m_containers) {
            if (c.sandboxId == sandboxId) {
                out.push_back(c);
            }
        }
        return out;
    }
    [[nodiscard]] size_t size() const {
        std::lock_guard lock(m_mutex);
        return m_containers.size();
    }

    [[nodiscard]] ContainerStatus status(const Container& container) const {
        ContainerStatus status = monitoredContainerStatus(container);
        if (m_complete) {
            m_complete(container, status);
        }
        return status;
    }
    [[nodiscard]] Result<ContainerStatus> status(const std::string& id) const {
        auto c = find(id);
        if (!c) {
            return std::unexpected(c.error());
        }
        return status(*c);
    }
    [[nodiscard]] std::vector<ContainerStatus> statuses() const {
        std::vector<ContainerStatus> out;
        for (const Container& c : all()) {
            out.push_back(status(c));
        }
        return out;
    }

    /// stopMonitoredContainer with the runtime's signaller.
    [[nodiscard]] Status stop(const Container& container, std::chrono::seconds grace) const {
        return stopMonitoredContainer(container, grace,
                                      [&](const MonitorState& state, StopSignal signal) {
                                          m_signal(container, state, signal);
                                      });
    }
    /// NotFound for an unknown id.
    [[nodiscard]] Status stop(const std::string& id, std::chrono::seconds grace) const {
        auto c = find(id);
        if (!c) {
            return std::unexpected(c.error());
        }
        return stop(*c, grace);
    }

    /// Receives an Exited event for each exit marker of a container in the table. Once this
    /// returns, the previous handler is neither running (unless this is called from it) nor
    /// called again, so its owner may go away after setting a null handler.
    void setEventHandler(EventHandler handler) {
        std::lock_guard calling(m_handlerMutex);
        std::lock_guard lock(m_mutex);
        m_handler = std::move(handler);
    }
    /// Watches `exitsDir` for the monitors' exit markers (MonitorSpec::exitDir/exitName = id);
    /// markers left while nobody watched are reported too.
    [[nodiscard]] Status watchExits(const std::string& exitsDir) {
        m_watcher =
            std::make_unique<ExitWatcher>(exitsDir, [this](const std::string& id) { onExit(id); });
        return m_watcher->start();
    }
    /// Joins the watcher thread; no event is delivered afterwards.
    void stopWatchingExits() {
        if (m_watcher) {
            m_watcher->stop();
        }
    }

private:
    void onExit(const std::string& id) {
        // Held while the handler runs (not m_mutex: the handler may look containers up).
        std::lock_guard calling(m_handlerMutex);
        EventHandler handler;
        ContainerEvent event;
        {
            std::lock_guard lock(m_mutex);
            auto it = m_containers.find(id);
            if (it == m_containers.end()) {
                return;
            }
            handler = m_handler;
            event.containerId = id;
            event.sandboxId = it->second.sandboxId;
            event.state = ContainerState::Exited;
        }
        if (handler) {
            handler(event);
        }
    }

    Signaller m_signal;
    StatusCompleter m_complete;
    mutable std::mutex m_mutex;
    std::map<std::string, Container, std::less<>> m_containers;
    std::recursive_mutex m_handlerMutex; ///< Held while the handler runs.
    EventHandler m_handler;
    std::unique_ptr<ExitWatcher> m_watcher;
};

template <typename Container>
requires std::derived_from<Container, MonitoredContainer>
void ContainerTable<Container>::load(const std::string& containersDir,
                                     const ExtraReader& readExtra) {
    for (const std::string& id : listDirectory(containersDir)) {
        std::string directory = containersDir + "/" + id;
        auto json = readJsonFile(directory + "/container.json");
        if (!json || !json->is_object()) {
            continue;
        }
        Container c;
        readMonitoredContainer(json->as_object(), c);
        c.id = id;
        c.directory = std::move(directory);
        if (readExtra) {
            readExtra(json->as_object(), c);
        }
        insert(std::move(c));
    }
}

} // namespace pilot::agent
