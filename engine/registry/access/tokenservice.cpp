#include "engine/registry/access/tokenservice.h"

#include "core/base64.h"
#include "core/random.h"
#include "engine/auth/atomicfile.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <boost/json.hpp>

#include <fmt/format.h>

namespace pilot::registry {

namespace {

namespace json = boost::json;

constexpr int64_t ClockSkew = 60;

std::string sha256(std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(data.data(), data.size(), out, &size, EVP_sha256(), nullptr);
    return std::string(reinterpret_cast<const char*>(out), size);
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

Result<EVP_PKEY*> loadKey(const std::string& path) {
    auto pem = auth::readWholeFile(path);
    if (!pem && pem.error().code != ErrorCode::NotFound) {
        return std::unexpected(pem.error());
    }
    if (pem) {
        BIO* bio = BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size()));
        EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
        BIO_free(bio);
        if (key == nullptr) {
            return fail(ErrorCode::InvalidArgument, path + ": not a PEM private key");
        }
        return key;
    }
    EVP_PKEY* key = EVP_RSA_gen(2048);
    if (key == nullptr) {
        return fail(ErrorCode::Internal, "generating the registry token key failed");
    }
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    long size = BIO_get_mem_data(bio, &data);
    std::string text(data, static_cast<size_t>(size));
    BIO_free(bio);
    if (auto ok = auth::writeFileAtomically(path, text, 0600); !ok) {
        EVP_PKEY_free(key);
        return std::unexpected(ok.error());
    }
    return key;
}

Result<TokenClaims> unauthorized(std::string message) {
    return fail(ErrorCode::Unauthorized, "invalid token: " + std::move(message));
}

} // namespace

std::string base64UrlEncode(std::string_view data) {
    std::string out = base64Encode(data);
    while (!out.empty() && out.back() == '=') {
        out.pop_back();
    }
    for (char& c : out) {
        if (c == '+') {
            c = '-';
        } else if (c == '/') {
            c = '_';
        }
    }
    return out;
}

std::optional<std::string> base64UrlDecode(std::string_view text) {
    std::string standard(text);
    for (char& c : standard) {
        if (c == '-') {
            c = '+';
        } else if (c == '_') {
            c = '/';
        } else if (c == '+' || c == '/' || c == '=') {
            return std::nullopt;
        }
    }
    return base64Decode(standard);
}

std::vector<TokenGrant> parseScopes(std::string_view scope) {
    std::vector<TokenGrant> out;
    while (!scope.empty()) {
        size_t space = scope.find(' ');
        std::string_view one = scope.substr(0, space);
        scope = space == std::string_view::npos ? std::string_view() : scope.substr(space + 1);
        // type:name:actions, where the name may itself hold a colon (a registry host:port).
        size_t first = one.find(':');
        size_t last = one.rfind(':');
        if (first == std::string_view::npos || first == last) {
            continue;
        }
        TokenGrant grant;
        grant.type = one.substr(0, first);
        grant.name = one.substr(first + 1, last - first - 1);
        std::string_view actions = one.substr(last + 1);
        while (!actions.empty()) {
            size_t comma = actions.find(',');
            std::string_view action = actions.substr(0, comma);
            if (!action.empty()) {
                grant.actions.emplace_back(action);
            }
            actions =
                comma == std::string_view::npos ? std::string_view() : actions.substr(comma + 1);
        }
        if (!grant.type.empty() && !grant.name.empty()) {
            out.push_back(std::move(grant));
        }
    }
    return out;
}

Result<std::unique_ptr<TokenService>> TokenService::open(const std::string& keyPath) {
    auto key = loadKey(keyPath);
    if (!key) {
        return std::unexpected(key.error());
    }
    std::unique_ptr<TokenService> service(new TokenService());
    service->m_key = *key;
    // A stable key id: the first 30 base32-ish characters of the public key's digest would be
    // libtrust's; ours only needs to identify the key, so base64url of 15 digest bytes.
    service->m_keyId = base64UrlEncode(sha256(publicKeyDer(*key)).substr(0, 15));
    return service;
}

TokenService::~TokenService() {
    EVP_PKEY_free(m_key);
}

std::string TokenService::issue(std::string_view subject, const std::vector<TokenGrant>& access,
                                int64_t now, std::chrono::seconds lifetime) const {
    json::object header{{"typ", "JWT"}, {"alg", "RS256"}, {"kid", m_keyId}};
    json::array grants;
    for (const TokenGrant& grant : access) {
        json::array actions;
        for (const std::string& action : grant.actions) {
            actions.emplace_back(action);
        }
        grants.push_back(
            json::object{{"type", grant.type}, {"name", grant.name}, {"actions", actions}});
    }
    json::object claims{
        {"iss", Issuer},  {"sub", subject}, {"aud", Audience},      {"exp", now + lifetime.count()},
        {"nbf", now - 1}, {"iat", now},     {"jti", randomHex(16)}, {"access", grants}};
    std::string input =
        base64UrlEncode(json::serialize(header)) + "." + base64UrlEncode(json::serialize(claims));
    std::string signature(static_cast<size_t>(EVP_PKEY_get_size(m_key)), '\0');
    size_t length = signature.size();
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, m_key);
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length,
                   reinterpret_cast<const unsigned char*>(input.data()), input.size());
    EVP_MD_CTX_free(ctx);
    signature.resize(length);
    return input + "." + base64UrlEncode(signature);
}

Result<TokenClaims> TokenService::verify(std::string_view token, int64_t now) const {
    size_t firstDot = token.find('.');
    size_t lastDot = token.rfind('.');
    if (firstDot == std::string_view::npos || firstDot == lastDot) {
        return unauthorized("not a JWT");
    }
    std::string_view input = token.substr(0, lastDot);
    auto headerText = base64UrlDecode(token.substr(0, firstDot));
    auto claimsText = base64UrlDecode(token.substr(firstDot + 1, lastDot - firstDot - 1));
    auto signature = base64UrlDecode(token.substr(lastDot + 1));
    if (!headerText || !claimsText || !signature) {
        return unauthorized("not base64url");
    }
    boost::system::error_code ec;
    json::value header = json::parse(*headerText, ec);
    if (ec || !header.is_object()) {
        return unauthorized("bad header");
    }
    const json::value* alg = header.get_object().if_contains("alg");
    if (alg == nullptr || !alg->is_string() || alg->get_string() != "RS256") {
        return unauthorized("unsupported algorithm");
    }
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, m_key);
    int verified = EVP_DigestVerify(
        ctx, reinterpret_cast<const unsigned char*>(signature->data()), signature->size(),
        reinterpret_cast<const unsigned char*>(input.data()), input.size());
    EVP_MD_CTX_free(ctx);
    if (verified != 1) {
        return unauthorized("bad signature");
    }
    json::value claimsValue = json::parse(*claimsText, ec);
    if (ec || !claimsValue.is_object()) {
        return unauthorized("bad claims");
    }
    const json::object& claims = claimsValue.get_object();
    auto text = [&](std::string_view key) {
        const json::value* v = claims.if_contains(key);
        return v && v->is_string() ? std::string(v->get_string()) : std::string();
    };
    auto number = [&](std::string_view key) -> int64_t {
        const json::value* v = claims.if_contains(key);
        return v && v->is_int64()
                   ? v->get_int64()
                   : (v && v->is_uint64() ? static_cast<int64_t>(v->get_uint64()) : 0);
    };
    if (text("iss") != Issuer) {
        return unauthorized("wrong issuer");
    }
    bool audienceOk = text("aud") == Audience;
    if (const json::value* aud = claims.if_contains("aud"); aud && aud->is_array()) {
        for (const json::value& a : aud->get_array()) {
            audienceOk = audienceOk || (a.is_string() && a.get_string() == Audience);
        }
    }
    if (!audienceOk) {
        return unauthorized("wrong audience");
    }
    TokenClaims out;
    out.subject = text("sub");
    out.issuedAt = number("iat");
    out.expiresAt = number("exp");
    if (out.expiresAt + ClockSkew < now) {
        return unauthorized("expired");
    }
    if (number("nbf") - ClockSkew > now) {
        return unauthorized("not yet valid");
    }
    if (const json::value* access = claims.if_contains("access"); access && access->is_array()) {
        for (const json::value& item : access->get_array()) {
            const json::object* o = item.if_object();
            if (o == nullptr) {
                continue;
            }
            TokenGrant grant;
            if (const json::value* v = o->if_contains("type"); v && v->is_string()) {
                grant.type = v->get_string();
            }
            if (const json::value* v = o->if_contains("name"); v && v->is_string()) {
                grant.name = v->get_string();
            }
            if (const json::value* v = o->if_contains("actions"); v && v->is_array()) {
                for (const json::value& a : v->get_array()) {
                    if (a.is_string()) {
                        grant.actions.emplace_back(a.get_string());
                    }
                }
            }
            out.access.push_back(std::move(grant));
        }
    }
    return out;
}

} // namespace pilot::registry
