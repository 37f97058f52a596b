#include "engine/auth/certificate.h"

#include <fmt/format.h>
#include <openssl/rand.h>

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <ctime>

namespace pilot::auth {

namespace {

Status addExtension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer != nullptr ? issuer : cert, cert, nullptr, nullptr, 0);
    ExtensionPtr extension(X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value));
    if (!extension || X509_add_ext(cert, extension.get(), -1) != 1) {
        return fail(ErrorCode::Internal, fmt::format("certificate extension {}={}: {}",
                                                     OBJ_nid2sn(nid), value, lastOpensslError()));
    }
    return {};
}

Status addAltNames(X509* cert, const std::vector<SubjectAltName>& altNames) {
    GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
    if (!names) {
        return fail(ErrorCode::Internal, lastOpensslError());
    }
    for (const SubjectAltName& altName : altNames) {
        int type = altName.kind == SubjectAltName::Kind::Ip ? GEN_IPADD : GEN_DNS;
        GENERAL_NAME* entry =
            a2i_GENERAL_NAME(nullptr, nullptr, nullptr, type, altName.value.c_str(), 0);
        if (entry == nullptr || sk_GENERAL_NAME_push(names.get(), entry) == 0) {
            GENERAL_NAME_free(entry);
            return fail(ErrorCode::Internal,
                        fmt::format("subjectAltName {}: {}", altName.value, lastOpensslError()));
        }
    }
    if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
        return fail(ErrorCode::Internal, fmt::format("subjectAltName: {}", lastOpensslError()));
    }
    return {};
}

Status setRandomSerial(X509* cert) {
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
        return fail(ErrorCode::Internal, fmt::format("serial number: {}", lastOpensslError()));
    }
    // Positive (Go rejects negative serials) and never zero.
    bytes[0] &= 0x7f;
    bytes[0] |= 0x01;
    BignumPtr number(BN_bin2bn(bytes, sizeof(bytes), nullptr));
    if (!number || BN_to_ASN1_INTEGER(number.get(), X509_get_serialNumber(cert)) == nullptr) {
        return fail(ErrorCode::Internal, fmt::format("serial number: {}", lastOpensslError()));
    }
    return {};
}

Status setSubject(X509* cert, const CertificateSpec& spec) {
    X509_NAME* name = X509_get_subject_name(cert);
    auto add = [name](int nid, const std::string& value) {
        return X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8,
                                          reinterpret_cast<const unsigned char*>(value.c_str()),
                                          static_cast<int>(value.size()), -1, 0) == 1;
    };
    for (const std::string& organization : spec.organizations) {
        if (!add(NID_organizationName, organization)) {
            return fail(ErrorCode::Internal,
                        fmt::format("subject O={}: {}", organization, lastOpensslError()));
        }
    }
    if (!add(NID_commonName, spec.commonName)) {
        return fail(ErrorCode::Internal,
                    fmt::format("subject CN={}: {}", spec.commonName, lastOpensslError()));
    }
    return {};
}

} // namespace

SubjectAltName parseSubjectAltName(std::string_view text) {
    std::string address(text);
    if (address.size() > 2 && address.front() == '[' && address.back() == ']') {
        address = address.substr(1, address.size() - 2);
    }
    unsigned char binary[16];
    char canonical[INET6_ADDRSTRLEN];
    if (inet_pton(AF_INET, address.c_str(), binary) == 1 &&
        inet_ntop(AF_INET, binary, canonical, sizeof(canonical)) != nullptr) {
        return {SubjectAltName::Kind::Ip, canonical};
    }
    if (inet_pton(AF_INET6, address.c_str(), binary) == 1 &&
        inet_ntop(AF_INET6, binary, canonical, sizeof(canonical)) != nullptr) {
        return {SubjectAltName::Kind::Ip, canonical};
    }
    std::string dns(text);
    std::ranges::transform(dns, dns.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return {SubjectAltName::Kind::Dns, dns};
}

KeyPtr generateKey() {
    return KeyPtr(EVP_EC_gen("P-256"));
}

Result<CertPtr> signCertificate(const CertificateSpec& spec, EVP_PKEY* subjectKey, X509* issuer,
                                EVP_PKEY* issuerKey) {
    if ((issuer == nullptr) != (issuerKey == nullptr)) {
        return fail(ErrorCode::InvalidArgument, "certificate: issuer and issuer key go together");
    }
    if (issuer == nullptr && spec.role != CertificateRole::Authority) {
        return fail(ErrorCode::InvalidArgument, "certificate: only a CA may be self-signed");
    }
    if (spec.commonName.empty()) {
        return fail(ErrorCode::InvalidArgument, "certificate: subject CN: required");
    }
    CertPtr cert(X509_new());
    if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) {
        return fail(ErrorCode::Internal, fmt::format("certificate: {}", lastOpensslError()));
    }
    if (auto ok = setRandomSerial(cert.get()); !ok) {
        return std::unexpected(ok.error());
    }
    if (auto ok = setSubject(cert.get(), spec); !ok) {
        return std::unexpected(ok.error());
    }
    X509_NAME* issuerName =
        issuer != nullptr ? X509_get_subject_name(issuer) : X509_get_subject_name(cert.get());
    if (X509_set_issuer_name(cert.get(), issuerName) != 1 ||
        ASN1_TIME_set(X509_getm_notBefore(cert.get()),
                      std::chrono::system_clock::to_time_t(spec.notBefore)) == nullptr ||
        ASN1_TIME_set(X509_getm_notAfter(cert.get()),
                      std::chrono::system_clock::to_time_t(spec.notAfter)) == nullptr ||
        X509_set_pubkey(cert.get(), subjectKey) != 1) {
        return fail(ErrorCode::Internal, fmt::format("certificate: {}", lastOpensslError()));
    }

    Status ok;
    switch (spec.role) {
    case CertificateRole::Authority:
        ok = addExtension(cert.get(), issuer, NID_basic_constraints, "critical,CA:TRUE");
        if (ok) {
            ok = addExtension(cert.get(), issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
        }
        break;
    case CertificateRole::Server:
    case CertificateRole::Client:
        ok = addExtension(cert.get(), issuer, NID_basic_constraints, "critical,CA:FALSE");
        if (ok) {
            ok = addExtension(cert.get(), issuer, NID_key_usage, "critical,digitalSignature");
        }
        if (ok) {
            ok = addExtension(cert.get(), issuer, NID_ext_key_usage,
                              spec.role == CertificateRole::Server ? "serverAuth" : "clientAuth");
        }
        break;
    }
    if (ok) {
        ok = addExtension(cert.get(), issuer, NID_subject_key_identifier, "hash");
    }
    if (ok && issuer != nullptr) {
        ok = addExtension(cert.get(), issuer, NID_authority_key_identifier, "keyid");
    }
    if (ok && !spec.altNames.empty()) {
        ok = addAltNames(cert.get(), spec.altNames);
    }
    if (!ok) {
        return std::unexpected(ok.error());
    }
    EVP_PKEY* signingKey = issuerKey != nullptr ? issuerKey : subjectKey;
    if (X509_sign(cert.get(), signingKey, EVP_sha256()) <= 0) {
        return fail(ErrorCode::Internal, fmt::format("certificate CN={}: sign: {}", spec.commonName,
                                                     lastOpensslError()));
    }
    return cert;
}

std::vector<SubjectAltName> subjectAltNames(X509* cert) {
    std::vector<SubjectAltName> result;
    GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
        X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
    if (!names) {
        return result;
    }
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
        const GENERAL_NAME* entry = sk_GENERAL_NAME_value(names.get(), i);
        if (entry->type == GEN_DNS) {
            const ASN1_IA5STRING* dns = entry->d.dNSName;
            std::string_view text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                                  static_cast<size_t>(ASN1_STRING_length(dns)));
            result.push_back(parseSubjectAltName(text));
            result.back().kind = SubjectAltName::Kind::Dns;
        } else if (entry->type == GEN_IPADD) {
            const ASN1_OCTET_STRING* ip = entry->d.iPAddress;
            int length = ASN1_STRING_length(ip);
            int family = length == 4 ? AF_INET : length == 16 ? AF_INET6 : 0;
            char text[INET6_ADDRSTRLEN];
            if (family != 0 &&
                inet_ntop(family, ASN1_STRING_get0_data(ip), text, sizeof(text)) != nullptr) {
                result.push_back({SubjectAltName::Kind::Ip, text});
            }
        }
    }
    return result;
}

std::vector<std::string> nameEntries(const X509_NAME* name, int nid) {
    std::vector<std::string> result;
    if (name == nullptr) {
        return result;
    }
    for (int index = X509_NAME_get_index_by_NID(name, nid, -1); index >= 0;
         index = X509_NAME_get_index_by_NID(name, nid, index)) {
        const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
        unsigned char* utf8 = nullptr;
        int length = ASN1_STRING_to_UTF8(&utf8, data);
        if (length < 0) {
            continue;
        }
        result.emplace_back(reinterpret_cast<const char*>(utf8), static_cast<size_t>(length));
        OPENSSL_free(utf8);
    }
    return result;
}

Result<TimePoint> notAfter(const X509* cert) {
    std::tm parts{};
    if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &parts) != 1) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("certificate notAfter: {}", lastOpensslError()));
    }
    return std::chrono::system_clock::from_time_t(timegm(&parts));
}

bool isIssuedBy(X509* cert, X509* issuer) {
    if (X509_NAME_cmp(X509_get_issuer_name(cert), X509_get_subject_name(issuer)) != 0) {
        return false;
    }
    EVP_PKEY* issuerKey = X509_get0_pubkey(issuer);
    return issuerKey != nullptr && X509_verify(cert, issuerKey) == 1;
}

bool keyMatches(X509* cert, EVP_PKEY* key) {
    EVP_PKEY* publicKey = X509_get0_pubkey(cert);
    return publicKey != nullptr && EVP_PKEY_eq(publicKey, key) == 1;
}

} // namespace pilot::auth
