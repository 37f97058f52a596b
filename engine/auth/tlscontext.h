#pragma once

#include "core/error.h"
#include "engine/auth/openssl.h"

#include <string_view>

namespace pilot::auth {

class Pki;

/// Sets up `ctx` for the engine's HTTPS listeners (API and registry): the serving certificate
/// and key; the CA as the only trust anchor for client certificates, requested but not required
/// (SSL_VERIFY_PEER without FAIL_IF_NO_PEER_CERT) so that anonymous clients still reach /healthz
/// and get 401 elsewhere, while a client certificate that does not verify fails the handshake;
/// TLS 1.2 and 1.3 only; ALPN `http/1.1` only, so HTTP/2-capable clients (Go) stay on 1.1.
/// Works on a raw context or `boost::asio::ssl::context::native_handle()`.
[[nodiscard]] Status configureServerTls(SSL_CTX* ctx, const Pki& pki);
/// As above with explicit PEM material.
[[nodiscard]] Status configureServerTls(SSL_CTX* ctx, std::string_view certificatePem,
                                        std::string_view keyPem, std::string_view clientCaPem);
/// A new TLS server context configured by `configureServerTls`.
[[nodiscard]] Result<SslCtxPtr> newServerTlsContext(const Pki& pki);

/// Sets up `ctx` for a client of the engine: trust only `caPem` (the system store when empty),
/// present `certificatePem`/`keyPem` when given, TLS 1.2+, ALPN `http/1.1`. The host name check
/// is per connection: see `prepareClientSsl`.
[[nodiscard]] Status configureClientTls(SSL_CTX* ctx, std::string_view caPem,
                                        std::string_view certificatePem = {},
                                        std::string_view keyPem = {});
/// Makes `ssl` check that the server certificate covers `host` (a DNS name or an IP address,
/// IPv6 with or without brackets) and sends SNI for DNS names.
[[nodiscard]] Status prepareClientSsl(SSL* ssl, std::string_view host);

} // namespace pilot::auth
