#include "engine/registry/storage/blobfiles.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace pilot::registry {

Status BlobFiles::prepare() const {
    std::error_code ec;
    std::filesystem::create_directories(m_root, ec);
    if (ec) {
        return fail(ErrorCode::Internal, fmt::format("{}: {}", m_root, ec.message()));
    }
    return {};
}

std::string BlobFiles::pathOf(const Digest& digest) const {
    std::string_view hex = digest.hex();
    return fmt::format("{}/{}/{}/{}", m_root, digest.algorithmName(), hex.substr(0, 2), hex);
}

Result<UniqueFd> BlobFiles::open(const Digest& digest) const {
    return openForReading(pathOf(digest));
}

Result<std::optional<uint64_t>> BlobFiles::size(const Digest& digest) const {
    std::string path = pathOf(digest);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) {
            return std::optional<uint64_t>();
        }
        return fail(ErrorCode::Internal, fmt::format("{}: stat: {}", path, osError(errno)));
    }
    return std::optional<uint64_t>(static_cast<uint64_t>(st.st_size));
}

Status BlobFiles::install(const std::string& source, const Digest& digest) const {
    std::filesystem::path target(pathOf(digest));
    std::filesystem::path directory = target.parent_path();
    std::error_code ec;
    bool created = std::filesystem::create_directories(directory, ec);
    if (ec) {
        return fail(ErrorCode::Internal, fmt::format("{}: {}", directory.string(), ec.message()));
    }
    if (created) {
        // The new directories' own entries must survive a power loss too.
        if (auto ok = syncDirectory(directory.parent_path().string()); !ok) {
            return ok;
        }
        if (auto ok = syncDirectory(directory.parent_path().parent_path().string()); !ok) {
            return ok;
        }
    }
    if (::rename(source.c_str(), target.c_str()) != 0) {
        return fail(ErrorCode::Internal,
                    fmt::format("{} -> {}: rename: {}", source, target.string(), osError(errno)));
    }
    return syncDirectory(directory.string());
}

Status BlobFiles::remove(const Digest& digest) const {
    std::string path = pathOf(digest);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
        return fail(ErrorCode::Internal, fmt::format("{}: unlink: {}", path, osError(errno)));
    }
    return {};
}

} // namespace pilot::registry
