#pragma once

#include "core/error.h"

#include <string>
#include <vector>

namespace pilot::agent {

struct ServingCertificate {
    std::string certificatePem;
    std::string keyPem;
};

/// The agent's HTTPS serving certificate, as kubelet makes its default one: a self-signed CA
/// (`<node>-ca@<unix time>`) under DIR/kubelet-ca.crt and a serving certificate it signed for
/// the node's name and addresses (DIR/kubelet.crt, DIR/kubelet.key). Created on first use and
/// re-created when the names or addresses change or it is about to expire.
[[nodiscard]] Result<ServingCertificate>
ensureServingCertificate(const std::string& dir, const std::string& nodeName,
                         const std::vector<std::string>& addresses);

} // namespace pilot::agent
