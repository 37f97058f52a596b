#pragma once

#include <fmt/format.h>

#include <string_view>

namespace pilot::log {

enum class Level { Debug, Info, Warn, Error };

/// Structured, line-oriented logs to stderr: `time level component message key=value...`.
/// Thread-safe; one write(2) per line so lines from several threads never interleave.
void write(Level level, std::string_view component, std::string_view message);

void setMinimumLevel(Level level);
[[nodiscard]] Level minimumLevel();

template <typename... Args>
void info(std::string_view component, fmt::format_string<Args...> format, Args&&... args) {
    if (minimumLevel() <= Level::Info) {
        write(Level::Info, component, fmt::format(format, std::forward<Args>(args)...));
    }
}

template <typename... Args>
void warn(std::string_view component, fmt::format_string<Args...> format, Args&&... args) {
    if (minimumLevel() <= Level::Warn) {
        write(Level::Warn, component, fmt::format(format, std::forward<Args>(args)...));
    }
}

template <typename... Args>
void error(std::string_view component, fmt::format_string<Args...> format, Args&&... args) {
    write(Level::Error, component, fmt::format(format, std::forward<Args>(args)...));
}

template <typename... Args>
void debug(std::string_view component, fmt::format_string<Args...> format, Args&&... args) {
    if (minimumLevel() <= Level::Debug) {
        write(Level::Debug, component, fmt::format(format, std::forward<Args>(args)...));
    }
}

} // namespace pilot::log
