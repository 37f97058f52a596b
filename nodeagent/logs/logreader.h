#pragma once

#include "core/clock.h"
#include "core/error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <sys/types.h>

/// Reading CRI container logs as kubelet serves `/containerLogs` (`kubectl logs`): the messages
/// of a log file (partial records joined), filtered and formatted by the log options.
namespace pilot::agent {

struct LogOptions {
    bool follow = false;
    std::optional<int64_t> tailLines;
    std::optional<int64_t> limitBytes;
    std::optional<TimePoint> since; ///< sinceSeconds or sinceTime, resolved.
    bool timestamps = false;
};

/// Parses the query of `/containerLogs/...` (follow, tailLines, limitBytes, sinceSeconds,
/// sinceTime, timestamps, previous). InvalidArgument for malformed values.
struct LogRequest {
    LogOptions options;
    bool previous = false;
};
[[nodiscard]] Result<LogRequest> parseLogQuery(std::string_view query, TimePoint now);

/// Reads one CRI log file incrementally: read() returns the formatted output of the complete
/// records appended since the last call (the first call honours tailLines). A rotated file (new
/// inode, or shorter than what was read) is followed from its start. limitBytes ends the stream.
class LogReader {
public:
    LogReader(std::string path, LogOptions options);
    ~LogReader();
    LogReader(const LogReader&) = delete;
    LogReader& operator=(const LogReader&) = delete;

    /// The next output; empty when nothing new. NotFound when the file does not exist yet.
    [[nodiscard]] Result<std::string> read();
    /// limitBytes reached: nothing more will be returned.
    [[nodiscard]] bool exhausted() const { return m_exhausted; }

private:
    [[nodiscard]] bool reopenIfRotated();
    void format(std::string_view records, std::string& out);

    std::string m_path;
    LogOptions m_options;
    int m_fd = -1;
    ino_t m_inode = 0;
    off_t m_offset = 0;
    bool m_first = true;
    bool m_exhausted = false;
    int64_t m_written = 0;
    std::string m_pending;     ///< An incomplete record (no newline yet).
    bool m_midMessage = false; ///< The last record written was partial (P).
};

/// Kubernetes' RFC3339Nano rendering of a CRI timestamp (trailing zeros of the fraction dropped).
[[nodiscard]] std::string rfc3339Nano(std::string_view criTimestamp);

} // namespace pilot::agent
