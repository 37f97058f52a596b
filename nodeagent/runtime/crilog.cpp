#include "nodeagent/runtime/crilog.h"

#include "nodeagent/runtime/fileutil.h"

#include <fmt/format.h>

#include <cerrno>
#include <ctime>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pilot::agent {

std::string formatNanoTime(TimePoint t) {
    auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch());
    int64_t total = nanos.count();
    int64_t seconds = total / 1000000000;
    int64_t fraction = total % 1000000000;
    if (fraction < 0) {
        fraction += 1000000000;
        --seconds;
    }
    std::time_t tt = static_cast<std::time_t>(seconds);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z", tm.tm_year + 1900,
                       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, fraction);
}

std::optional<CriLogRecord> parseCriLine(std::string_view line) {
    size_t first = line.find(' ');
    if (first == std::string_view::npos) {
        return std::nullopt;
    }
    size_t second = line.find(' ', first + 1);
    if (second == std::string_view::npos) {
        return std::nullopt;
    }
    CriLogRecord record;
    record.timestamp = line.substr(0, first);
    auto time = parseTime(record.timestamp);
    if (!time) {
        return std::nullopt;
    }
    record.time = *time;
    std::string_view stream = line.substr(first + 1, second - first - 1);
    if (stream == "stdout") {
        record.stream = LogStream::Stdout;
    } else if (stream == "stderr") {
        record.stream = LogStream::Stderr;
    } else {
        return std::nullopt;
    }
    // The tag is `F` or `P` (possibly with more `:`-separated tags); older writers had none.
    std::string_view rest = line.substr(second + 1);
    size_t third = rest.find(' ');
    std::string_view tag = third == std::string_view::npos ? rest : rest.substr(0, third);
    if (tag == "F" || tag == "P" || tag.starts_with("F:") || tag.starts_with("P:")) {
        record.partial = tag[0] == 'P';
        record.content =
            third == std::string_view::npos ? std::string_view() : rest.substr(third + 1);
    } else {
        record.content = rest;
    }
    return record;
}

CriLogWriter::CriLogWriter(std::string path, uint64_t maxBytes, int maxFiles)
    : m_path(std::move(path)), m_maxBytes(maxBytes), m_maxFiles(maxFiles < 1 ? 1 : maxFiles) {}

CriLogWriter::~CriLogWriter() {
    if (m_fd >= 0) {
        ::close(m_fd);
    }
}

Status CriLogWriter::open() {
    size_t slash = m_path.find_last_of('/');
    if (slash != std::string::npos && slash > 0) {
        if (auto made = makeDirectories(m_path.substr(0, slash)); !made) {
            return made;
        }
    }
    m_fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (m_fd < 0) {
        return fail(ErrorCode::Internal, osError("open", m_path, errno));
    }
    struct stat st {};
    if (::fstat(m_fd, &st) == 0) {
        m_size = static_cast<uint64_t>(st.st_size);
    }
    return {};
}

void CriLogWriter::write(LogStream stream, std::string_view data, TimePoint now) {
    std::string& pending = m_pending[stream == LogStream::Stdout ? 0 : 1];
    while (!data.empty()) {
        size_t newline = data.find('\n');
        if (newline == std::string_view::npos) {
            pending.append(data);
            break;
        }
        pending.append(data.substr(0, newline));
        data.remove_prefix(newline + 1);
        // A line longer than the limit goes out as P records and a final F record.
        std::string_view line = pending;
        while (line.size() > CriMaxLineBytes) {
            record(stream, line.substr(0, CriMaxLineBytes), true, now);
            line.remove_prefix(CriMaxLineBytes);
        }
        record(stream, line, false, now);
        pending.clear();
    }
    while (pending.size() >= CriMaxLineBytes) {
        record(stream, std::string_view(pending).substr(0, CriMaxLineBytes), true, now);
        pending.erase(0, CriMaxLineBytes);
    }
}

void CriLogWriter::flush(TimePoint now) {
    for (int i = 0; i < 2; ++i) {
        if (!m_pending[i].empty()) {
            record(i == 0 ? LogStream::Stdout : LogStream::Stderr, m_pending[i], false, now);
            m_pending[i].clear();
        }
    }
}

void CriLogWriter::record(LogStream stream, std::string_view content, bool partial, TimePoint now) {
    if (m_fd < 0) {
        return;
    }
    std::string line =
        fmt::format("{} {} {} ", formatNanoTime(now),
                    stream == LogStream::Stdout ? "stdout" : "stderr", partial ? 'P' : 'F');
    line.append(content);
    line.push_back('\n');
    size_t written = 0;
    while (written < line.size()) {
        ssize_t n = ::write(m_fd, line.data() + written, line.size() - written);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return; // Disk full or gone: output is dropped rather than blocking the container.
        }
        written += static_cast<size_t>(n);
    }
    m_size += line.size();
    if (m_maxBytes > 0 && m_size >= m_maxBytes) {
        rotate();
    }
}

void CriLogWriter::rotate() {
    ::close(m_fd);
    m_fd = -1;
    if (m_maxFiles <= 1) {
        ::truncate(m_path.c_str(), 0);
    } else {
        std::string oldest = fmt::format("{}.{}", m_path, m_maxFiles - 1);
        ::unlink(oldest.c_str());
        for (int i = m_maxFiles - 2; i >= 1; --i) {
            std::string from = fmt::format("{}.{}", m_path, i);
            std::string to = fmt::format("{}.{}", m_path, i + 1);
            ::rename(from.c_str(), to.c_str());
        }
        std::string first = m_path + ".1";
        ::rename(m_path.c_str(), first.c_str());
    }
    m_size = 0;
    m_fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
}

} // namespace pilot::agent
