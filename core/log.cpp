#include "core/log.h"

#include "core/clock.h"

#include <atomic>
#include <string>

#include <unistd.h>

namespace pilot::log {
namespace {

std::atomic<Level> g_minimum{Level::Info};

std::string_view levelName(Level level) {
    switch (level) {
    case Level::Debug:
        return "debug";
    case Level::Info:
        return "info";
    case Level::Warn:
        return "warn";
    case Level::Error:
        return "error";
    }
    return "info";
}

} // namespace

void setMinimumLevel(Level level) {
    g_minimum.store(level, std::memory_order_relaxed);
}

Level minimumLevel() {
    return g_minimum.load(std::memory_order_relaxed);
}

void write(Level level, std::string_view component, std::string_view message) {
    std::string line = fmt::format("{} {} {}: {}\n", formatMicroTime(SystemClock().now()),
                                   levelName(level), component, message);
    std::string_view rest = line;
    while (!rest.empty()) {
        ssize_t n = ::write(STDERR_FILENO, rest.data(), rest.size());
        if (n <= 0) {
            return;
        }
        rest.remove_prefix(static_cast<size_t>(n));
    }
}

} // namespace pilot::log
