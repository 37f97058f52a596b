#include "engine/registry/access/adminaccess.h"
#include "engine/registry/distribution/distribution.h"

#include "core/base64.h"
#include "tests/unit/registry/registrytestutil.h"

#include <boost/algorithm/string/predicate.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace pilot::registry::test {
namespace {

namespace json = boost::json;

constexpr std::string_view OciManifest = "application/vnd.oci.image.manifest.v1+json";

struct Reply {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::optional<uint64_t> contentLength;

    [[nodiscard]] std::string header(std::string_view name) const {
        for (const auto& [k, v] : headers) {
            if (boost::algorithm::iequals(k, name)) {
                return v;
            }
        }
        return {};
    }
    /// The first error code of an OCI error body.
    [[nodiscard]] std::string errorCode() const {
        boost::system::error_code ec;
        json::value parsed = json::parse(body, ec);
        if (ec || !parsed.is_object()) {
            return "<not JSON: " + body + ">";
        }
        const json::array* errors = parsed.as_object().if_contains("errors")
                                        ? parsed.as_object().at("errors").if_array()
                                        : nullptr;
        if (errors == nullptr || errors->empty()) {
            return "<no errors>";
        }
        return std::string(errors->front().at("code").as_string());
    }
};

class DistributionTest : public ::testing::Test {
protected:
    DistributionTest()
        : storage(openStorage(dir.str())), access(Credential{"admin", "secret"}),
          distribution(*storage, access) {}

    /// Sends one request through the handlers, feeding the body in small pieces as the
    /// listener would, and reads a file body back.
    Reply send(std::string method, std::string target, std::string body = {},
               std::vector<std::pair<std::string, std::string>> headers = {},
               bool authenticated = true) {
        RegistryRequest request;
        request.method = std::move(method);
        request.target = std::move(target);
        request.headers = std::move(headers);
        if (authenticated) {
            request.headers.emplace_back("Authorization", "Basic " + base64Encode("admin:secret"));
        }
        request.contentLength = body.size();
        Dispatch dispatch = distribution.begin(request);
        RegistryResponse response;
        if (dispatch.body) {
            for (size_t at = 0; at < body.size(); at += 7) {
                if (!dispatch.body->write(std::string_view(body).substr(at, 7))) {
                    break;
                }
            }
            response = dispatch.body->finish();
        } else {
            response = std::move(dispatch.response);
        }
        Reply reply{response.status, response.headers, response.body, response.contentLength};
        if (response.file) {
            reply.body.resize(response.file->length);
            auto got = readAt(response.file->fd.get(), response.file->offset, reply.body.data(),
                              reply.body.size(), "response");
            EXPECT_TRUE(got.has_value());
        }
        return reply;
    }

    Reply anonymous(std::string method, std::string target, std::string body = {}) {
        return send(std::move(method), std::move(target), std::move(body), {}, false);
    }

    /// POST + PUT upload of `content`; returns its digest.
    Digest upload(const std::string& repository, const std::string& content) {
        Reply started = send("POST", "/v2/" + repository + "/blobs/uploads/");
        EXPECT_EQ(started.status, 202);
        Digest digest = Digest::sha256(content);
        Reply put = send("PUT", started.header("Location") + "?digest=" + digest.str(), content);
        EXPECT_EQ(put.status, 201) << put.body;
        return digest;
    }

    /// Uploads a config and a layer, then the manifest under `reference`.
    std::pair<Digest, std::string> pushImage(const std::string& repository,
                                             const std::string& reference,
                                             const std::string& seed = "x",
                                             const std::string& extra = {}) {
        std::string config = R"({"os":"linux","seed":")" + seed + "\"}";
        std::string layer = "layer " + seed;
        Digest c = upload(repository, config);
        Digest l = upload(repository, layer);
        std::string manifest = imageManifest(c, config.size(), {{l, layer.size()}}, extra);
        Reply put = send("PUT", "/v2/" + repository + "/manifests/" + reference, manifest,
                         {{"Content-Type", std::string(OciManifest)}});
        EXPECT_EQ(put.status, 201) << put.body;
        return {Digest::sha256(manifest), manifest};
    }

    TempDir dir;
    std::unique_ptr<RegistryStorage> storage;
    AdminAccess access;
    Distribution distribution;
};

TEST_F(DistributionTest, BaseEndpointChallengesAnonymousClientsAndWelcomesTheAdministrator) {
    Reply anon = anonymous("GET", "/v2/");
    EXPECT_EQ(anon.status, 401);
    EXPECT_EQ(anon.header("WWW-Authenticate"), R"(Basic realm="Pilothouse Registry")");
    EXPECT_EQ(anon.errorCode(), "UNAUTHORIZED");
    Reply admin = send("GET", "/v2/");
    EXPECT_EQ(admin.status, 200);
    EXPECT_EQ(admin.body, "{}");
    Reply wrong =
        send("GET", "/v2/", {}, {{"Authorization", "Basic " + base64Encode("admin:x")}}, false);
    EXPECT_EQ(wrong.status, 401);
    Reply emptyUser =
        send("GET", "/v2/", {}, {{"Authorization", "Basic " + base64Encode(":")}}, false);
    EXPECT_EQ(emptyUser.status, 401) << "an empty Basic user is anonymous, not a failed login";
}

TEST_F(DistributionTest, AnonymousClientsPullButNeverPushOrDelete) {
    auto [digest, bytes] = pushImage("library/busybox", "1.36");
    EXPECT_EQ(anonymous("GET", "/v2/library/busybox/manifests/1.36").status, 200);
    EXPECT_EQ(anonymous("GET", "/v2/library/busybox/tags/list").status, 200);
    Reply push = anonymous("POST", "/v2/library/busybox/blobs/uploads/");
    EXPECT_EQ(push.status, 401);
    EXPECT_FALSE(push.header("WWW-Authenticate").empty());
    EXPECT_EQ(anonymous("DELETE", "/v2/library/busybox/manifests/1.36").status, 401);
    EXPECT_EQ(anonymous("PUT", "/v2/library/busybox/manifests/x", bytes).status, 401);
    EXPECT_EQ(send("GET", "/v2/library/busybox/manifests/1.36").status, 200);
}

TEST_F(DistributionTest, ManifestRoundTripsExactBytesWithDigestHeaders) {
    auto [digest, bytes] = pushImage("library/busybox", "1.36");
    Reply byTag = send("GET", "/v2/library/busybox/manifests/1.36");
    EXPECT_EQ(byTag.status, 200);
    EXPECT_EQ(byTag.body, bytes);
    EXPECT_EQ(byTag.header("Content-Type"), OciManifest);
    EXPECT_EQ(byTag.header("Docker-Content-Digest"), digest.str());
    Reply head = send("HEAD", "/v2/library/busybox/manifests/" + digest.str());
    EXPECT_EQ(head.status, 200);
    EXPECT_TRUE(head.body.empty());
    EXPECT_EQ(head.contentLength, bytes.size());
    EXPECT_EQ(head.header("Docker-Content-Digest"), digest.str());
    Reply missing = send("GET", "/v2/library/busybox/manifests/.INVALID_MANIFEST_NAME");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.errorCode(), "MANIFEST_UNKNOWN");
    Reply bad = send("GET", "/v2/library/busybox/manifests/sha256:totallywrong");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(bad.errorCode(), "DIGEST_INVALID");
}

TEST_F(DistributionTest, ManifestPushesAreChecked) {
    std::string config = "{}";
    Digest c = upload("r", config);
    std::string missingLayer =
        imageManifest(c, config.size(), {{Digest::sha256("never uploaded"), 14}});
    Reply unknownBlob = send("PUT", "/v2/r/manifests/v1", missingLayer,
                             {{"Content-Type", std::string(OciManifest)}});
    EXPECT_EQ(unknownBlob.status, 400);
    EXPECT_EQ(unknownBlob.errorCode(), "MANIFEST_BLOB_UNKNOWN");

    std::string good = imageManifest(c, config.size(), {});
    Reply wrongDigest = send("PUT", "/v2/r/manifests/" + Digest::sha256("other").str(), good,
                             {{"Content-Type", std::string(OciManifest)}});
    EXPECT_EQ(wrongDigest.status, 400);
    EXPECT_EQ(wrongDigest.errorCode(), "DIGEST_INVALID");
    Reply notJson = send("PUT", "/v2/r/manifests/v1", "blablabla",
                         {{"Content-Type", std::string(OciManifest)}});
    EXPECT_EQ(notJson.status, 400);
    EXPECT_EQ(notJson.errorCode(), "MANIFEST_INVALID");
    Reply badTag =
        send("PUT", "/v2/r/manifests/-bad", good, {{"Content-Type", std::string(OciManifest)}});
    EXPECT_EQ(badTag.status, 400);
    EXPECT_EQ(badTag.errorCode(), "TAG_INVALID");

    Reply byDigest = send("PUT", "/v2/r/manifests/" + Digest::sha256(good).str() + "?tag=a&tag=b",
                          good, {{"Content-Type", std::string(OciManifest)}});
    EXPECT_EQ(byDigest.status, 201) << byDigest.body;
    EXPECT_EQ(byDigest.header("Location"), "/v2/r/manifests/" + Digest::sha256(good).str());
    EXPECT_EQ(send("GET", "/v2/r/manifests/a").status, 200) << "?tag= tags a push by digest";
    EXPECT_EQ(send("GET", "/v2/r/manifests/b").status, 200);
}

TEST_F(DistributionTest, OversizedManifestIsRefusedWith413) {
    DistributionOptions options;
    options.maxManifestBytes = 64;
    Distribution small(*storage, access, options);
    RegistryRequest request;
    request.method = "PUT";
    request.target = "/v2/r/manifests/v1";
    request.headers = {{"Authorization", "Basic " + base64Encode("admin:secret")}};
    request.contentLength = std::nullopt; // chunked: only the body tells
    Dispatch dispatch = small.begin(request);
    ASSERT_TRUE(dispatch.body);
    EXPECT_TRUE(dispatch.body->write(std::string(40, ' ')));
    EXPECT_FALSE(dispatch.body->write(std::string(40, ' ')));
    EXPECT_EQ(dispatch.body->finish().status, 413);
}

TEST_F(DistributionTest, ChunkedUploadEnforcesOrderAndReportsProgress) {
    std::string content = "0123456789abcdefghijklmnopqrstuvwxyz";
    Reply started = send("POST", "/v2/r/blobs/uploads/");
    ASSERT_EQ(started.status, 202);
    std::string location = started.header("Location");
    EXPECT_TRUE(location.starts_with("/v2/r/blobs/uploads/"));
    EXPECT_EQ(started.header("Range"), "0-0");

    Reply outOfOrder = send("PATCH", location, content.substr(20), {{"Content-Range", "20-35"}});
    EXPECT_EQ(outOfOrder.status, 416);
    EXPECT_EQ(outOfOrder.header("Location"), location);

    Reply first = send("PATCH", location, content.substr(0, 20), {{"Content-Range", "0-19"}});
    EXPECT_EQ(first.status, 202);
    EXPECT_EQ(first.header("Range"), "0-19");
    Reply retry = send("PATCH", location, content.substr(0, 20), {{"Content-Range", "0-19"}});
    EXPECT_EQ(retry.status, 416) << "the same chunk twice is out of order";
    Reply status = send("GET", location);
    EXPECT_EQ(status.status, 204);
    EXPECT_EQ(status.header("Range"), "0-19");
    EXPECT_EQ(status.header("Location"), location);
    Reply mismatch = send("PATCH", location, content.substr(20), {{"Content-Range", "20-30"}});
    EXPECT_EQ(mismatch.status, 416) << "Content-Range and Content-Length disagree";

    Reply second = send("PATCH", location, content.substr(20), {{"Content-Range", "20-35"}});
    EXPECT_EQ(second.status, 202);
    EXPECT_EQ(second.header("Range"), "0-35");
    Digest digest = Digest::sha256(content);
    Reply done = send("PUT", location + "?digest=" + digest.str());
    EXPECT_EQ(done.status, 201) << done.body;
    EXPECT_EQ(done.header("Location"), "/v2/r/blobs/" + digest.str());
    EXPECT_EQ(done.header("Docker-Content-Digest"), digest.str());
    Reply blob = send("GET", "/v2/r/blobs/" + digest.str());
    EXPECT_EQ(blob.status, 200);
    EXPECT_EQ(blob.body, content);
    EXPECT_EQ(send("GET", location).status, 404) << "a closed session is gone";
}

TEST_F(DistributionTest, StreamedAndSinglePostUploads) {
    Reply started = send("POST", "/v2/r/blobs/uploads/");
    Reply patched = send("PATCH", started.header("Location"), "streamed without a range");
    EXPECT_EQ(patched.status, 202);
    Digest streamed = Digest::sha256("streamed without a range");
    EXPECT_EQ(send("PUT", patched.header("Location") + "?digest=" + streamed.str()).status, 201);

    Digest single = Digest::sha256("one request");
    Reply post = send("POST", "/v2/r/blobs/uploads/?digest=" + single.str(), "one request");
    EXPECT_EQ(post.status, 201) << post.body;
    EXPECT_EQ(post.header("Location"), "/v2/r/blobs/" + single.str());
    EXPECT_EQ(send("HEAD", "/v2/r/blobs/" + single.str()).contentLength, 11u);

    Reply wrong = send("POST", "/v2/r/blobs/uploads/?digest=" + single.str(), "other bytes");
    EXPECT_EQ(wrong.status, 400);
    EXPECT_EQ(wrong.errorCode(), "DIGEST_INVALID");
}

TEST_F(DistributionTest, CrossRepositoryMount) {
    Digest digest = upload("source", "shared");
    Reply mounted =
        send("POST", "/v2/target/blobs/uploads/?mount=" + digest.str() + "&from=source");
    EXPECT_EQ(mounted.status, 201);
    EXPECT_EQ(mounted.header("Location"), "/v2/target/blobs/" + digest.str());
    EXPECT_EQ(send("GET", "/v2/target/blobs/" + digest.str()).body, "shared");
    Reply noFrom = send("POST", "/v2/third/blobs/uploads/?mount=" + digest.str());
    EXPECT_EQ(noFrom.status, 202) << "no automatic mount: a session instead";
    EXPECT_TRUE(noFrom.header("Location").starts_with("/v2/third/blobs/uploads/"));
    Reply missing = send("POST", "/v2/third/blobs/uploads/?mount=" + Digest::sha256("nope").str() +
                                     "&from=source");
    EXPECT_EQ(missing.status, 202);
}

TEST_F(DistributionTest, BlobRangesAndDeletes) {
    Digest digest = upload("r", "0123456789");
    Reply part = send("GET", "/v2/r/blobs/" + digest.str(), {}, {{"Range", "bytes=2-5"}});
    EXPECT_EQ(part.status, 206);
    EXPECT_EQ(part.body, "2345");
    EXPECT_EQ(part.header("Content-Range"), "bytes 2-5/10");
    EXPECT_EQ(send("GET", "/v2/r/blobs/" + digest.str(), {}, {{"Range", "bytes=7-"}}).body, "789");
    EXPECT_EQ(send("GET", "/v2/r/blobs/" + digest.str(), {}, {{"Range", "bytes=-3"}}).body, "789");
    Reply outside = send("GET", "/v2/r/blobs/" + digest.str(), {}, {{"Range", "bytes=10-"}});
    EXPECT_EQ(outside.status, 416);
    EXPECT_EQ(outside.header("Content-Range"), "bytes */10");

    EXPECT_EQ(send("DELETE", "/v2/r/blobs/" + digest.str()).status, 202);
    Reply gone = send("GET", "/v2/r/blobs/" + digest.str());
    EXPECT_EQ(gone.status, 404);
    EXPECT_EQ(gone.errorCode(), "BLOB_UNKNOWN");
    EXPECT_EQ(send("DELETE", "/v2/r/blobs/" + digest.str()).status, 404);
}

TEST_F(DistributionTest, TagListPaginatesWithLink) {
    for (std::string tag : {"c", "a", "b", "d"}) {
        pushImage("r", tag);
    }
    Reply all = send("GET", "/v2/r/tags/list");
    EXPECT_EQ(all.status, 200);
    EXPECT_EQ(all.body, R"({"name":"r","tags":["a","b","c","d"]})");
    EXPECT_TRUE(all.header("Link").empty());
    Reply first = send("GET", "/v2/r/tags/list?n=2");
    EXPECT_EQ(first.body, R"({"name":"r","tags":["a","b"]})");
    EXPECT_EQ(first.header("Link"), R"(</v2/r/tags/list?n=2&last=b>; rel="next")");
    Reply next = send("GET", "/v2/r/tags/list?n=2&last=b");
    EXPECT_EQ(next.body, R"({"name":"r","tags":["c","d"]})");
    EXPECT_TRUE(next.header("Link").empty());
    Reply none = send("GET", "/v2/r/tags/list?n=0");
    EXPECT_EQ(none.body, R"({"name":"r","tags":[]})");
    EXPECT_TRUE(none.header("Link").empty());
    EXPECT_EQ(send("GET", "/v2/r/tags/list?n=-1").status, 400);
    Reply unknown = send("GET", "/v2/nobody/tags/list");
    EXPECT_EQ(unknown.status, 404);
    EXPECT_EQ(unknown.errorCode(), "NAME_UNKNOWN");
}

TEST_F(DistributionTest, TagDeleteKeepsTheManifestDigestDeleteRemovesAllTags) {
    auto [digest, bytes] = pushImage("r", "v1");
    EXPECT_EQ(send("PUT", "/v2/r/manifests/v2", bytes, {{"Content-Type", std::string(OciManifest)}})
                  .status,
              201);
    EXPECT_EQ(send("DELETE", "/v2/r/manifests/v1").status, 202);
    EXPECT_EQ(send("GET", "/v2/r/manifests/v1").status, 404);
    EXPECT_EQ(send("GET", "/v2/r/manifests/v2").status, 200);
    EXPECT_EQ(send("DELETE", "/v2/r/manifests/" + digest.str()).status, 202);
    EXPECT_EQ(send("GET", "/v2/r/manifests/v2").status, 404);
    EXPECT_EQ(send("GET", "/v2/r/manifests/" + digest.str()).status, 404);
    EXPECT_EQ(send("GET", "/v2/r/tags/list").body, R"({"name":"r","tags":[]})");
    EXPECT_EQ(send("DELETE", "/v2/r/manifests/" + digest.str()).status, 404);
}

TEST_F(DistributionTest, ReferrersListAndFilter) {
    Digest subject = Digest::sha256("not pushed yet");
    Reply empty = send("GET", "/v2/r/referrers/" + subject.str());
    EXPECT_EQ(empty.status, 200);
    EXPECT_EQ(empty.header("Content-Type"), "application/vnd.oci.image.index.v1+json");
    EXPECT_EQ(
        empty.body,
        R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]})");
    std::string subjectField =
        R"(,"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
        subject.str() + R"(","size":14})";
    auto [sig, sigBytes] =
        pushImage("r", "sig", "sig",
                  subjectField + R"(,"artifactType":"application/x-sig","annotations":{"k":"v"})");
    pushImage("r", "sbom", "sbom", subjectField);
    Reply put = send("PUT", "/v2/r/manifests/again", sigBytes,
                     {{"Content-Type", std::string(OciManifest)}});
    EXPECT_EQ(put.header("OCI-Subject"), subject.str());

    Reply all = send("GET", "/v2/r/referrers/" + subject.str());
    json::value index = json::parse(all.body);
    EXPECT_EQ(index.at("manifests").as_array().size(), 2u);
    EXPECT_TRUE(all.header("OCI-Filters-Applied").empty());
    Reply filtered =
        send("GET", "/v2/r/referrers/" + subject.str() + "?artifactType=application/x-sig");
    EXPECT_EQ(filtered.header("OCI-Filters-Applied"), "artifactType");
    json::value only = json::parse(filtered.body);
    ASSERT_EQ(only.at("manifests").as_array().size(), 1u);
    const json::object& descriptor = only.at("manifests").as_array()[0].as_object();
    EXPECT_EQ(descriptor.at("digest").as_string(), sig.str());
    EXPECT_EQ(descriptor.at("artifactType").as_string(), "application/x-sig");
    EXPECT_EQ(descriptor.at("annotations").at("k").as_string(), "v");
    EXPECT_EQ(descriptor.at("size").to_number<uint64_t>(), sigBytes.size());
}

TEST_F(DistributionTest, CatalogPagesRepositoriesFromTheDatabase) {
    for (std::string repository : {"b/two", "a/one", "c/three"}) {
        pushImage(repository, "v1");
    }
    Reply all = send("GET", "/v2/_catalog");
    EXPECT_EQ(all.body, R"({"repositories":["a/one","b/two","c/three"]})");
    Reply first = send("GET", "/v2/_catalog?n=1");
    EXPECT_EQ(first.body, R"({"repositories":["a/one"]})");
    EXPECT_EQ(first.header("Link"), R"(</v2/_catalog?n=1&last=a%2Fone>; rel="next")");
    Reply next = send("GET", "/v2/_catalog?n=1&last=a%2Fone");
    EXPECT_EQ(next.body, R"({"repositories":["b/two"]})");
}

TEST_F(DistributionTest, RequestsOutsideTheApiOrWithBadNamesFailCleanly) {
    Reply badName = send("GET", "/v2/Upper/Case/tags/list");
    EXPECT_EQ(badName.status, 400);
    EXPECT_EQ(badName.errorCode(), "NAME_INVALID");
    EXPECT_EQ(send("GET", "/v3/").status, 404);
    EXPECT_EQ(send("GET", "/v2/r/whatever").status, 404);
    EXPECT_EQ(send("POST", "/v2/r/manifests/v1").status, 405);
    Reply unknownUpload = send("GET", "/v2/r/blobs/uploads/not-a-session");
    EXPECT_EQ(unknownUpload.status, 404);
    EXPECT_EQ(unknownUpload.errorCode(), "BLOB_UPLOAD_UNKNOWN");
    Reply missingDigest = send("PUT", "/v2/r/blobs/uploads/x");
    EXPECT_EQ(missingDigest.status, 400);
    EXPECT_EQ(missingDigest.errorCode(), "DIGEST_INVALID");
}

} // namespace
} // namespace pilot::registry::test
