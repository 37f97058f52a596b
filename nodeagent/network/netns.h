#pragma once

#include "core/error.h"

#include <string>

namespace pilot::agent::network {

/// Creates a named network namespace as `ip netns add` does: a new namespace bind-mounted on
/// `dir/name` (the directory is created), so it lives without any process in it. Returns the
/// path. AlreadyExists when `dir/name` is already a namespace.
[[nodiscard]] Result<std::string> createNetworkNamespace(const std::string& dir,
                                                         const std::string& name);

/// Unmounts and deletes a namespace made by createNetworkNamespace; a missing one is fine.
[[nodiscard]] Status removeNetworkNamespace(const std::string& path);

/// Whether `path` is a mounted network namespace (not a stale file left by a reboot).
[[nodiscard]] bool isNetworkNamespace(const std::string& path);

} // namespace pilot::agent::network
