#pragma once

#include "core/error.h"

#include <string>
#include <vector>

/// Container root filesystems: overlay mounts over unpacked image layers, and file access inside
/// a root that never follows a symlink out of it.
namespace pilot::agent::runc {

/// Mounts overlayfs at `target`: `lowerDirs` lowest layer first (an empty list uses
/// `emptyDir`), a private upper and work directory. Option strings longer than a page (deep
/// images with long paths) are shortened by mounting from the layers' common parent directory.
[[nodiscard]] Status mountOverlay(const std::vector<std::string>& lowerDirs,
                                  const std::string& upperDir, const std::string& workDir,
                                  const std::string& target, const std::string& emptyDir);

/// Lazily unmounts `target` if it is a mount point; a plain directory is fine.
[[nodiscard]] Status unmountIfMounted(const std::string& target);

/// Reads `path` (absolute inside the container) below `root`, resolving symlinks as if `root`
/// were `/` (openat2 RESOLVE_IN_ROOT). NotFound when absent. At most `limit` bytes.
[[nodiscard]] Result<std::string> readFileInRoot(const std::string& root, const std::string& path,
                                                 size_t limit = 1 << 20);

/// mkdir -p of `path` inside `root` (mode 0755), never leaving it.
[[nodiscard]] Status makeDirectoryInRoot(const std::string& root, const std::string& path);

} // namespace pilot::agent::runc
