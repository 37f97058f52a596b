#pragma once

// Test support for the agent's image code: tarballs and OCI image layouts made with libarchive
// (layers from Debian's busybox-static), so tests need no image from a hub.

#include <cstdint>
#include <string>
#include <vector>

namespace pilot::agent::testing {

struct TarEntry {
    enum class Kind { File, Directory, Symlink, Hardlink, CharDevice, Fifo };
    Kind kind = Kind::File;
    std::string path;
    std::string data;     ///< File content.
    std::string linkname; ///< Symlink or hard link target.
    unsigned mode = 0644;
    int64_t uid = 0;
    int64_t gid = 0;
    std::vector<std::pair<std::string, std::string>> xattrs;

    static TarEntry file(std::string path, std::string data, unsigned mode = 0644);
    static TarEntry dir(std::string path, unsigned mode = 0755);
    static TarEntry symlink(std::string path, std::string target);
    static TarEntry hardlink(std::string path, std::string target);
};

enum class TarCompression { None, Gzip, Zstd };

/// An uncompressed POSIX (pax) tar stream of the entries, in order.
[[nodiscard]] std::string buildTar(const std::vector<TarEntry>& entries);
[[nodiscard]] std::string compress(const std::string& data, TarCompression compression);
[[nodiscard]] std::string sha256Hex(const std::string& data);

/// One layer of an image under construction.
struct LayerBlob {
    std::string tar;        ///< Uncompressed (its sha256 is the diff ID).
    std::string compressed; ///< As pushed.
    TarCompression compression = TarCompression::Gzip;
};

[[nodiscard]] LayerBlob makeLayer(const std::vector<TarEntry>& entries,
                                  TarCompression compression = TarCompression::Gzip);

/// The entries of a busybox root filesystem: /bin/busybox from busybox-static, a symlink per
/// applet, /etc/passwd and /etc/group (root, nobody, www=1000), /tmp, /www/index.html.
[[nodiscard]] std::vector<TarEntry> busyboxRootfs(const std::string& indexHtml);

struct ImageSpec {
    std::vector<LayerBlob> layers;
    std::vector<std::string> entrypoint;
    std::vector<std::string> cmd = {"sh"};
    std::vector<std::string> env = {
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
    std::string workingDir;
    std::string user;
    std::string architecture = "amd64";
    std::string os = "linux";
};

/// Writes an OCI image layout in `dir` (created) whose index.json tags the image `tag`. With
/// `extraPlatforms`, the tag names an image index holding the image plus one copy per extra
/// architecture (same layers, that architecture in its config), as multi-arch images do.
/// Returns the digest (`sha256:...`) of what the tag points to.
std::string writeOciLayout(const std::string& dir, const std::string& tag, const ImageSpec& image,
                           const std::vector<std::string>& extraPlatforms = {});

/// The config digest (image ID) writeOciLayout gives `image` for its own architecture.
[[nodiscard]] std::string imageIdOf(const ImageSpec& image);

} // namespace pilot::agent::testing
