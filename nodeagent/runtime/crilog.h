#pragma once

#include "core/clock.h"
#include "core/error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

/// The CRI container log format kubelet reads (`kubectl logs`): one record per line,
/// `2016-10-06T00:17:09.669794202Z stdout F hello`: an RFC 3339 timestamp with nanoseconds, the
/// stream, `F` for a full line or `P` for part of a longer one (the rest follows in later
/// records), then the content without its newline.
namespace pilot::agent {

/// Content longer than this is split into `P` records, as containerd does (16 KiB).
inline constexpr size_t CriMaxLineBytes = 16 * 1024;

enum class LogStream { Stdout, Stderr };

/// RFC 3339 with nine fractional digits and `Z`.
[[nodiscard]] std::string formatNanoTime(TimePoint t);

/// One parsed record.
struct CriLogRecord {
    std::string_view timestamp; ///< As written (RFC 3339 with nanoseconds).
    TimePoint time{};
    LogStream stream = LogStream::Stdout;
    bool partial = false;
    std::string_view content; ///< Without the trailing newline.
};

/// Parses one line (without its newline); nullopt when it is not a CRI record.
[[nodiscard]] std::optional<CriLogRecord> parseCriLine(std::string_view line);

/// Appends container output to a CRI log file, splitting it into records per stream (a line
/// without its newline yet waits for the rest, up to CriMaxLineBytes) and rotating the file when
/// it reaches `maxBytes`: `path` -> `path.1` -> ... -> `path.<maxFiles-1>` (the oldest is
/// dropped). Single-threaded.
class CriLogWriter {
public:
    CriLogWriter(std::string path, uint64_t maxBytes, int maxFiles);
    ~CriLogWriter();
    CriLogWriter(const CriLogWriter&) = delete;
    CriLogWriter& operator=(const CriLogWriter&) = delete;

    /// Opens (appending to) the file, creating its directory.
    [[nodiscard]] Status open();
    /// Output read from `stream` at `now`.
    void write(LogStream stream, std::string_view data, TimePoint now);
    /// Writes what is left of unterminated lines (at end of output) as full records.
    void flush(TimePoint now);
    [[nodiscard]] const std::string& path() const { return m_path; }

private:
    void record(LogStream stream, std::string_view content, bool partial, TimePoint now);
    void rotate();

    std::string m_path;
    uint64_t m_maxBytes;
    int m_maxFiles;
    int m_fd = -1;
    uint64_t m_size = 0;
    std::string m_pending[2];
};

} // namespace pilot::agent
