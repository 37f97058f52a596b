#pragma once

#include "gui/client/connectionconfig.h"
#include "gui/client/execcredential.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>
#include <QString>

#include <functional>
#include <optional>

class QNetworkAccessManager;
class QNetworkReply;
class QNetworkRequest;

namespace pilot::gui {

/// The outcome of one request. `status` is the HTTP status, 0 when no response arrived
/// (connection refused, TLS failure, timeout, cancelled).
struct ApiResponse {
    int status = 0;
    QByteArray body;
    QString error;  ///< Empty on success; the API's Status message or the network error.
    QString reason; ///< Status.reason (Conflict, NotFound, TooManyRequests, ...).
    int retryAfterSeconds = 0;
    bool cancelled = false; ///< Aborted because its context object went away.

    [[nodiscard]] bool ok() const { return status >= 200 && status < 300; }
    [[nodiscard]] bool transportFailed() const { return status == 0 && !cancelled; }
    /// The body as a JSON object (empty when it is not one).
    [[nodiscard]] QJsonObject object() const;
};

/// Per-request settings.
struct RequestOptions {
    QByteArray accept = QByteArrayLiteral("application/json");
    QByteArray contentType = QByteArrayLiteral("application/json");
    int timeoutMs = 30000; ///< Whole request; for streams, the longest silence.
};

/// One streaming GET (a watch). Emits `chunk` for each piece of a 2xx body as it arrives, then
/// `finished` once. `abort()` ends it quietly (no `finished`). Owned by the object passed to
/// `KubeClient::stream`; destroying it aborts the request.
class KubeStream : public QObject {
    Q_OBJECT
public:
    explicit KubeStream(QObject* owner) : QObject(owner) {}
    ~KubeStream() override;
    void abort();

Q_SIGNALS:
    void chunk(const QByteArray& data);
    void finished(const pilot::gui::ApiResponse& response);

private:
    friend class KubeClient;
    QPointer<QNetworkReply> m_reply;
    bool m_aborted = false;
};

/// An asynchronous Kubernetes API client for one connection, on the GUI thread: TLS (CA, client
/// certificate, insecure-skip-tls-verify, tls-server-name), bearer token, basic auth and exec
/// credential plugins, proxy-url. Every request has a timeout and a context object: the callback
/// never runs after the context died (the request is aborted instead). Watches use separate
/// network managers so that long-lived streams never starve ordinary requests of HTTP/1.1
/// connections. Tracks reachability: any HTTP answer means reachable, a transport failure means
/// not.
class KubeClient : public QObject {
    Q_OBJECT
public:
    using Callback = std::function<void(const ApiResponse&)>;

    explicit KubeClient(ConnectionConfig config, QObject* parent = nullptr);
    ~KubeClient() override;

    [[nodiscard]] const ConnectionConfig& config() const { return m_config; }
    [[nodiscard]] bool isReachable() const { return m_reachable; }
    [[nodiscard]] QString lastError() const { return m_lastError; }

    /// Sends `verb path` (path includes the query, already percent-encoded) with `body`.
    void request(const QByteArray& verb, const QString& path, const QByteArray& body,
                 QObject* context, Callback callback, const RequestOptions& options = {});
    void get(const QString& path, QObject* context, Callback callback,
             const RequestOptions& options = {});
    void post(const QString& path, const QJsonObject& body, QObject* context, Callback callback);
    void put(const QString& path, const QJsonObject& body, QObject* context, Callback callback);
    /// `patchType`: application/merge-patch+json, application/strategic-merge-patch+json or
    /// application/json-patch+json.
    void patch(const QString& path, const QByteArray& body, const QByteArray& patchType,
               QObject* context, Callback callback);
    void remove(const QString& path, QObject* context, Callback callback,
                const QByteArray& body = {});

    /// Opens a streaming GET owned by `owner`.
    [[nodiscard]] KubeStream* stream(const QString& path, QObject* owner,
                                     const RequestOptions& options);

    /// Percent-encodes one query value.
    [[nodiscard]] static QString encode(const QString& value);

Q_SIGNALS:
    void reachabilityChanged(bool reachable);

private:
    void withCredentials(std::function<void(const QString& error)> next);
    void applyCredential(const ExecCredential& credential);
    void rebuildSsl();
    [[nodiscard]] QNetworkRequest makeRequest(const QString& path,
                                              const RequestOptions& options) const;
    [[nodiscard]] ApiResponse toResponse(QNetworkReply* reply) const;
    void noteResponse(const ApiResponse& response);
    [[nodiscard]] QNetworkAccessManager* streamManager();
    [[nodiscard]] QNetworkAccessManager* newManager();

    ConnectionConfig m_config;
    QSslConfiguration m_ssl;
    QByteArray m_authorization;
    QNetworkAccessManager* m_requests = nullptr;
    QList<QNetworkAccessManager*> m_streamManagers;
    QHash<QNetworkAccessManager*, int> m_streamCounts;
    ExecCredentialPlugin* m_plugin = nullptr;
    std::optional<ExecCredential> m_credential;
    QList<std::function<void(const QString&)>> m_waitingForCredential;
    bool m_reachable = true;
    QString m_lastError;
};

} // namespace pilot::gui
