#pragma once

#include "core/error.h"

#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

/// Small file helpers the agent's components share (state files, volumes, logs). Errors name the
/// path and the OS error.
namespace pilot::agent {

/// Replaces `path` with `content` so that readers see the old or the new file, never a torn one:
/// a temporary file in the same directory, renamed over `path`. `durable` adds an fsync of the
/// file before the rename.
[[nodiscard]] Status writeFileAtomically(const std::string& path, std::string_view content,
                                         mode_t mode = 0644, bool durable = false);
/// The whole file; NotFound when it does not exist.
[[nodiscard]] Result<std::string> readFile(const std::string& path);
/// The file parsed as JSON; NotFound when absent, InvalidArgument when malformed.
[[nodiscard]] Result<boost::json::value> readJsonFile(const std::string& path);
/// mkdir -p with `mode` for the directories it creates.
[[nodiscard]] Status makeDirectories(const std::string& path, mode_t mode = 0755);
/// rm -rf; missing is fine. Does not follow symlinks out of `path`; unmounts nothing.
[[nodiscard]] Status removeTree(const std::string& path);

/// The names in `directory` (not `.` and `..`), unsorted; empty when it cannot be read.
[[nodiscard]] std::vector<std::string> listDirectory(const std::string& directory);

/// `errno` as text, with the call and path: `open /x: No such file or directory`.
[[nodiscard]] std::string osError(std::string_view call, std::string_view path, int error);

} // namespace pilot::agent
