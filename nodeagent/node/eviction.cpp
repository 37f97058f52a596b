#include "nodeagent/node/eviction.h"

#include "kube/quantity.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <utility>

namespace pilot::agent {

namespace {

constexpr std::array<std::pair<std::string_view, EvictionSignal>, 6> Signals{{
    {"memory.available", EvictionSignal::MemoryAvailable},
    {"nodefs.available", EvictionSignal::NodeFsAvailable},
    {"nodefs.inodesFree", EvictionSignal::NodeFsInodesFree},
    {"imagefs.available", EvictionSignal::ImageFsAvailable},
    {"imagefs.inodesFree", EvictionSignal::ImageFsInodesFree},
    {"pid.available", EvictionSignal::PidAvailable},
}};

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

/// The signal's observed value and capacity on `info`; capacity 0 when unknown.
std::pair<int64_t, int64_t> observe(EvictionSignal signal, const SystemInfo& info) {
    switch (signal) {
    case EvictionSignal::MemoryAvailable:
        return {info.memoryAvailableBytes, info.memoryTotalBytes};
    case EvictionSignal::NodeFsAvailable:
    case EvictionSignal::ImageFsAvailable:
        return {info.fsAvailableBytes, info.fsCapacityBytes};
    case EvictionSignal::NodeFsInodesFree:
    case EvictionSignal::ImageFsInodesFree:
        return {info.fsInodesFree, info.fsInodes};
    case EvictionSignal::PidAvailable:
        return {info.pidMax - info.processCount, info.pidMax};
    }
    return {0, 0};
}

template <typename Predicate>
bool crossed(const std::vector<EvictionThreshold>& thresholds, const SystemInfo& info,
             Predicate ofKind) {
    return std::any_of(thresholds.begin(), thresholds.end(), [&](const EvictionThreshold& t) {
        if (!ofKind(t.signal)) {
            return false;
        }
        auto [observed, capacity] = observe(t.signal, info);
        return capacity > 0 && observed < t.amount(capacity);
    });
}

int64_t reserved(const std::vector<EvictionThreshold>& thresholds, EvictionSignal signal,
                 int64_t capacity) {
    for (const EvictionThreshold& t : thresholds) {
        if (t.signal == signal) {
            return std::min(t.amount(capacity), capacity);
        }
    }
    return 0;
}

} // namespace

int64_t EvictionThreshold::amount(int64_t capacity) const {
    if (percentage > 0) {
        return static_cast<int64_t>(std::llround(static_cast<double>(capacity) * percentage / 100));
    }
    return quantity;
}

EvictionThresholds EvictionThresholds::kubeletDefaults() {
    EvictionThresholds thresholds;
    thresholds.hard = {
        {EvictionSignal::MemoryAvailable, 100LL * 1024 * 1024, 0},
        {EvictionSignal::NodeFsAvailable, 0, 10},
        {EvictionSignal::NodeFsInodesFree, 0, 5},
        {EvictionSignal::ImageFsAvailable, 0, 15},
    };
    return thresholds;
}

bool EvictionThresholds::memoryPressure(const SystemInfo& info) const {
    return crossed(hard, info,
                   [](EvictionSignal s) { return s == EvictionSignal::MemoryAvailable; });
}

bool EvictionThresholds::diskPressure(const SystemInfo& info) const {
    return crossed(hard, info, [](EvictionSignal s) {
        return s == EvictionSignal::NodeFsAvailable || s == EvictionSignal::NodeFsInodesFree ||
               s == EvictionSignal::ImageFsAvailable || s == EvictionSignal::ImageFsInodesFree;
    });
}

bool EvictionThresholds::pidPressure(const SystemInfo& info) const {
    return crossed(hard, info, [](EvictionSignal s) { return s == EvictionSignal::PidAvailable; });
}

int64_t EvictionThresholds::reservedMemory(const SystemInfo& info) const {
    return reserved(hard, EvictionSignal::MemoryAvailable, info.memoryTotalBytes);
}

int64_t EvictionThresholds::reservedStorage(const SystemInfo& info) const {
    return reserved(hard, EvictionSignal::NodeFsAvailable, info.fsCapacityBytes);
}

Result<EvictionThresholds> parseEvictionHard(std::string_view text) {
    EvictionThresholds out;
    std::vector<EvictionSignal> seen;
    size_t start = 0;
    while (start <= text.size()) {
        size_t comma = text.find(',', start);
        std::string_view statement = trimmed(text.substr(
            start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
        start = comma == std::string_view::npos ? text.size() + 1 : comma + 1;
        if (statement.empty()) {
            continue;
        }
        auto bad = [&](std::string_view why) {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("--eviction-hard: {:?}: {}", statement, why));
        };
        size_t op = statement.find_first_of("<>=");
        if (op == std::string_view::npos || statement[op] != '<' ||
            statement.find_first_of("<>=", op + 1) != std::string_view::npos) {
            return bad("expected SIGNAL<QUANTITY or SIGNAL<PERCENT%");
        }
        std::string_view name = trimmed(statement.substr(0, op));
        std::string_view value = trimmed(statement.substr(op + 1));
        auto known = std::find_if(Signals.begin(), Signals.end(),
                                  [&](const auto& entry) { return entry.first == name; });
        if (known == Signals.end()) {
            return bad("unknown signal; expected memory.available, nodefs.available, "
                       "nodefs.inodesFree, imagefs.available, imagefs.inodesFree or "
                       "pid.available");
        }
        if (std::find(seen.begin(), seen.end(), known->second) != seen.end()) {
            return bad("the signal is given twice");
        }
        seen.push_back(known->second);
        EvictionThreshold threshold;
        threshold.signal = known->second;
        if (value.ends_with('%')) {
            std::string_view digits = value.substr(0, value.size() - 1);
            double percent = -1;
            auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), percent);
            if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size() ||
                !(percent >= 0 && percent <= 100)) {
                return bad("expected a percentage 0-100");
            }
            if (percent == 0 || percent == 100) {
                continue; // kubelet ignores 0% and 100%: the signal has no threshold.
            }
            threshold.percentage = percent;
        } else {
            auto quantity = kube::Quantity::parse(value);
            if (!quantity) {
                return bad(quantity.error().message);
            }
            if (quantity->sign() < 0) {
                return bad("the quantity must not be negative");
            }
            threshold.quantity = quantity->value();
        }
        out.hard.push_back(threshold);
    }
    return out;
}

} // namespace pilot::agent
