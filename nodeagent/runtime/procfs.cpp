#include "nodeagent/runtime/procfs.h"

#include "nodeagent/runtime/fileutil.h"

#include <charconv>
#include <cstdlib>
#include <string_view>

#include <dirent.h>
#include <unistd.h>

namespace pilot::agent {
namespace {

uint64_t toU64(std::string_view text) {
    uint64_t value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

int64_t toI64(std::string_view text) {
    int64_t value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

} // namespace

std::optional<ProcStat> readProcStat(pid_t pid) {
    auto text = readFile("/proc/" + std::to_string(pid) + "/stat");
    if (!text) {
        return std::nullopt;
    }
    // "pid (comm) state ppid pgrp session ..."; comm may contain spaces and parentheses, so
    // the fields start after the last ')'.
    size_t close = text->rfind(')');
    if (close == std::string::npos || close + 2 >= text->size()) {
        return std::nullopt;
    }
    std::string_view rest(text->data() + close + 2, text->size() - close - 2);
    std::vector<std::string_view> fields;
    size_t start = 0;
    while (start < rest.size()) {
        size_t end = rest.find(' ', start);
        if (end == std::string_view::npos) {
            end = rest.size();
        }
        fields.push_back(rest.substr(start, end - start));
        start = end + 1;
    }
    // Field numbers of proc(5) minus 3 (pid and comm come before `rest`).
    if (fields.size() < 22) {
        return std::nullopt;
    }
    ProcStat stat;
    stat.pid = pid;
    stat.state = fields[0].empty() ? '?' : fields[0][0];
    stat.ppid = static_cast<pid_t>(toI64(fields[1]));
    stat.pgrp = static_cast<pid_t>(toI64(fields[2]));
    stat.session = static_cast<pid_t>(toI64(fields[3]));
    stat.utimeTicks = toU64(fields[11]);
    stat.stimeTicks = toU64(fields[12]);
    stat.cutimeTicks = toU64(fields[13]);
    stat.cstimeTicks = toU64(fields[14]);
    stat.startTicks = toU64(fields[19]);
    stat.rssPages = toU64(fields[21]);
    return stat;
}

std::vector<ProcStat> listProcesses() {
    std::vector<ProcStat> out;
    DIR* dir = ::opendir("/proc");
    if (!dir) {
        return out;
    }
    while (dirent* entry = ::readdir(dir)) {
        const char* name = entry->d_name;
        if (name[0] < '1' || name[0] > '9') {
            continue;
        }
        pid_t pid = static_cast<pid_t>(std::strtol(name, nullptr, 10));
        if (auto stat = readProcStat(pid)) {
            out.push_back(*stat);
        }
    }
    ::closedir(dir);
    return out;
}

std::optional<uint64_t> processStartTicks(pid_t pid) {
    auto stat = readProcStat(pid);
    if (!stat) {
        return std::nullopt;
    }
    return stat->startTicks;
}

bool isProcessAlive(pid_t pid, uint64_t startTicks) {
    if (pid <= 0) {
        return false;
    }
    auto stat = readProcStat(pid);
    if (!stat || stat->state == 'Z' || stat->state == 'X') {
        return false;
    }
    return startTicks == 0 || stat->startTicks == startTicks;
}

uint64_t clockTicksPerSecond() {
    static const uint64_t ticks = [] {
        long value = ::sysconf(_SC_CLK_TCK);
        return value > 0 ? static_cast<uint64_t>(value) : uint64_t{100};
    }();
    return ticks;
}

uint64_t pageSize() {
    static const uint64_t size = [] {
        long value = ::sysconf(_SC_PAGESIZE);
        return value > 0 ? static_cast<uint64_t>(value) : uint64_t{4096};
    }();
    return size;
}

TimePoint startTicksToTime(uint64_t startTicks) {
    static const int64_t bootSeconds = [] {
        auto text = readFile("/proc/stat");
        if (!text) {
            return int64_t{0};
        }
        size_t pos = text->find("\nbtime ");
        if (pos == std::string::npos) {
            return int64_t{0};
        }
        size_t end = text->find('\n', pos + 7);
        return toI64(std::string_view(*text).substr(pos + 7, end - pos - 7));
    }();
    auto sinceBoot = std::chrono::nanoseconds(
        static_cast<int64_t>(startTicks * 1000000000ULL / clockTicksPerSecond()));
    return TimePoint(std::chrono::seconds(bootSeconds)) +
           std::chrono::duration_cast<TimePoint::duration>(sinceBoot);
}

} // namespace pilot::agent
