#pragma once

#include "engine/registry/management/registrymanagement.h"
#include "tests/unit/registry/registrytestutil.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pilot::registry::test {

/// Storage plus the management layer on a manual clock, without the background thread (tests
/// call `tick` and `waitForJobs`).
class ManagementFixture : public ::testing::Test {
protected:
    void SetUp() override {
        storage = openStorage(dir.str(), &clock);
        ASSERT_TRUE(storage);
        management::ManagementOptions options;
        options.background = false;
        auto opened = management::RegistryManagement::open(*storage, options, &clock);
        ASSERT_TRUE(opened.has_value()) << opened.error().message;
        mgmt = std::move(*opened);
    }
    void TearDown() override { mgmt.reset(); }

    struct Image {
        Digest manifest;
        std::vector<Digest> blobs;
        size_t bytes = 0; ///< config + layer + manifest
    };

    /// Pushes a one-layer image (layer of `layerSize` bytes) tagged `tag` (none when empty).
    Image pushImage(const std::string& repository, const std::string& seed, const std::string& tag,
                    size_t layerSize = 64) {
        std::string config = "config " + seed;
        std::string layer = "layer " + seed;
        layer.resize(std::max(layer.size(), layerSize), '.');
        Digest c = pushBlob(*storage, repository, config);
        Digest l = pushBlob(*storage, repository, layer);
        std::string bytes = imageManifest(c, config.size(), {{l, layer.size()}});
        auto document = parseManifest(bytes, mediatype::OciManifest);
        EXPECT_TRUE(document.has_value());
        Digest digest = Digest::sha256(bytes);
        std::optional<std::string_view> tagged;
        if (!tag.empty()) {
            tagged = tag;
        }
        auto put = storage->manifests().put(repository, bytes, digest, *document, tagged);
        EXPECT_TRUE(put.has_value()) << (put ? "" : put.error().message);
        return {digest, {c, l}, config.size() + layer.size() + bytes.size()};
    }

    TempDir dir;
    ManualClock clock{std::chrono::system_clock::now()};
    std::unique_ptr<RegistryStorage> storage;
    std::unique_ptr<management::RegistryManagement> mgmt;
};

} // namespace pilot::registry::test
