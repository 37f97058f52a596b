#pragma once

#include "engine/registry/storage/registrystorage.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

namespace pilot::registry::test {

/// A fresh private directory under the system temp dir, removed with everything in it.
class TempDir {
public:
    TempDir() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "pilot-registry-XXXXXX").string();
        if (char* made = ::mkdtemp(pattern.data())) {
            m_path = made;
        }
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(m_path, ignored);
    }

    [[nodiscard]] const std::filesystem::path& path() const { return m_path; }
    [[nodiscard]] std::string str() const { return m_path.string(); }

private:
    std::filesystem::path m_path;
};

/// Opens storage under `root`, failing the test when it cannot.
inline std::unique_ptr<RegistryStorage> openStorage(const std::string& root,
                                                    const Clock* clock = nullptr) {
    auto storage = RegistryStorage::open(StorageOptions{root, clock});
    EXPECT_TRUE(storage.has_value()) << (storage ? "" : storage.error().message);
    return storage ? std::move(*storage) : nullptr;
}

/// Pushes `content` to `repository` in one monolithic upload and returns its digest.
inline Digest pushBlob(RegistryStorage& storage, const std::string& repository,
                       const std::string& content) {
    Digest digest = Digest::sha256(content);
    auto session = storage.uploads().start(repository);
    EXPECT_TRUE(session.has_value());
    auto appender = storage.uploads().append(repository, session->id, std::nullopt);
    EXPECT_TRUE(appender.has_value());
    EXPECT_TRUE((*appender)->write(content).has_value());
    EXPECT_TRUE((*appender)->finish().has_value());
    appender->reset();
    auto blob = storage.uploads().complete(repository, session->id, digest);
    EXPECT_TRUE(blob.has_value()) << (blob ? "" : blob.error().message);
    return digest;
}

/// The whole content of an open blob.
inline std::string readAll(const OpenBlob& blob) {
    std::string out(blob.size, '\0');
    size_t done = 0;
    while (done < out.size()) {
        auto got = readAt(blob.fd.get(), done, out.data() + done, out.size() - done, "blob");
        if (!got || *got == 0) {
            break;
        }
        done += *got;
    }
    out.resize(done);
    return out;
}

/// A minimal OCI image manifest naming `config` and `layers`, with optional extras.
inline std::string imageManifest(const Digest& config, size_t configSize,
                                 const std::vector<std::pair<Digest, size_t>>& layers,
                                 const std::string& extra = {}) {
    std::ostringstream out;
    out << R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
        << R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")"
        << config.str() << R"(","size":)" << configSize << R"(},"layers":[)";
    for (size_t i = 0; i < layers.size(); ++i) {
        out << (i ? "," : "")
            << R"({"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":")"
            << layers[i].first.str() << R"(","size":)" << layers[i].second << "}";
    }
    out << "]" << extra << "}";
    return out.str();
}

} // namespace pilot::registry::test
