#include "nodeagent/image/layerunpacker.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <vector>

namespace pilot::agent::image {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view WhiteoutPrefix = ".wh.";
constexpr std::string_view WhiteoutMetaPrefix = ".wh..wh.";
constexpr std::string_view OpaqueMarker = ".wh..wh..opq";
constexpr const char* OpaqueXattr = "trusted.overlay.opaque";

struct ArchiveDeleter {
    void operator()(archive* a) const { archive_read_free(a); }
};
struct DiskDeleter {
    void operator()(archive* a) const { archive_write_free(a); }
};

/// Path components of an entry name, cleaned as Go's Clean("/"+name): empty and `.` dropped,
/// `..` pops (never above the root).
std::vector<std::string> cleanComponents(std::string_view name) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (start <= name.size()) {
        size_t slash = name.find('/', start);
        std::string_view part = name.substr(start, slash - start);
        if (part == "..") {
            if (!parts.empty()) {
                parts.pop_back();
            }
        } else if (!part.empty() && part != ".") {
            parts.emplace_back(part);
        }
        if (slash == std::string_view::npos) {
            break;
        }
        start = slash + 1;
    }
    return parts;
}

std::string joinPath(const std::string& root, const std::vector<std::string>& parts, size_t count) {
    std::string out = root;
    for (size_t i = 0; i < count && i < parts.size(); ++i) {
        out += '/';
        out += parts[i];
    }
    return out;
}

struct Pipeline {
    const ChunkSource* source = nullptr;
    std::optional<Error> sourceError;
    bool sourceDone = false;
    archive* inner = nullptr;
    Sha256 diffHash;
    uint64_t tarBytes = 0;
    std::string root;
};

la_ssize_t readSource(archive* a, void* context, const void** buffer) {
    auto* p = static_cast<Pipeline*>(context);
    if (p->sourceDone) {
        return 0;
    }
    auto chunk = (*p->source)();
    if (!chunk) {
        p->sourceError = chunk.error();
        archive_set_error(a, EIO, "%s", chunk.error().message.c_str());
        return -1;
    }
    if (chunk->empty()) {
        p->sourceDone = true;
        return 0;
    }
    *buffer = chunk->data();
    return static_cast<la_ssize_t>(chunk->size());
}

/// The tar reader's input: the decompressed stream, hashed on the way for the diff ID.
la_ssize_t readDecompressed(archive* a, void* context, const void** buffer) {
    auto* p = static_cast<Pipeline*>(context);
    size_t size = 0;
    la_int64_t offset = 0;
    int r = archive_read_data_block(p->inner, buffer, &size, &offset);
    if (r == ARCHIVE_EOF) {
        return 0;
    }
    if (r < ARCHIVE_WARN) {
        archive_set_error(a, EIO, "%s", archive_error_string(p->inner));
        return -1;
    }
    p->diffHash.update(*buffer, size);
    p->tarBytes += size;
    return static_cast<la_ssize_t>(size);
}

/// Fails when a component of root/parts[0..count) is a symlink (extraction must never follow
/// one); creates missing directories when `create` is set.
Status checkNoSymlinks(const std::string& root, const std::vector<std::string>& parts, size_t count,
                       bool create, std::string_view entry) {
    std::string path = root;
    for (size_t i = 0; i < count; ++i) {
        path += '/';
        path += parts[i];
        struct stat st {};
        if (::lstat(path.c_str(), &st) != 0) {
            if (errno != ENOENT) {
                return fail(ErrorCode::Internal,
                            fmt::format("cannot inspect {}: {}", path, std::strerror(errno)));
            }
            if (!create) {
                return {};
            }
            if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
                return fail(ErrorCode::Internal,
                            fmt::format("cannot create {}: {}", path, std::strerror(errno)));
            }
            continue;
        }
        if (S_ISLNK(st.st_mode)) {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("layer entry \"{}\" goes through the symlink \"{}\"", entry,
                                    path.substr(root.size() + 1)));
        }
        if (!S_ISDIR(st.st_mode) && i + 1 < count) {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("layer entry \"{}\": \"{}\" is not a directory", entry,
                                    path.substr(root.size() + 1)));
        }
    }
    return {};
}

Status applyWhiteout(const std::string& root, std::vector<std::string> parts,
                     std::string_view entry) {
    std::string base = parts.back();
    parts.pop_back();
    if (auto status = checkNoSymlinks(root, parts, parts.size(), true, entry); !status) {
        return status;
    }
    std::string dir = joinPath(root, parts, parts.size());
    if (base == OpaqueMarker) {
        if (::lsetxattr(dir.c_str(), OpaqueXattr, "y", 1, 0) != 0) {
            return fail(ErrorCode::Internal,
                        fmt::format("cannot mark {} opaque: {}", dir, std::strerror(errno)));
        }
        return {};
    }
    if (base.starts_with(WhiteoutMetaPrefix)) {
        return {}; // AUFS bookkeeping (.wh..wh.plnk, .wh..wh.aufs): nothing to apply.
    }
    std::string name = base.substr(WhiteoutPrefix.size());
    if (name.empty() || name == "." || name == "..") {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("layer entry \"{}\": invalid whiteout", entry));
    }
    std::string target = dir + "/" + name;
    std::error_code ec;
    fs::remove_all(target, ec); // A same-layer entry of that name is superseded.
    if (::mknod(target.c_str(), S_IFCHR | 0, makedev(0, 0)) != 0) {
        return fail(ErrorCode::Internal,
                    fmt::format("cannot create whiteout {}: {}", target, std::strerror(errno)));
    }
    return {};
}

/// Drops overlayfs xattrs an archive could use to redirect or hide lower-layer content.
void filterXattrs(archive_entry* entry) {
    struct Xattr {
        std::string name;
        std::string value;
    };
    std::vector<Xattr> keep;
    bool dropped = false;
    archive_entry_xattr_reset(entry);
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    while (archive_entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK) {
        std::string_view n(name);
        if (n.starts_with("trusted.overlay.") || n.starts_with("user.overlay.")) {
            dropped = true;
            continue;
        }
        keep.push_back({std::string(n), std::string(static_cast<const char*>(value), size)});
    }
    if (!dropped) {
        return;
    }
    archive_entry_xattr_clear(entry);
    for (const Xattr& x : keep) {
        archive_entry_xattr_add_entry(entry, x.name.c_str(), x.value.data(), x.value.size());
    }
}

} // namespace

Result<UnpackStats> unpackLayer(const ChunkSource& source, const std::string& directory) {
    Pipeline p;
    p.source = &source;
    p.root = directory;
    while (p.root.size() > 1 && p.root.back() == '/') {
        p.root.pop_back();
    }
    auto failWith = [&](ErrorCode code, std::string message) -> Result<UnpackStats> {
        if (p.sourceError) {
            return std::unexpected(*p.sourceError);
        }
        return fail(code, std::move(message));
    };

    std::unique_ptr<archive, ArchiveDeleter> inner(archive_read_new());
    archive_read_support_filter_all(inner.get());
    archive_read_support_format_raw(inner.get());
    p.inner = inner.get();
    if (archive_read_open(inner.get(), &p, nullptr, readSource, nullptr) != ARCHIVE_OK) {
        return failWith(ErrorCode::InvalidArgument,
                        fmt::format("layer: {}", archive_error_string(inner.get())));
    }
    archive_entry* rawEntry = nullptr;
    int r = archive_read_next_header(inner.get(), &rawEntry);
    bool emptyStream = r == ARCHIVE_EOF;
    if (r < ARCHIVE_WARN && !emptyStream) {
        return failWith(ErrorCode::InvalidArgument,
                        fmt::format("layer: {}", archive_error_string(inner.get())));
    }

    std::unique_ptr<archive, ArchiveDeleter> outer(archive_read_new());
    archive_read_support_format_tar(outer.get());
    archive_read_support_format_empty(outer.get());
    std::unique_ptr<archive, DiskDeleter> disk(archive_write_disk_new());
    archive_write_disk_set_options(disk.get(), ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |
                                                   ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_XATTR |
                                                   ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                                   ARCHIVE_EXTRACT_SECURE_NODOTDOT);
    UnpackStats stats;
    if (!emptyStream) {
        if (archive_read_open(outer.get(), &p, nullptr, readDecompressed, nullptr) != ARCHIVE_OK) {
            return failWith(
                ErrorCode::InvalidArgument,
                fmt::format("layer: not a tar archive: {}", archive_error_string(outer.get())));
        }
        archive_entry* entry = nullptr;
        while (true) {
            r = archive_read_next_header(outer.get(), &entry);
            if (r == ARCHIVE_EOF) {
                break;
            }
            if (r < ARCHIVE_WARN) {
                return failWith(ErrorCode::InvalidArgument,
                                fmt::format("layer: {}", archive_error_string(outer.get())));
            }
            ++stats.entries;
            const char* rawName = archive_entry_pathname(entry);
            std::string name = rawName != nullptr ? rawName : "";
            auto parts = cleanComponents(name);
            if (parts.empty()) {
                continue; // The layer root itself.
            }
            if (parts.back().starts_with(WhiteoutPrefix)) {
                if (auto status = applyWhiteout(p.root, parts, name); !status) {
                    return failWith(status.error().code, status.error().message);
                }
                continue;
            }
            if (auto status = checkNoSymlinks(p.root, parts, parts.size() - 1, false, name);
                !status) {
                return failWith(status.error().code, status.error().message);
            }
            if (const char* link = archive_entry_hardlink(entry); link != nullptr) {
                auto target = cleanComponents(link);
                if (target.empty()) {
                    return failWith(
                        ErrorCode::InvalidArgument,
                        fmt::format("layer entry \"{}\": hard link to the layer root", name));
                }
                if (auto status = checkNoSymlinks(p.root, target, target.size() - 1, false, name);
                    !status) {
                    return failWith(status.error().code, status.error().message);
                }
                std::string targetPath = joinPath(p.root, target, target.size());
                struct stat st {};
                if (::lstat(targetPath.c_str(), &st) != 0) {
                    return failWith(ErrorCode::InvalidArgument,
                                    fmt::format("layer entry \"{}\": hard link to \"{}\" which "
                                                "is not in this layer",
                                                name, link));
                }
                archive_entry_set_hardlink(entry, targetPath.c_str());
            }
            std::string path = joinPath(p.root, parts, parts.size());
            archive_entry_set_pathname(entry, path.c_str());
            filterXattrs(entry);
            r = archive_write_header(disk.get(), entry);
            if (r < ARCHIVE_WARN) {
                return failWith(
                    ErrorCode::InvalidArgument,
                    fmt::format("layer entry \"{}\": {}", name, archive_error_string(disk.get())));
            }
            if (archive_entry_size(entry) > 0) {
                const void* block = nullptr;
                size_t size = 0;
                la_int64_t offset = 0;
                while (true) {
                    r = archive_read_data_block(outer.get(), &block, &size, &offset);
                    if (r == ARCHIVE_EOF) {
                        break;
                    }
                    if (r < ARCHIVE_WARN) {
                        return failWith(ErrorCode::InvalidArgument,
                                        fmt::format("layer entry \"{}\": {}", name,
                                                    archive_error_string(outer.get())));
                    }
                    if (archive_write_data_block(disk.get(), block, size, offset) < ARCHIVE_WARN) {
                        return failWith(ErrorCode::Internal,
                                        fmt::format("layer entry \"{}\": {}", name,
                                                    archive_error_string(disk.get())));
                    }
                }
            }
            if (archive_write_finish_entry(disk.get()) < ARCHIVE_WARN) {
                return failWith(ErrorCode::Internal, fmt::format("layer entry \"{}\": {}", name,
                                                                 archive_error_string(disk.get())));
            }
        }
        // The tar reader stops at the end-of-archive blocks; the diff ID covers the whole
        // stream, padding included.
        const void* block = nullptr;
        size_t size = 0;
        la_int64_t offset = 0;
        while ((r = archive_read_data_block(inner.get(), &block, &size, &offset)) == ARCHIVE_OK) {
            p.diffHash.update(block, size);
            p.tarBytes += size;
        }
        if (r < ARCHIVE_WARN) {
            return failWith(ErrorCode::InvalidArgument,
                            fmt::format("layer: {}", archive_error_string(inner.get())));
        }
    }
    if (archive_write_close(disk.get()) < ARCHIVE_WARN) {
        return failWith(ErrorCode::Internal,
                        fmt::format("layer: {}", archive_error_string(disk.get())));
    }
    // Whatever follows the compressed stream still belongs to the blob.
    while (!p.sourceDone) {
        auto chunk = source();
        if (!chunk) {
            return std::unexpected(chunk.error());
        }
        if (chunk->empty()) {
            p.sourceDone = true;
        }
    }
    stats.diffId = p.diffHash.finish();
    stats.tarBytes = p.tarBytes;
    return stats;
}

} // namespace pilot::agent::image
