#pragma once

#include "core/error.h"

#include <map>
#include <string>

namespace pilot::agent {

/// One file of a projected volume.
struct FileProjection {
    std::string data;
    int mode = 0644;
};

/// Relative path (`key`, `dir/key`) -> file.
using VolumePayload = std::map<std::string, FileProjection>;

/// kubelet's AtomicWriter: replaces the files of a configMap/secret/downwardAPI/projected volume
/// so that readers always see a complete set. The files live in a timestamped directory
/// (`..2026_11_21_19_45_45.123456789`); `..data` is a symlink to it, swapped with a rename; each
/// top-level name is a symlink into `..data`. An unchanged payload writes nothing.
class AtomicWriter {
public:
    explicit AtomicWriter(std::string targetDir) : m_targetDir(std::move(targetDir)) {}

    /// Writes `payload`; returns whether anything changed. InvalidArgument for paths that are
    /// absolute, contain `..` or start with `..`.
    [[nodiscard]] Result<bool> write(const VolumePayload& payload);

private:
    std::string m_targetDir;
};

} // namespace pilot::agent
