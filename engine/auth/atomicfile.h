#pragma once

#include "core/error.h"

#include <string>
#include <string_view>
#include <sys/types.h>

namespace pilot::auth {

/// Replaces `path` with `content` so that readers see either the old file or the complete new
/// one, never a torn write: writes a temporary file in the same directory with permissions `mode`
/// (set before any byte is written), fsyncs it, renames it over `path` and fsyncs the directory.
/// The parent directory must exist. Fails with Internal naming the path and the OS error.
[[nodiscard]] Status writeFileAtomically(const std::string& path, std::string_view content,
                                         mode_t mode);

/// The whole content of `path`; NotFound when it does not exist, Internal on other OS errors.
[[nodiscard]] Result<std::string> readWholeFile(const std::string& path);

} // namespace pilot::auth
