#pragma once

#include <string_view>

namespace pilot {

/// Names the calling thread for `top -H`, `ps -L`, debuggers and profilers (Linux keeps the
/// first 15 bytes; elsewhere a no-op).
void setThreadName(std::string_view name);

} // namespace pilot
