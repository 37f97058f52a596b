#pragma once

#include "engine/auth/certificate.h"

#include <vector>

namespace pilot::auth {

/// The names a client on this machine or the local network may use to reach the engine:
/// `localhost`, `127.0.0.1`, `::1`, the host name, and every non-loopback address of every
/// interface. IPv6 link-local addresses (fe80::/10) are left out: a URL can only reach them with a
/// zone (`%eth0`), and TLS clients do not match a zoned host against an IP SAN. Sorted, unique.
[[nodiscard]] std::vector<SubjectAltName> hostSubjectAltNames();

} // namespace pilot::auth
