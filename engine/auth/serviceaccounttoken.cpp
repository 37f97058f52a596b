#include "engine/auth/serviceaccounttoken.h"

#include "core/base64.h"
#include "core/random.h"
#include "engine/auth/atomicfile.h"
#include "engine/auth/openssl.h"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include <algorithm>
#include <filesystem>

namespace pilot::auth {
namespace json = boost::json;

namespace {

using Seconds = std::chrono::seconds;

int64_t toUnix(TimePoint t) {
    return std::chrono::duration_cast<Seconds>(t.time_since_epoch()).count();
}

TimePoint fromUnix(int64_t seconds) {
    return TimePoint(std::chrono::duration_cast<TimePoint::duration>(Seconds(seconds)));
}

std::unexpected<Error> unauthorized(std::string why) {
    return fail(ErrorCode::Unauthorized, "invalid service account token: " + std::move(why));
}

std::string publicKeyDer(EVP_PKEY* key) {
    unsigned char* der = nullptr;
    int length = i2d_PUBKEY(key, &der);
    if (length <= 0) {
        return {};
    }
    std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(length));
    OPENSSL_free(der);
    return out;
}

std::string publicKeyPemOf(EVP_PKEY* key) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) {
        return {};
    }
    char* data = nullptr;
    long length = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(length));
}

std::optional<json::object> parseObject(std::string_view text) {
    boost::system::error_code ec;
    json::value value = json::parse(text, ec);
    if (ec || !value.is_object()) {
        return std::nullopt;
    }
    return std::move(value.as_object());
}

std::string stringOf(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::optional<int64_t> integerOf(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    if (v && v->is_int64()) {
        return v->get_int64();
    }
    if (v && v->is_uint64()) {
        return static_cast<int64_t>(v->get_uint64());
    }
    return std::nullopt;
}

std::optional<BoundObject> boundOf(const json::object& claim, std::string_view key) {
    const json::value* v = claim.if_contains(key);
    if (!v || !v->is_object()) {
        return std::nullopt;
    }
    return BoundObject{stringOf(v->as_object(), "name"), stringOf(v->as_object(), "uid")};
}

json::object boundJson(const BoundObject& bound) {
    return json::object{{"name", bound.name}, {"uid", bound.uid}};
}

} // namespace

std::string ServiceAccountClaims::subject() const {
    return fmt::format("system:serviceaccount:{}:{}", ns, serviceAccountName);
}

std::string base64UrlEncode(std::string_view data) {
    std::string out = base64Encode(data);
    while (!out.empty() && out.back() == '=') {
        out.pop_back();
    }
    std::ranges::replace(out, '+', '-');
    std::ranges::replace(out, '/', '_');
    return out;
}

std::optional<std::string> base64UrlDecode(std::string_view text) {
    std::string standard(text);
    for (char& c : standard) {
        bool alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (c == '-') {
            c = '+';
        } else if (c == '_') {
            c = '/';
        } else if (!alphabet) {
            return std::nullopt;
        }
    }
    std::optional<std::string> decoded = base64Decode(standard);
    // Canonical encodings only: unused trailing bits must be zero, so a token has one spelling.
    if (!decoded || base64UrlEncode(*decoded) != text) {
        return std::nullopt;
    }
    return decoded;
}

Result<ServiceAccountTokens> ServiceAccountTokens::fromPrivateKeyPem(std::string_view pem,
                                                                     std::string issuer) {
    KeyPtr key = privateKeyFromPem(pem);
    if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
        return fail(ErrorCode::InvalidArgument, "service account key: no RSA private key");
    }
    ServiceAccountTokens tokens;
    std::string der = publicKeyDer(key.get());
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(der.data()), der.size(), digest);
    tokens.m_keyId =
        base64UrlEncode(std::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
    tokens.m_publicKeyPem = publicKeyPemOf(key.get());
    tokens.m_key = std::shared_ptr<EVP_PKEY>(key.release(), OpensslDeleter{});
    tokens.m_issuer = std::move(issuer);
    return tokens;
}

Result<ServiceAccountTokens> ServiceAccountTokens::loadOrCreate(const std::string& dir,
                                                                std::string issuer) {
    std::string keyPath = dir + "/sa.key";
    auto existing = readWholeFile(keyPath);
    if (existing) {
        return fromPrivateKeyPem(*existing, std::move(issuer));
    }
    if (existing.error().code != ErrorCode::NotFound) {
        return std::unexpected(existing.error());
    }
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    KeyPtr key(EVP_RSA_gen(2048));
    if (!key) {
        return fail(ErrorCode::Internal,
                    "cannot generate the service account key: " + lastOpensslError());
    }
    std::string pem = privateKeyToPem(key.get());
    if (auto status = writeFileAtomically(keyPath, pem, 0600); !status) {
        return std::unexpected(status.error());
    }
    if (auto status = writeFileAtomically(dir + "/sa.pub", publicKeyPemOf(key.get()), 0644);
        !status) {
        return std::unexpected(status.error());
    }
    return fromPrivateKeyPem(pem, std::move(issuer));
}

Result<std::string> ServiceAccountTokens::sign(const ServiceAccountClaims& claims) const {
    json::object header{{"alg", "RS256"}, {"kid", m_keyId}};
    json::array audiences;
    for (const std::string& audience : claims.audiences) {
        audiences.emplace_back(audience);
    }
    json::object kubernetes{{"namespace", claims.ns}};
    if (claims.node) {
        kubernetes["node"] = boundJson(*claims.node);
    }
    if (claims.pod) {
        kubernetes["pod"] = boundJson(*claims.pod);
    }
    if (claims.secret) {
        kubernetes["secret"] = boundJson(*claims.secret);
    }
    kubernetes["serviceaccount"] =
        boundJson(BoundObject{claims.serviceAccountName, claims.serviceAccountUid});
    json::object payload{{"aud", std::move(audiences)},
                         {"exp", toUnix(claims.expiresAt)},
                         {"iat", toUnix(claims.issuedAt)},
                         {"iss", claims.issuer},
                         {"jti", claims.id},
                         {"kubernetes.io", std::move(kubernetes)},
                         {"nbf", toUnix(claims.notBefore)},
                         {"sub", claims.subject()}};
    std::string input =
        base64UrlEncode(json::serialize(header)) + "." + base64UrlEncode(json::serialize(payload));

    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    size_t length = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, m_key.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &length,
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
        return fail(ErrorCode::Internal,
                    "cannot sign a service account token: " + lastOpensslError());
    }
    std::string signature(length, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
        return fail(ErrorCode::Internal,
                    "cannot sign a service account token: " + lastOpensslError());
    }
    signature.resize(length);
    return input + "." + base64UrlEncode(signature);
}

Result<ServiceAccountClaims> ServiceAccountTokens::verify(std::string_view token,
                                                          TimePoint now) const {
    size_t first = token.find('.');
    size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
    if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
        return unauthorized("not a compact JWS");
    }
    auto headerText = base64UrlDecode(token.substr(0, first));
    auto payloadText = base64UrlDecode(token.substr(first + 1, second - first - 1));
    auto signature = base64UrlDecode(token.substr(second + 1));
    if (!headerText || !payloadText || !signature) {
        return unauthorized("malformed base64url");
    }
    auto header = parseObject(*headerText);
    if (!header || stringOf(*header, "alg") != "RS256") {
        return unauthorized("unsupported header");
    }
    std::string_view input = token.substr(0, second);
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, m_key.get()) != 1 ||
        EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature->data()),
                         signature->size(), reinterpret_cast<const unsigned char*>(input.data()),
                         input.size()) != 1) {
        (void)lastOpensslError(); // clear the thread's error queue
        return unauthorized("signature does not verify");
    }
    auto payload = parseObject(*payloadText);
    if (!payload) {
        return unauthorized("malformed claims");
    }
    ServiceAccountClaims claims;
    claims.issuer = stringOf(*payload, "iss");
    if (claims.issuer != m_issuer) {
        return unauthorized("wrong issuer");
    }
    if (const json::value* aud = payload->if_contains("aud"); aud && aud->is_array()) {
        for (const json::value& a : aud->as_array()) {
            if (a.is_string()) {
                claims.audiences.emplace_back(a.get_string());
            }
        }
    } else if (aud && aud->is_string()) {
        claims.audiences.emplace_back(aud->get_string());
    }
    if (std::ranges::find(claims.audiences, m_issuer) == claims.audiences.end()) {
        return unauthorized("token audiences do not include the API server");
    }
    auto exp = integerOf(*payload, "exp");
    auto nbf = integerOf(*payload, "nbf");
    auto iat = integerOf(*payload, "iat");
    if (!exp) {
        return unauthorized("no expiry");
    }
    claims.expiresAt = fromUnix(*exp);
    claims.notBefore = fromUnix(nbf.value_or(0));
    claims.issuedAt = fromUnix(iat.value_or(0));
    if (now >= claims.expiresAt) {
        return unauthorized("token has expired");
    }
    if (now < claims.notBefore) {
        return unauthorized("token is not valid yet");
    }
    claims.id = stringOf(*payload, "jti");
    const json::value* private_ = payload->if_contains("kubernetes.io");
    if (!private_ || !private_->is_object()) {
        return unauthorized("no kubernetes.io claim");
    }
    const json::object& kubernetes = private_->as_object();
    claims.ns = stringOf(kubernetes, "namespace");
    auto account = boundOf(kubernetes, "serviceaccount");
    if (claims.ns.empty() || !account || account->name.empty() || account->uid.empty()) {
        return unauthorized("no service account named");
    }
    claims.serviceAccountName = account->name;
    claims.serviceAccountUid = account->uid;
    claims.pod = boundOf(kubernetes, "pod");
    claims.secret = boundOf(kubernetes, "secret");
    claims.node = boundOf(kubernetes, "node");
    if (stringOf(*payload, "sub") != claims.subject()) {
        return unauthorized("subject does not match the service account");
    }
    return claims;
}

} // namespace pilot::auth
