#pragma once

#include "gui/editors/objectapplier.h"

#include <boost/json/object.hpp>

#include <QNetworkAccessManager>
#include <QSslConfiguration>
#include <QUrl>

#include <memory>
#include <vector>

namespace pilot::gui::test {

/// ObjectApplier over a real API server with QNetworkAccessManager, for the editor tests: the
/// kinds the forms edit are mapped to their REST paths by a fixed table (the console's client
/// uses discovery). `apply` is GET, then POST (absent) or PUT with the live resourceVersion.
class EngineApplier : public QObject, public ObjectApplier {
    Q_OBJECT
public:
    /// Loads the connection (server, CA, client certificate) from a kubeconfig; `ok()` says
    /// whether that worked.
    explicit EngineApplier(const QString& kubeconfig, QObject* parent = nullptr);

    [[nodiscard]] bool ok() const { return m_ok; }
    [[nodiscard]] const QString& error() const { return m_error; }

    void get(const ApiObjectRef& ref, QObject* context, ObjectCallback done) override;
    void dryRun(const boost::json::object& object, QObject* context, ObjectCallback done) override;
    void apply(const boost::json::object& object, QObject* context, ObjectCallback done) override;
    void patch(const ApiObjectRef& ref, PatchKind kind, const QByteArray& body, QObject* context,
               ObjectCallback done) override;

    using ListCallback =
        std::function<void(const RequestResult<std::vector<boost::json::object>>&)>;
    /// Lists `kind` objects in `namespaceName` matching `labelSelector` (for the tests' checks
    /// and to feed the rollout widget).
    void list(const QString& apiVersion, const QString& kind, const QString& namespaceName,
              const QString& labelSelector, QObject* context, ListCallback done);

    /// Number of requests sent, for tests that check no request was made.
    [[nodiscard]] int requestCount() const { return m_requests; }

private:
    void write(const boost::json::object& object, bool dryRun, QObject* context,
               ObjectCallback done);
    void send(const QByteArray& method, const QUrl& url, const QByteArray& body,
              const QByteArray& contentType, QObject* context,
              std::function<void(int, const QByteArray&)> done);
    [[nodiscard]] QUrl url(const ApiObjectRef& ref, bool collection,
                           const QString& query = {}) const;

    QNetworkAccessManager m_network;
    QSslConfiguration m_ssl;
    QString m_server;
    bool m_ok = false;
    QString m_error;
    int m_requests = 0;
};

} // namespace pilot::gui::test
