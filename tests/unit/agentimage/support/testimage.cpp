#include "tests/unit/agentimage/support/testimage.h"

#include <archive.h>
#include <archive_entry.h>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <openssl/evp.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pilot::agent::testing {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

la_ssize_t appendToString(archive*, void* context, const void* buffer, size_t length) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(buffer), length);
    return static_cast<la_ssize_t>(length);
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

void writeFile(const std::string& path, const std::string& data) {
    std::ofstream out(path, std::ios::binary);
    out << data;
}

std::string runAndCapture(const std::string& command) {
    std::string out;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
        return out;
    }
    std::array<char, 4096> buffer{};
    size_t n = 0;
    while ((n = ::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
        out.append(buffer.data(), n);
    }
    ::pclose(pipe);
    return out;
}

json::array stringArray(const std::vector<std::string>& items) {
    json::array out;
    for (const auto& item : items) {
        out.emplace_back(item);
    }
    return out;
}

std::string layerMediaType(TarCompression compression) {
    switch (compression) {
    case TarCompression::Gzip:
        return "application/vnd.oci.image.layer.v1.tar+gzip";
    case TarCompression::Zstd:
        return "application/vnd.oci.image.layer.v1.tar+zstd";
    case TarCompression::None:
        break;
    }
    return "application/vnd.oci.image.layer.v1.tar";
}

std::string configJson(const ImageSpec& image, const std::string& architecture) {
    json::object config;
    if (!image.entrypoint.empty()) {
        config["Entrypoint"] = stringArray(image.entrypoint);
    }
    if (!image.cmd.empty()) {
        config["Cmd"] = stringArray(image.cmd);
    }
    config["Env"] = stringArray(image.env);
    if (!image.workingDir.empty()) {
        config["WorkingDir"] = image.workingDir;
    }
    if (!image.user.empty()) {
        config["User"] = image.user;
    }
    std::vector<std::string> diffIds;
    for (const auto& layer : image.layers) {
        diffIds.push_back("sha256:" + sha256Hex(layer.tar));
    }
    json::object root;
    root["architecture"] = architecture;
    root["os"] = image.os;
    root["config"] = config;
    root["rootfs"] = json::object{{"type", "layers"}, {"diff_ids", stringArray(diffIds)}};
    return json::serialize(root);
}

json::object descriptor(const std::string& mediaType, const std::string& data) {
    return json::object{
        {"mediaType", mediaType}, {"digest", "sha256:" + sha256Hex(data)}, {"size", data.size()}};
}

} // namespace

TarEntry TarEntry::file(std::string path, std::string data, unsigned mode) {
    TarEntry entry;
    entry.kind = Kind::File;
    entry.path = std::move(path);
    entry.data = std::move(data);
    entry.mode = mode;
    return entry;
}

TarEntry TarEntry::dir(std::string path, unsigned mode) {
    TarEntry entry;
    entry.kind = Kind::Directory;
    entry.path = std::move(path);
    entry.mode = mode;
    return entry;
}

TarEntry TarEntry::symlink(std::string path, std::string target) {
    TarEntry entry;
    entry.kind = Kind::Symlink;
    entry.path = std::move(path);
    entry.linkname = std::move(target);
    entry.mode = 0777;
    return entry;
}

TarEntry TarEntry::hardlink(std::string path, std::string target) {
    TarEntry entry;
    entry.kind = Kind::Hardlink;
    entry.path = std::move(path);
    entry.linkname = std::move(target);
    return entry;
}

std::string buildTar(const std::vector<TarEntry>& entries) {
    std::string out;
    archive* a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_set_bytes_in_last_block(a, 1);
    archive_write_open(a, &out, nullptr, appendToString, nullptr);
    for (const TarEntry& e : entries) {
        archive_entry* entry = archive_entry_new();
        archive_entry_set_pathname(entry, e.path.c_str());
        archive_entry_set_uid(entry, e.uid);
        archive_entry_set_gid(entry, e.gid);
        archive_entry_set_mtime(entry, 1700000000, 0);
        switch (e.kind) {
        case TarEntry::Kind::File:
            archive_entry_set_filetype(entry, AE_IFREG);
            archive_entry_set_size(entry, static_cast<la_int64_t>(e.data.size()));
            break;
        case TarEntry::Kind::Directory:
            archive_entry_set_filetype(entry, AE_IFDIR);
            break;
        case TarEntry::Kind::Symlink:
            archive_entry_set_filetype(entry, AE_IFLNK);
            archive_entry_set_symlink(entry, e.linkname.c_str());
            break;
        case TarEntry::Kind::Hardlink:
            archive_entry_set_filetype(entry, AE_IFREG);
            archive_entry_set_hardlink(entry, e.linkname.c_str());
            break;
        case TarEntry::Kind::CharDevice:
            archive_entry_set_filetype(entry, AE_IFCHR);
            break;
        case TarEntry::Kind::Fifo:
            archive_entry_set_filetype(entry, AE_IFIFO);
            break;
        }
        archive_entry_set_perm(entry, e.mode);
        for (const auto& [name, value] : e.xattrs) {
            archive_entry_xattr_add_entry(entry, name.c_str(), value.data(), value.size());
        }
        archive_write_header(a, entry);
        if (e.kind == TarEntry::Kind::File && !e.data.empty()) {
            archive_write_data(a, e.data.data(), e.data.size());
        }
        archive_entry_free(entry);
    }
    archive_write_close(a);
    archive_write_free(a);
    return out;
}

std::string compress(const std::string& data, TarCompression compression) {
    if (compression == TarCompression::None) {
        return data;
    }
    std::string out;
    archive* a = archive_write_new();
    archive_write_set_format_raw(a);
    if (compression == TarCompression::Gzip) {
        archive_write_add_filter_gzip(a);
    } else {
        archive_write_add_filter_zstd(a);
    }
    archive_write_set_bytes_in_last_block(a, 1);
    archive_write_open(a, &out, nullptr, appendToString, nullptr);
    archive_entry* entry = archive_entry_new();
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_pathname(entry, "layer");
    archive_entry_set_size(entry, static_cast<la_int64_t>(data.size()));
    archive_write_header(a, entry);
    archive_write_data(a, data.data(), data.size());
    archive_entry_free(entry);
    archive_write_close(a);
    archive_write_free(a);
    return out;
}

std::string sha256Hex(const std::string& data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int length = 0;
    EVP_Digest(data.data(), data.size(), md.data(), &length, EVP_sha256(), nullptr);
    static constexpr char Hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out.push_back(Hex[md[i] >> 4]);
        out.push_back(Hex[md[i] & 0xF]);
    }
    return out;
}

LayerBlob makeLayer(const std::vector<TarEntry>& entries, TarCompression compression) {
    LayerBlob layer;
    layer.tar = buildTar(entries);
    layer.compressed = compress(layer.tar, compression);
    layer.compression = compression;
    return layer;
}

std::vector<TarEntry> busyboxRootfs(const std::string& indexHtml) {
    std::vector<TarEntry> entries;
    for (const char* dir : {"bin", "etc", "proc", "sys", "dev", "root", "www", "home", "home/www",
                            "var", "usr", "usr/bin", "sbin"}) {
        entries.push_back(TarEntry::dir(dir));
    }
    entries.push_back(TarEntry::dir("tmp", 01777));
    entries.push_back(TarEntry::file("bin/busybox", readFile("/bin/busybox"), 0755));
    std::istringstream applets(runAndCapture("/bin/busybox --list"));
    std::string applet;
    while (std::getline(applets, applet)) {
        if (!applet.empty() && applet != "busybox") {
            entries.push_back(TarEntry::symlink("bin/" + applet, "busybox"));
        }
    }
    entries.push_back(TarEntry::file("etc/passwd",
                                     "root:x:0:0:root:/root:/bin/sh\n"
                                     "www:x:1000:1000:www:/home/www:/bin/sh\n"
                                     "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"));
    entries.push_back(TarEntry::file("etc/group", "root:x:0:\nwww:x:1000:\nstaff:x:50:www\n"
                                                  "nogroup:x:65534:\n"));
    entries.push_back(TarEntry::file("www/index.html", indexHtml));
    return entries;
}

std::string imageIdOf(const ImageSpec& image) {
    return "sha256:" + sha256Hex(configJson(image, image.architecture));
}

std::string writeOciLayout(const std::string& dir, const std::string& tag, const ImageSpec& image,
                           const std::vector<std::string>& extraPlatforms) {
    fs::create_directories(dir + "/blobs/sha256");
    auto putBlob = [&](const std::string& data) {
        writeFile(dir + "/blobs/sha256/" + sha256Hex(data), data);
    };
    json::array layers;
    for (const auto& layer : image.layers) {
        putBlob(layer.compressed);
        layers.push_back(descriptor(layerMediaType(layer.compression), layer.compressed));
    }
    auto manifestFor = [&](const std::string& architecture) {
        std::string config = configJson(image, architecture);
        putBlob(config);
        json::object manifest{
            {"schemaVersion", 2},
            {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
            {"config", descriptor("application/vnd.oci.image.config.v1+json", config)},
            {"layers", layers}};
        std::string text = json::serialize(manifest);
        putBlob(text);
        return text;
    };
    std::string top = manifestFor(image.architecture);
    std::string topType = "application/vnd.oci.image.manifest.v1+json";
    if (!extraPlatforms.empty()) {
        json::array manifests;
        std::vector<std::string> architectures = extraPlatforms;
        architectures.push_back(image.architecture); // Last: selection must really select.
        for (const auto& architecture : architectures) {
            std::string manifest = manifestFor(architecture);
            json::object entry = descriptor("application/vnd.oci.image.manifest.v1+json", manifest);
            json::object platform{{"os", image.os}, {"architecture", architecture}};
            if (architecture == "arm64") {
                platform["variant"] = "v8";
            }
            entry["platform"] = platform;
            manifests.push_back(entry);
        }
        json::object index{{"schemaVersion", 2},
                           {"mediaType", "application/vnd.oci.image.index.v1+json"},
                           {"manifests", manifests}};
        top = json::serialize(index);
        putBlob(top);
        topType = "application/vnd.oci.image.index.v1+json";
    }
    json::object entry = descriptor(topType, top);
    entry["annotations"] = json::object{{"org.opencontainers.image.ref.name", tag}};
    json::object index{{"schemaVersion", 2}, {"manifests", json::array{entry}}};
    writeFile(dir + "/index.json", json::serialize(index));
    writeFile(dir + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
    return "sha256:" + sha256Hex(top);
}

} // namespace pilot::agent::testing
