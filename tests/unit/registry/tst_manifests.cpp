#include "tests/unit/registry/registrytestutil.h"

#include <gtest/gtest.h>

namespace pilot::registry::test {
namespace {

constexpr std::string_view OciManifest = "application/vnd.oci.image.manifest.v1+json";

struct Pushed {
    std::string bytes;
    Digest digest;
    ManifestDocument document;
};

Pushed makeImage(RegistryStorage& storage, const std::string& repository, const std::string& seed,
                 const std::string& extra = {}) {
    std::string config = R"({"architecture":"amd64","os":"linux","seed":")" + seed + R"("})";
    std::string layer = "layer of " + seed;
    Digest configDigest = pushBlob(storage, repository, config);
    Digest layerDigest = pushBlob(storage, repository, layer);
    std::string bytes =
        imageManifest(configDigest, config.size(), {{layerDigest, layer.size()}}, extra);
    auto document = parseManifest(bytes, OciManifest);
    EXPECT_TRUE(document.has_value());
    return Pushed{bytes, Digest::sha256(bytes), *document};
}

TEST(Manifests, StoresExactBytesByTagAndDigest) {
    TempDir dir;
    auto storage = openStorage(dir.str());
    ASSERT_TRUE(storage);
    Pushed image = makeImage(*storage, "library/busybox", "one");
    ASSERT_TRUE(storage->manifests()
                    .put("library/busybox", image.bytes, image.digest, image.document, "1.36")
                    .has_value());
    auto byTag = storage->manifests().byTag("library/busybox", "1.36");
    ASSERT_TRUE(byTag.has_value() && byTag->has_value());
    EXPECT_EQ((*byTag)->content, image.bytes);
    EXPECT_EQ((*byTag)->digest, image.digest);
    EXPECT_EQ((*byTag)->mediaType, OciManifest);
    auto byDigest = storage->manifests().byDigest("library/busybox", image.digest);
    ASSERT_TRUE(byDigest.has_value() && byDigest->has_value());
    EXPECT_EQ((*byDigest)->content, image.bytes);
    auto elsewhere = storage->manifests().byDigest("library/other", image.digest);
    ASSERT_TRUE(elsewhere.has_value());
    EXPECT_FALSE(elsewhere->has_value()) << "manifests belong to their repository";
}

TEST(Manifests, RefusesAManifestWhoseBlobsTheRepositoryDoesNotHold) {
    TempDir dir;
    auto storage = openStorage(dir.str());
    ASSERT_TRUE(storage);
    Pushed image = makeImage(*storage, "a", "x");
    auto put = storage->manifests().put("b", image.bytes, image.digest, image.document, "v1");
    ASSERT_FALSE(put.has_value());
    EXPECT_EQ(put.error().code, ErrorCode::NotFound);
    EXPECT_NE(put.error().message.find(image.document.blobs[0].str()), std::string::npos);
    auto tags = storage->manifests().tags("b", Unlimited, "");
    ASSERT_TRUE(tags.has_value());
    EXPECT_FALSE(tags->has_value()) << "a refused push creates nothing";
}

TEST(Manifests, TagListsPageInLexicalOrder) {
    TempDir dir;
    auto storage = openStorage(dir.str());
    ASSERT_TRUE(storage);
    Pushed image = makeImage(*storage, "r", "x");
    for (std::string tag : {"b", "a", "latest", "B", "1.0"}) {
        ASSERT_TRUE(storage->manifests().put("r", image.bytes, image.digest, image.document, tag));
    }
    auto all = storage->manifests().tags("r", Unlimited, "");
    ASSERT_TRUE(all.has_value() && all->has_value());
    EXPECT_EQ((*all)->names, (std::vector<std::string>{"1.0", "B", "a", "b", "latest"}));
    EXPECT_FALSE((*all)->more);
    auto first = storage->manifests().tags("r", 2, "");
    EXPECT_EQ((*first)->names, (std::vector<std::string>{"1.0", "B"}));
    EXPECT_TRUE((*first)->more);
    auto next = storage->manifests().tags("r", 2, "B");
    EXPECT_EQ((*next)->names, (std::vector<std::string>{"a", "b"}));
    EXPECT_TRUE((*next)->more);
    auto last = storage->manifests().tags("r", 2, "b");
    EXPECT_EQ((*last)->names, (std::vector<std::string>{"latest"}));
    EXPECT_FALSE((*last)->more);
    auto none = storage->manifests().tags("r", 0, "");
    EXPECT_TRUE((*none)->names.empty());
}

TEST(Manifests, UntagKeepsTheManifestAndDeleteRemovesEveryTag) {
    TempDir dir;
    auto storage = openStorage(dir.str());
    ASSERT_TRUE(storage);
    Pushed image = makeImage(*storage, "r", "x");
    for (std::string tag : {"v1", "v2", "v3"}) {
        ASSERT_TRUE(storage->manifests().put("r", image.bytes, image.digest, image.document, tag));
    }
    auto untagged = storage->manifests().untag("r", "v2");
    ASSERT_TRUE(untagged.has_value());
    EXPECT_TRUE(*untagged);
    EXPECT_FALSE(storage->manifests().byTag("r", "v2")->has_value());
    EXPECT_TRUE(storage->manifests().byTag("r", "v1")->has_value());
    EXPECT_TRUE(storage->manifests().byDigest("r", image.digest)->has_value());
    EXPECT_FALSE(*storage->manifests().untag("r", "v2"));

    auto removed = storage->manifests().remove("r", image.digest);
    ASSERT_TRUE(removed.has_value());
    EXPECT_TRUE(*removed);
    EXPECT_FALSE(storage->manifests().byDigest("r", image.digest)->has_value());
    EXPECT_FALSE(storage->manifests().byTag("r", "v1")->has_value());
    auto tags = storage->manifests().tags("r", Unlimited, "");
    ASSERT_TRUE(tags.has_value() && tags->has_value());
    EXPECT_TRUE((*tags)->names.empty()) << "an emptied repository lists no tags (not null)";
    EXPECT_FALSE(*storage->manifests().remove("r", image.digest));
}

TEST(Manifests, CatalogListsRepositoriesWithManifestsInPages) {
    TempDir dir;
    auto storage = openStorage(dir.str());
    ASSERT_TRUE(storage);
    for (std::string repository : {"team/b", "library/busybox", "team/a"}) {
        Pushed image = makeImage(*storage, repository, repository);
        ASSERT_TRUE(
            storage->manifests().put(repository, image.bytes, image.digest, image.document, "1"));
    }
    pushBlob(*storage, "blobs/only", "no manifest here");
    auto all = storage->manifests().repositories(Unlimited, "");
    ASSERT_TRUE(all.has_value());
    EXPECT_EQ(all->names, (std::vector<std::string>{"library/busybox", "team/a", "team/b"}));
    auto page = storage->manifests().repositories(1, "library/busybox");
    ASSERT_TRUE(page.has_value());
    EXPECT_EQ(page->names, (std::vector<std::string>{"team/a"}));
    EXPECT_TRUE(page->more);

    // The same manifest pushed twice counts once; deleting it empties the repository.
    Pushed extra = makeImage(*storage, "team/a", "second");
    ASSERT_TRUE(storage->manifests().put("team/a", extra.bytes, extra.digest, extra.document, "2"));
    ASSERT_TRUE(storage->manifests().put("team/a", extra.bytes, extra.digest, extra.document, "3"));
    ASSERT_TRUE(*storage->manifests().remove("team/a", extra.digest));
    EXPECT_EQ(storage->manifests().repositories(Unlimited, "")->names.size(), 3u);
    auto first = storage->manifests().byTag("team/a", "1");
    ASSERT_TRUE(first.has_value() && first->has_value());
    ASSERT_TRUE(*storage->manifests().remove("team/a", (*first)->digest));
    EXPECT_EQ(storage->manifests().repositories(Unlimited, "")->names,
              (std::vector<std::string>{"library/busybox", "team/b"}))
        << "a repository without manifests leaves the catalog";
}

TEST(Manifests, ReferrersAreTheManifestsWhoseSubjectIsTheDigest) {
    TempDir dir;
    auto storage = openStorage(dir.str());
    ASSERT_TRUE(storage);
    Pushed subject = makeImage(*storage, "r", "subject");
    std::string subjectField =
        R"(,"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
        subject.digest.str() + R"(","size":)" + std::to_string(subject.bytes.size()) + "}";
    // Pushed before its subject: allowed.
    Pushed signature = makeImage(
        *storage, "r", "sig",
        subjectField + R"(,"artifactType":"application/vnd.example.sig","annotations":{"k":"v"})");
    ASSERT_TRUE(
        storage->manifests().put("r", signature.bytes, signature.digest, signature.document, {}));
    Pushed sbom = makeImage(*storage, "r", "sbom", subjectField);
    ASSERT_TRUE(storage->manifests().put("r", sbom.bytes, sbom.digest, sbom.document, {}));
    ASSERT_TRUE(
        storage->manifests().put("r", subject.bytes, subject.digest, subject.document, "v1"));

    auto referrers = storage->manifests().referrers("r", subject.digest);
    ASSERT_TRUE(referrers.has_value());
    ASSERT_EQ(referrers->size(), 2u);
    EXPECT_EQ((*referrers)[0].digest, signature.digest);
    EXPECT_EQ((*referrers)[0].artifactType, "application/vnd.example.sig");
    EXPECT_EQ((*referrers)[0].annotationsJson, R"({"k":"v"})");
    EXPECT_EQ((*referrers)[0].size, signature.bytes.size());
    EXPECT_EQ((*referrers)[1].digest, sbom.digest);
    EXPECT_EQ((*referrers)[1].artifactType, "application/vnd.oci.image.config.v1+json")
        << "without artifactType, the config media type";
    EXPECT_TRUE(storage->manifests().referrers("other", subject.digest)->empty());
}

} // namespace
} // namespace pilot::registry::test
