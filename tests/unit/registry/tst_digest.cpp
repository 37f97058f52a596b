#include "engine/registry/storage/digest.h"
#include "engine/registry/storage/manifestdocument.h"

#include <gtest/gtest.h>

namespace pilot::registry {
namespace {

constexpr std::string_view EmptySha256 =
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(Digest, HashesKnownContent) {
    EXPECT_EQ(Digest::sha256("").str(), EmptySha256);
    EXPECT_EQ(Digest::sha256("{}").str(),
              "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
    Digest long512 = Digest::of(DigestAlgorithm::Sha512, "abc");
    EXPECT_EQ(long512.algorithmName(), "sha512");
    EXPECT_EQ(long512.hex().size(), 128u);
}

TEST(Digest, ParsesSupportedDigestsAndRejectsTheRest) {
    auto parsed = Digest::parse(EmptySha256);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->algorithm(), DigestAlgorithm::Sha256);
    EXPECT_EQ(parsed->str(), EmptySha256);

    struct Case {
        std::string_view text;
        std::string_view why;
    };
    for (const Case& c :
         {Case{"sha256:totallywrong", "not hex"},
          Case{"sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
               "upper case"},
          Case{"sha256:abc", "too short"}, Case{"sha256", "no colon"}, Case{":abc", "no algorithm"},
          Case{"md5:d41d8cd98f00b204e9800998ecf8427e", "unsupported algorithm"},
          Case{"latest", "a tag"}}) {
        EXPECT_FALSE(Digest::parse(c.text).has_value()) << c.text << " (" << c.why << ")";
    }
    EXPECT_TRUE(looksLikeDigest("md5:d41d8cd98f00b204e9800998ecf8427e"));
    EXPECT_TRUE(looksLikeDigest("sha256:totallywrong"));
    EXPECT_FALSE(looksLikeDigest("v1.2.3"));
}

TEST(Hasher, IncrementalEqualsOneShotAndClonesResumeIndependently) {
    Hasher hasher;
    hasher.update("hello ");
    Hasher copy = hasher.clone();
    hasher.update("world");
    copy.update("there");
    EXPECT_EQ(hasher.finish(), Digest::sha256("hello world"));
    EXPECT_EQ(copy.finish(), Digest::sha256("hello there"));
}

TEST(ManifestDocument, ImageManifestListsConfigAndLayersButNotForeignLayers) {
    Digest config = Digest::sha256("config");
    Digest layer = Digest::sha256("layer");
    Digest foreign = Digest::sha256("foreign");
    std::string bytes =
        R"({"schemaVersion":2,"config":{"mediaType":"application/vnd.example.thing","digest":")" +
        config.str() +
        R"(","size":6},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":")" +
        layer.str() +
        R"(","size":5},{"mediaType":"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip","digest":")" +
        foreign.str() + R"(","size":7}],"annotations":{"a":"b"}})";
    auto document = parseManifest(bytes, "application/vnd.oci.image.manifest.v1+json");
    ASSERT_TRUE(document.has_value()) << document.error().message;
    EXPECT_EQ(document->mediaType, "application/vnd.oci.image.manifest.v1+json");
    EXPECT_FALSE(document->isIndex);
    ASSERT_EQ(document->blobs.size(), 2u);
    EXPECT_EQ(document->blobs[0], config);
    EXPECT_EQ(document->blobs[1], layer);
    EXPECT_EQ(document->artifactType, "application/vnd.example.thing")
        << "without artifactType the config media type is the artifact type";
    EXPECT_EQ(document->annotationsJson, R"({"a":"b"})");
}

TEST(ManifestDocument, IndexListsManifestsAndSubject) {
    Digest child = Digest::sha256("child");
    Digest subject = Digest::sha256("subject");
    std::string bytes =
        R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","artifactType":"application/x-t","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
        child.str() +
        R"(","size":3}],"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
        subject.str() + R"(","size":9}})";
    auto document = parseManifest(bytes, "");
    ASSERT_TRUE(document.has_value()) << document.error().message;
    EXPECT_TRUE(document->isIndex);
    EXPECT_EQ(document->mediaType, "application/vnd.oci.image.index.v1+json");
    ASSERT_EQ(document->manifests.size(), 1u);
    EXPECT_EQ(document->manifests[0], child);
    ASSERT_TRUE(document->subject.has_value());
    EXPECT_EQ(*document->subject, subject);
    EXPECT_EQ(document->artifactType, "application/x-t");
}

TEST(ManifestDocument, RejectsWhatIsNotASchema2Manifest) {
    Digest config = Digest::sha256("c");
    std::string good = R"({"schemaVersion":2,"config":{"mediaType":"a/b","digest":")" +
                       config.str() + R"(","size":1},"layers":[]})";
    ASSERT_TRUE(parseManifest(good, "application/vnd.oci.image.manifest.v1+json").has_value());
    struct Case {
        std::string bytes;
        std::string contentType;
        std::string_view expect;
    };
    for (
        const Case& c : {
            Case{"blablabla", "application/vnd.oci.image.manifest.v1+json", "not JSON"},
            Case{"[]", "application/vnd.oci.image.manifest.v1+json", "object"},
            Case{R"({"schemaVersion":1})", "application/vnd.oci.image.manifest.v1+json",
                 "schemaVersion"},
            Case{
                R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]})",
                "application/vnd.oci.image.manifest.v1+json", "does not match"},
            Case{R"({"schemaVersion":2,"layers":[]})", "application/vnd.oci.image.manifest.v1+json",
                 "config"},
            Case{
                R"({"schemaVersion":2,"config":{"mediaType":"a/b","digest":"sha256:nope","size":1}})",
                "application/vnd.oci.image.manifest.v1+json", "config.digest"},
            Case{
                R"({"schemaVersion":1,"mediaType":"application/vnd.docker.distribution.manifest.v1+prettyjws"})",
                "", "schema 1"},
        }) {
        auto document = parseManifest(c.bytes, c.contentType);
        ASSERT_FALSE(document.has_value()) << c.bytes;
        EXPECT_EQ(document.error().code, ErrorCode::InvalidArgument);
        EXPECT_NE(document.error().message.find(c.expect), std::string::npos)
            << document.error().message;
    }
}

TEST(ManifestDocument, BareMediaTypeDropsParameters) {
    EXPECT_EQ(bareMediaType(" application/json ; charset=utf-8"), "application/json");
    EXPECT_EQ(bareMediaType(""), "");
}

} // namespace
} // namespace pilot::registry
