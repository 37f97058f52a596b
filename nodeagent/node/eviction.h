#pragma once

#include "core/error.h"
#include "nodeagent/node/systeminfo.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

/// kubelet's hard eviction thresholds (`--eviction-hard`): the signals the node's pressure
/// conditions and allocatable are worked out from.
namespace pilot::agent {

enum class EvictionSignal {
    MemoryAvailable,   ///< memory.available: MemAvailable, bytes.
    NodeFsAvailable,   ///< nodefs.available: free bytes of the data directory's filesystem.
    NodeFsInodesFree,  ///< nodefs.inodesFree
    ImageFsAvailable,  ///< imagefs.available: images live under the data directory too.
    ImageFsInodesFree, ///< imagefs.inodesFree
    PidAvailable,      ///< pid.available: kernel.pid_max less the running processes.
};

/// One `SIGNAL<VALUE` statement: an absolute quantity, or a percentage of the signal's capacity.
struct EvictionThreshold {
    EvictionSignal signal = EvictionSignal::MemoryAvailable;
    int64_t quantity = 0;  ///< Bytes, inodes or pids; used when `percentage` is 0.
    double percentage = 0; ///< 0 < percentage < 100, of the signal's capacity.

    /// The amount below which the signal is under pressure, for a resource of `capacity`.
    [[nodiscard]] int64_t amount(int64_t capacity) const;
};

/// The thresholds a kubelet runs with: kubelet's Linux defaults
/// (memory.available<100Mi, nodefs.available<10%, nodefs.inodesFree<5%, imagefs.available<15%)
/// unless `--eviction-hard` replaced them all, as kubelet's flag does.
struct EvictionThresholds {
    std::vector<EvictionThreshold> hard;

    [[nodiscard]] static EvictionThresholds kubeletDefaults();

    /// Whether any threshold of these signals is crossed on `info`.
    [[nodiscard]] bool memoryPressure(const SystemInfo& info) const;
    [[nodiscard]] bool diskPressure(const SystemInfo& info) const;
    [[nodiscard]] bool pidPressure(const SystemInfo& info) const;

    /// What allocatable holds back from capacity: the memory.available and nodefs.available
    /// thresholds (0 without one).
    [[nodiscard]] int64_t reservedMemory(const SystemInfo& info) const;
    [[nodiscard]] int64_t reservedStorage(const SystemInfo& info) const;
};

/// Parses kubelet's `--eviction-hard` syntax, `memory.available<100Mi,nodefs.available<10%`.
/// As kubelet, `0%` and `100%` drop the statement; an empty text sets no thresholds.
/// InvalidArgument names the statement: an unknown signal, an operator other than `<`, a
/// quantity that does not parse or is negative, a percentage outside 0-100, a repeated signal.
[[nodiscard]] Result<EvictionThresholds> parseEvictionHard(std::string_view text);

} // namespace pilot::agent
