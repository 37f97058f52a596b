#include "engine/scheduler/fiterror.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>

namespace pilot::scheduler {

std::string reasonHistogram(const std::vector<std::pair<std::string, NodeStatus>>& statuses) {
    std::map<std::string, int> counts;
    for (const auto& [node, status] : statuses) {
        for (const std::string& reason : status.reasons) {
            ++counts[reason];
        }
    }
    std::vector<std::string> entries;
    entries.reserve(counts.size());
    for (const auto& [reason, count] : counts) {
        entries.push_back(fmt::format("{} {}", count, reason));
    }
    std::sort(entries.begin(), entries.end()); // Go's sort.Strings: byte order
    return fmt::format("{}", fmt::join(entries, ", "));
}

std::string fitErrorMessage(size_t numAllNodes, const Diagnosis& diagnosis) {
    std::string message = fmt::format("0/{} nodes are available:", numAllNodes);
    if (!diagnosis.preFilterMessage.empty()) {
        message += fmt::format(" {}.", diagnosis.preFilterMessage);
    } else if (std::string histogram = reasonHistogram(diagnosis.nodeStatuses);
               !histogram.empty()) {
        message += fmt::format(" {}.", histogram);
    }
    if (!diagnosis.postFilterMessage.empty()) {
        message += " " + diagnosis.postFilterMessage;
    }
    return message;
}

} // namespace pilot::scheduler
