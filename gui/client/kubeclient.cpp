#include "gui/client/kubeclient.h"

#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslCertificate>
#include <QSslKey>
#include <QTimer>

namespace pilot::gui {

namespace {

/// Streams per network manager: Qt opens at most six HTTP/1.1 connections per host and manager;
/// one is kept free so that a manager never queues a watch behind another.
constexpr int StreamsPerManager = 5;

const char* const TimedOutProperty = "pilotTimedOut";

QSslKey parseKey(const QByteArray& pem) {
    for (QSsl::KeyAlgorithm algorithm : {QSsl::Ec, QSsl::Rsa, QSsl::Dsa}) {
        QSslKey key(pem, algorithm, QSsl::Pem, QSsl::PrivateKey);
        if (!key.isNull()) {
            return key;
        }
    }
    return {};
}

} // namespace

QJsonObject ApiResponse::object() const {
    return QJsonDocument::fromJson(body).object();
}

KubeStream::~KubeStream() {
    abort();
}

void KubeStream::abort() {
    m_aborted = true;
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
    }
}

KubeClient::KubeClient(ConnectionConfig config, QObject* parent)
    : QObject(parent), m_config(std::move(config)) {
    if (!m_config.token.isEmpty()) {
        m_authorization = "Bearer " + m_config.token.toUtf8();
    } else if (!m_config.username.isEmpty()) {
        m_authorization =
            "Basic " +
            (m_config.username + QLatin1Char(':') + m_config.password).toUtf8().toBase64();
    }
    rebuildSsl();
    m_requests = newManager();
    if (m_config.exec) {
        m_plugin = new ExecCredentialPlugin(*m_config.exec, m_config.server,
                                            m_config.certificateAuthorityPem, this);
        connect(m_plugin, &ExecCredentialPlugin::succeeded, this,
                [this](const ExecCredential& credential) {
                    applyCredential(credential);
                    auto waiting = std::exchange(m_waitingForCredential, {});
                    for (auto& next : waiting) {
                        next(QString());
                    }
                });
        connect(m_plugin, &ExecCredentialPlugin::failed, this, [this](const QString& message) {
            m_lastError = message;
            auto waiting = std::exchange(m_waitingForCredential, {});
            for (auto& next : waiting) {
                next(message);
            }
        });
    }
}

KubeClient::~KubeClient() = default;

QNetworkAccessManager* KubeClient::newManager() {
    auto* manager = new QNetworkAccessManager(this);
    if (m_config.proxyUrl.isValid()) {
        QUrl url = m_config.proxyUrl;
        auto type = url.scheme() == QLatin1String("socks5") ? QNetworkProxy::Socks5Proxy
                                                            : QNetworkProxy::HttpProxy;
        manager->setProxy(QNetworkProxy(
            type, url.host(), quint16(url.port(type == QNetworkProxy::HttpProxy ? 80 : 1080)),
            url.userName(), url.password()));
    }
    return manager;
}

void KubeClient::rebuildSsl() {
    m_ssl = QSslConfiguration::defaultConfiguration();
    if (!m_config.certificateAuthorityPem.isEmpty()) {
        m_ssl.setCaCertificates(QSslCertificate::fromData(m_config.certificateAuthorityPem));
    }
    QByteArray certPem = m_config.clientCertificatePem;
    QByteArray keyPem = m_config.clientKeyPem;
    if (m_credential && !m_credential->clientCertificatePem.isEmpty()) {
        certPem = m_credential->clientCertificatePem;
        keyPem = m_credential->clientKeyPem;
    }
    if (!certPem.isEmpty()) {
        QList<QSslCertificate> chain = QSslCertificate::fromData(certPem);
        if (!chain.isEmpty()) {
            m_ssl.setLocalCertificateChain(chain);
        }
        m_ssl.setPrivateKey(parseKey(keyPem));
    }
    if (m_config.insecureSkipTlsVerify) {
        m_ssl.setPeerVerifyMode(QSslSocket::VerifyNone);
    }
}

void KubeClient::applyCredential(const ExecCredential& credential) {
    m_credential = credential;
    if (!credential.token.isEmpty()) {
        m_authorization = "Bearer " + credential.token.toUtf8();
    }
    rebuildSsl();
}

void KubeClient::withCredentials(std::function<void(const QString&)> next) {
    if (!m_plugin) {
        next(QString());
        return;
    }
    if (m_credential && !m_credential->expired(QDateTime::currentDateTimeUtc())) {
        next(QString());
        return;
    }
    m_waitingForCredential.append(std::move(next));
    m_plugin->start(); // no-op while it runs
}

QString KubeClient::encode(const QString& value) {
    return QString::fromLatin1(QUrl::toPercentEncoding(value));
}

QNetworkRequest KubeClient::makeRequest(const QString& path, const RequestOptions& options) const {
    QString base = m_config.server.toString(QUrl::StripTrailingSlash);
    QNetworkRequest request(QUrl(base + path, QUrl::TolerantMode));
    request.setSslConfiguration(m_ssl);
    request.setRawHeader("Accept", options.accept);
    request.setRawHeader("User-Agent", "pilothouse/0.1");
    if (!m_authorization.isEmpty()) {
        request.setRawHeader("Authorization", m_authorization);
    }
    if (!m_config.tlsServerName.isEmpty()) {
        request.setPeerVerifyName(m_config.tlsServerName);
    }
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    return request;
}

ApiResponse KubeClient::toResponse(QNetworkReply* reply) const {
    ApiResponse response;
    response.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (response.status == 0) {
        if (reply->property(TimedOutProperty).toBool()) {
            response.error = tr("request timed out");
        } else if (reply->error() == QNetworkReply::OperationCanceledError) {
            response.cancelled = true;
            response.error = tr("cancelled");
        } else {
            response.error = reply->errorString();
        }
        return response;
    }
    response.body = reply->readAll();
    response.retryAfterSeconds = reply->rawHeader("Retry-After").toInt();
    if (!response.ok()) {
        QJsonObject status = response.object();
        response.reason = status.value(QLatin1String("reason")).toString();
        response.error = status.value(QLatin1String("message")).toString();
        if (response.error.isEmpty()) {
            response.error =
                QStringLiteral("HTTP %1 %2")
                    .arg(response.status)
                    .arg(reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString());
        }
    }
    return response;
}

void KubeClient::noteResponse(const ApiResponse& response) {
    if (response.cancelled) {
        return;
    }
    if (response.status == 401 && m_plugin) {
        m_credential.reset(); // the plugin runs again on the next request
    }
    bool reachable = response.status != 0;
    if (!reachable) {
        m_lastError = response.error;
    }
    if (reachable != m_reachable) {
        m_reachable = reachable;
        Q_EMIT reachabilityChanged(reachable);
    }
}

void KubeClient::request(const QByteArray& verb, const QString& path, const QByteArray& body,
                         QObject* context, Callback callback, const RequestOptions& options) {
    QPointer<QObject> guard(context);
    withCredentials([this, guard, hadContext = context != nullptr, verb, path, body,
                     callback = std::move(callback), options](const QString& credentialError) {
        if (hadContext && !guard) {
            return;
        }
        if (!credentialError.isEmpty()) {
            ApiResponse failed;
            failed.error = credentialError;
            callback(failed);
            return;
        }
        QNetworkRequest request = makeRequest(path, options);
        if (!body.isEmpty()) {
            request.setHeader(QNetworkRequest::ContentTypeHeader, options.contentType);
        }
        QNetworkReply* reply = verb == "GET" ? m_requests->get(request)
                                             : m_requests->sendCustomRequest(request, verb, body);
        auto* timer = new QTimer(reply);
        timer->setSingleShot(true);
        connect(timer, &QTimer::timeout, reply, [reply] {
            reply->setProperty(TimedOutProperty, true);
            reply->abort();
        });
        timer->start(options.timeoutMs);
        if (guard) {
            connect(guard.data(), &QObject::destroyed, reply, &QNetworkReply::abort);
        }
        connect(reply, &QNetworkReply::finished, this, [this, reply, guard, hadContext, callback] {
            reply->deleteLater();
            ApiResponse response = toResponse(reply);
            noteResponse(response);
            if ((hadContext && !guard) || response.cancelled) {
                return;
            }
            callback(response);
        });
    });
}

void KubeClient::get(const QString& path, QObject* context, Callback callback,
                     const RequestOptions& options) {
    request("GET", path, {}, context, std::move(callback), options);
}

void KubeClient::post(const QString& path, const QJsonObject& body, QObject* context,
                      Callback callback) {
    request("POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact), context,
            std::move(callback));
}

void KubeClient::put(const QString& path, const QJsonObject& body, QObject* context,
                     Callback callback) {
    request("PUT", path, QJsonDocument(body).toJson(QJsonDocument::Compact), context,
            std::move(callback));
}

void KubeClient::patch(const QString& path, const QByteArray& body, const QByteArray& patchType,
                       QObject* context, Callback callback) {
    RequestOptions options;
    options.contentType = patchType;
    request("PATCH", path, body, context, std::move(callback), options);
}

void KubeClient::remove(const QString& path, QObject* context, Callback callback,
                        const QByteArray& body) {
    request("DELETE", path, body, context, std::move(callback));
}

QNetworkAccessManager* KubeClient::streamManager() {
    for (QNetworkAccessManager* manager : std::as_const(m_streamManagers)) {
        if (m_streamCounts.value(manager) < StreamsPerManager) {
            return manager;
        }
    }
    QNetworkAccessManager* manager = newManager();
    m_streamManagers.append(manager);
    return manager;
}

KubeStream* KubeClient::stream(const QString& path, QObject* owner, const RequestOptions& options) {
    auto* stream = new KubeStream(owner);
    QPointer<KubeStream> guard(stream);
    withCredentials([this, guard, path, options](const QString& credentialError) {
        if (!guard || guard->m_aborted) {
            return;
        }
        if (!credentialError.isEmpty()) {
            ApiResponse failed;
            failed.error = credentialError;
            Q_EMIT guard->finished(failed);
            return;
        }
        QNetworkRequest request = makeRequest(path, options);
        request.setTransferTimeout(options.timeoutMs);
        QNetworkAccessManager* manager = streamManager();
        m_streamCounts[manager] += 1;
        QNetworkReply* reply = manager->get(request);
        guard->m_reply = reply;
        connect(reply, &QObject::destroyed, this,
                [this, manager] { m_streamCounts[manager] -= 1; });
        KubeStream* target = guard.data();
        connect(reply, &QNetworkReply::readyRead, target, [reply, target] {
            int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (status >= 200 && status < 300) {
                Q_EMIT target->chunk(reply->readAll());
            }
        });
        connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
        connect(reply, &QNetworkReply::finished, this, [this, reply, guard] {
            if (!guard || guard->m_aborted) {
                return; // ended by its owner
            }
            ApiResponse response = toResponse(reply);
            if (response.cancelled) {
                // Only the transfer timeout cancels a stream that its owner did not abort.
                response.cancelled = false;
                response.error = tr("no data for too long");
            }
            if (response.ok() && !response.body.isEmpty()) {
                Q_EMIT guard->chunk(response.body);
            }
            noteResponse(response);
            Q_EMIT guard->finished(response);
        });
    });
    return stream;
}

} // namespace pilot::gui
