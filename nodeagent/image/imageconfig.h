#pragma once

#include "core/error.h"
#include "nodeagent/image/digest.h"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::agent::image {

/// The parts of an OCI/Docker image configuration the runtime uses.
struct ImageConfig {
    std::string os;
    std::string architecture;
    std::vector<std::string> entrypoint;
    std::vector<std::string> cmd;
    std::vector<std::string> env; ///< `NAME=value`.
    std::string workingDir;
    std::string user;
    std::string stopSignal;
    std::map<std::string, std::string> labels;
    std::vector<Digest> diffIds; ///< rootfs.diff_ids, lowest layer first.
};

/// Parses an image configuration blob. InvalidArgument for malformed JSON or diff IDs.
[[nodiscard]] Result<ImageConfig> parseImageConfig(std::string_view json);

/// The chain IDs of a layer stack (OCI image spec): ChainID(L0) = DiffID(L0),
/// ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)).
[[nodiscard]] std::vector<Digest> chainIds(const std::vector<Digest>& diffIds);

} // namespace pilot::agent::image
