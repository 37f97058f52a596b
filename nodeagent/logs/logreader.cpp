#include "nodeagent/logs/logreader.h"

#include "nodeagent/runtime/crilog.h"
#include "nodeagent/runtime/fileutil.h"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pilot::agent {

namespace {

std::string urlDecode(std::string_view in) {
    std::string out;
    for (size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '+') {
            out.push_back(' ');
        } else if (in[i] == '%' && i + 2 < in.size()) {
            int value = 0;
            std::from_chars(in.data() + i + 1, in.data() + i + 3, value, 16);
            out.push_back(static_cast<char>(value));
            i += 2;
        } else {
            out.push_back(in[i]);
        }
    }
    return out;
}

std::optional<bool> parseBool(std::string_view v) {
    if (v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True") {
        return true;
    }
    if (v == "0" || v == "f" || v == "F" || v == "false" || v == "FALSE" || v == "False") {
        return false;
    }
    return std::nullopt;
}

std::optional<int64_t> parseInt(std::string_view v) {
    int64_t value = 0;
    auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
    if (ec != std::errc() || ptr != v.data() + v.size()) {
        return std::nullopt;
    }
    return value;
}

/// Start offset of the last `n` log lines in `data` (which ends with a newline): a line is a
/// run of partial records ended by a full one, so `kubectl logs --tail=N` prints N lines.
size_t tailStart(std::string_view data, int64_t n) {
    if (n <= 0) {
        return data.size();
    }
    int64_t lines = 0;
    size_t end = data.size();
    while (end > 0) {
        size_t lineEnd = end - 1; // the newline ending this record
        size_t begin = lineEnd == 0 ? std::string_view::npos : data.rfind('\n', lineEnd - 1);
        begin = begin == std::string_view::npos ? 0 : begin + 1;
        auto record = parseCriLine(data.substr(begin, lineEnd - begin));
        if (record && !record->partial) {
            if (lines == n) {
                return end; // Just after the full record that ends the line before them.
            }
            ++lines;
        }
        if (begin == 0) {
            break;
        }
        end = begin;
    }
    return 0;
}

} // namespace

std::string rfc3339Nano(std::string_view ts) {
    // 2016-10-06T00:17:09.669794200Z -> 2016-10-06T00:17:09.6697942Z; .000000000 -> none.
    size_t dot = ts.find('.');
    size_t z = ts.find_first_of("Z+-", dot == std::string_view::npos ? 19 : dot);
    if (dot == std::string_view::npos || z == std::string_view::npos) {
        return std::string(ts);
    }
    std::string_view fraction = ts.substr(dot + 1, z - dot - 1);
    while (!fraction.empty() && fraction.back() == '0') {
        fraction.remove_suffix(1);
    }
    std::string out(ts.substr(0, dot));
    if (!fraction.empty()) {
        out += ".";
        out += fraction;
    }
    out += ts.substr(z);
    return out;
}

Result<LogRequest> parseLogQuery(std::string_view query, TimePoint now) {
    LogRequest request;
    while (!query.empty()) {
        size_t amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        size_t eq = pair.find('=');
        std::string key = urlDecode(pair.substr(0, eq));
        std::string value = eq == std::string_view::npos ? "" : urlDecode(pair.substr(eq + 1));
        auto boolValue = [&]() -> Result<bool> {
            auto b = parseBool(value);
            if (!b) {
                return fail(ErrorCode::InvalidArgument,
                            fmt::format("{}: invalid boolean {:?}", key, value));
            }
            return *b;
        };
        auto intValue = [&]() -> Result<int64_t> {
            auto i = parseInt(value);
            if (!i) {
                return fail(ErrorCode::InvalidArgument,
                            fmt::format("{}: invalid integer {:?}", key, value));
            }
            return *i;
        };
        if (key == "follow") {
            auto b = boolValue();
            if (!b) {
                return std::unexpected(b.error());
            }
            request.options.follow = *b;
        } else if (key == "previous") {
            auto b = boolValue();
            if (!b) {
                return std::unexpected(b.error());
            }
            request.previous = *b;
        } else if (key == "timestamps") {
            auto b = boolValue();
            if (!b) {
                return std::unexpected(b.error());
            }
            request.options.timestamps = *b;
        } else if (key == "tailLines") {
            auto i = intValue();
            if (!i) {
                return std::unexpected(i.error());
            }
            request.options.tailLines = *i;
        } else if (key == "limitBytes") {
            auto i = intValue();
            if (!i || *i < 1) {
                return fail(ErrorCode::InvalidArgument, "limitBytes: must be greater than 0");
            }
            request.options.limitBytes = *i;
        } else if (key == "sinceSeconds") {
            auto i = intValue();
            if (!i || *i < 1) {
                return fail(ErrorCode::InvalidArgument, "sinceSeconds: must be greater than 0");
            }
            request.options.since = now - std::chrono::seconds(*i);
        } else if (key == "sinceTime") {
            auto t = parseTime(value);
            if (!t) {
                return std::unexpected(t.error());
            }
            request.options.since = *t;
        }
    }
    return request;
}

LogReader::LogReader(std::string path, LogOptions options)
    : m_path(std::move(path)), m_options(options) {}

LogReader::~LogReader() {
    if (m_fd >= 0) {
        ::close(m_fd);
    }
}

bool LogReader::reopenIfRotated() {
    struct stat byPath {};
    if (::stat(m_path.c_str(), &byPath) != 0) {
        return m_fd >= 0;
    }
    if (m_fd >= 0) {
        struct stat open {};
        ::fstat(m_fd, &open);
        if (open.st_ino == byPath.st_ino && byPath.st_size >= m_offset) {
            return true;
        }
        // Rotated or truncated: drain what is left of the old file first.
        if (open.st_ino != byPath.st_ino && open.st_size > m_offset) {
            return true;
        }
        ::close(m_fd);
        m_fd = -1;
    }
    m_fd = ::open(m_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (m_fd < 0) {
        return false;
    }
    m_inode = byPath.st_ino;
    m_offset = 0;
    m_pending.clear();
    return true;
}

void LogReader::format(std::string_view records, std::string& out) {
    while (!records.empty() && !m_exhausted) {
        size_t nl = records.find('\n');
        std::string_view line = records.substr(0, nl);
        records = nl == std::string_view::npos ? std::string_view() : records.substr(nl + 1);
        auto record = parseCriLine(line);
        if (!record) {
            continue;
        }
        if (m_options.since && record->time < *m_options.since) {
            continue;
        }
        std::string text;
        if (m_options.timestamps && !m_midMessage) {
            text = rfc3339Nano(record->timestamp) + " ";
        }
        text += record->content;
        if (!record->partial) {
            text += '\n';
        }
        m_midMessage = record->partial;
        if (m_options.limitBytes) {
            int64_t room = *m_options.limitBytes - m_written;
            if (static_cast<int64_t>(text.size()) >= room) {
                text.resize(static_cast<size_t>(std::max<int64_t>(room, 0)));
                m_exhausted = true;
            }
        }
        m_written += static_cast<int64_t>(text.size());
        out += text;
    }
}

Result<std::string> LogReader::read() {
    if (m_exhausted) {
        return std::string();
    }
    if (!reopenIfRotated()) {
        return fail(ErrorCode::NotFound, osError("open", m_path, errno));
    }
    std::string data = std::move(m_pending);
    m_pending.clear();
    char buffer[65536];
    while (true) {
        ssize_t n = ::pread(m_fd, buffer, sizeof buffer, m_offset);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        data.append(buffer, static_cast<size_t>(n));
        m_offset += n;
        if (data.size() > (64u << 20)) {
            break; // Enough for one response; the rest follows on the next read.
        }
    }
    size_t complete = data.rfind('\n');
    if (complete == std::string::npos) {
        m_pending = std::move(data);
        return std::string();
    }
    m_pending = data.substr(complete + 1);
    std::string_view records(data.data(), complete + 1);
    if (m_first) {
        m_first = false;
        if (m_options.tailLines) {
            records = records.substr(tailStart(records, *m_options.tailLines));
        }
    }
    std::string out;
    format(records, out);
    return out;
}

} // namespace pilot::agent
