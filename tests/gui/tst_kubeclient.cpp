// KubeClient against a real pilothouse-engine: TLS with the engine's CA and client certificate,
// insecure-skip-tls-verify, exec credential plugins, proxy-url, timeouts and context objects.

#include "gui/client/kubeclient.h"
#include "gui/client/kubeconfigset.h"

#include "tests/gui/support/engineinstance.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace pilot::gui;
using namespace pilot::guitest;

namespace {

/// An HTTP CONNECT proxy on 127.0.0.1:0 that records the targets it tunnels to.
class ConnectProxy : public QObject {
public:
    ConnectProxy() {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* client = m_server.nextPendingConnection()) {
                connect(client, &QTcpSocket::readyRead, this, [this, client] { onRead(client); });
            }
        });
    }
    quint16 port() const { return m_server.serverPort(); }
    QStringList targets;

private:
    void onRead(QTcpSocket* client) {
        auto* upstream = client->property("upstream").value<QTcpSocket*>();
        if (upstream) {
            upstream->write(client->readAll());
            return;
        }
        QByteArray head = client->property("head").toByteArray() + client->readAll();
        if (!head.contains("\r\n\r\n")) {
            client->setProperty("head", head);
            return;
        }
        QList<QByteArray> first = head.left(head.indexOf("\r\n")).split(' ');
        QByteArray target = first.value(1);
        targets << QString::fromLatin1(target);
        upstream = new QTcpSocket(client);
        client->setProperty("upstream", QVariant::fromValue(upstream));
        int colon = int(target.lastIndexOf(':'));
        connect(upstream, &QTcpSocket::connected, client,
                [client] { client->write("HTTP/1.1 200 Connection established\r\n\r\n"); });
        connect(upstream, &QTcpSocket::readyRead, client,
                [client, upstream] { client->write(upstream->readAll()); });
        connect(upstream, &QTcpSocket::disconnected, client, &QTcpSocket::disconnectFromHost);
        upstream->connectToHost(QString::fromLatin1(target.left(colon)),
                                quint16(target.mid(colon + 1).toInt()));
    }
    QTcpServer m_server;
};

ApiResponse getAndWait(KubeClient& client, const QString& path, int timeoutMs = 30000) {
    ApiResponse result;
    bool done = false;
    RequestOptions options;
    options.timeoutMs = timeoutMs;
    client.get(
        path, &client,
        [&](const ApiResponse& response) {
            result = response;
            done = true;
        },
        options);
    if (!QTest::qWaitFor([&] { return done; }, timeoutMs + 10000)) {
        result.error = QStringLiteral("no callback");
    }
    return result;
}

} // namespace

class KubeClientTest : public QObject {
    Q_OBJECT

private:
    EngineInstance m_engine;
    ConnectionConfig m_admin;
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_engine.start());
        auto set = KubeconfigSet::load({m_engine.kubeconfig()}, true);
        QVERIFY2(set.has_value(), qPrintable(set.error()));
        auto config = set->resolve();
        QVERIFY2(config.has_value(), qPrintable(config.error()));
        m_admin = *config;
    }

    void talksTlsWithClientCertificate() {
        KubeClient client(m_admin);
        ApiResponse response = getAndWait(client, QStringLiteral("/api/v1/namespaces"));
        QVERIFY2(response.ok(), qPrintable(response.error));
        QCOMPARE(response.object().value(QLatin1String("kind")).toString(),
                 QStringLiteral("NamespaceList"));
        QVERIFY(client.isReachable());
    }

    void apiErrorsCarryTheStatusMessage() {
        KubeClient client(m_admin);
        ApiResponse response =
            getAndWait(client, QStringLiteral("/api/v1/namespaces/default/pods/nope"));
        QCOMPARE(response.status, 404);
        QCOMPARE(response.reason, QStringLiteral("NotFound"));
        QVERIFY2(response.error.contains(QLatin1String("\"nope\" not found")),
                 qPrintable(response.error));
    }

    void untrustedServerFailsUnlessInsecure() {
        ConnectionConfig untrusted = m_admin;
        untrusted.certificateAuthorityPem.clear(); // system roots do not know the engine's CA
        KubeClient strict(untrusted);
        QSignalSpy reachability(&strict, &KubeClient::reachabilityChanged);
        ApiResponse refused = getAndWait(strict, QStringLiteral("/api/v1/namespaces"));
        QCOMPARE(refused.status, 0);
        QVERIFY(!refused.error.isEmpty());
        QCOMPARE(reachability.count(), 1);
        QVERIFY(!strict.isReachable());

        untrusted.insecureSkipTlsVerify = true;
        KubeClient insecure(untrusted);
        ApiResponse accepted = getAndWait(insecure, QStringLiteral("/api/v1/namespaces"));
        QVERIFY2(accepted.ok(), qPrintable(accepted.error));
    }

    void execPluginProvidesTheCredential() {
        // The plugin hands out the admin client certificate, as cloud plugins hand out tokens.
        QJsonObject status{
            {QStringLiteral("clientCertificateData"),
             QString::fromUtf8(m_admin.clientCertificatePem)},
            {QStringLiteral("clientKeyData"), QString::fromUtf8(m_admin.clientKeyPem)}};
        QJsonObject credential{
            {QStringLiteral("apiVersion"), QStringLiteral("client.authentication.k8s.io/v1")},
            {QStringLiteral("kind"), QStringLiteral("ExecCredential")},
            {QStringLiteral("status"), status}};
        QFile json(m_dir.filePath(QStringLiteral("credential.json")));
        QVERIFY(json.open(QIODevice::WriteOnly));
        json.write(QJsonDocument(credential).toJson());
        json.close();
        QString script = m_dir.filePath(QStringLiteral("plugin.sh"));
        QFile file(script);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(
            "#!/bin/sh\nprintf '%s' \"$KUBERNETES_EXEC_INFO\" > \"$(dirname \"$0\")/info.json\"\n"
            "echo \"$1 $REGION\" > \"$(dirname \"$0\")/args.txt\"\n"
            "cat \"$(dirname \"$0\")/credential.json\"\n");
        file.close();
        file.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);

        ConnectionConfig config = m_admin;
        config.clientCertificatePem.clear();
        config.clientKeyPem.clear();
        ExecConfig exec;
        exec.apiVersion = QStringLiteral("client.authentication.k8s.io/v1");
        exec.command = QStringLiteral("./plugin.sh");
        exec.baseDir = m_dir.path();
        exec.args = {QStringLiteral("--flag")};
        exec.env = {{QStringLiteral("REGION"), QStringLiteral("eu")}};
        exec.provideClusterInfo = true;
        config.exec = exec;
        KubeClient client(config);
        ApiResponse response = getAndWait(client, QStringLiteral("/api/v1/namespaces"));
        QVERIFY2(response.ok(), qPrintable(response.error));

        QFile info(m_dir.filePath(QStringLiteral("info.json")));
        QVERIFY(info.open(QIODevice::ReadOnly));
        QJsonObject execInfo = QJsonDocument::fromJson(info.readAll()).object();
        QCOMPARE(execInfo.value(QLatin1String("kind")).toString(),
                 QStringLiteral("ExecCredential"));
        QCOMPARE(execInfo.value(QLatin1String("spec"))
                     .toObject()
                     .value(QLatin1String("cluster"))
                     .toObject()
                     .value(QLatin1String("server"))
                     .toString(),
                 m_admin.server.toString());
        QFile args(m_dir.filePath(QStringLiteral("args.txt")));
        QVERIFY(args.open(QIODevice::ReadOnly));
        QCOMPARE(args.readAll().trimmed(), QByteArray("--flag eu"));
    }

    void failingExecPluginFailsTheRequest() {
        ConnectionConfig config = m_admin;
        config.clientCertificatePem.clear();
        config.clientKeyPem.clear();
        ExecConfig exec;
        exec.apiVersion = QStringLiteral("client.authentication.k8s.io/v1");
        exec.command = QStringLiteral("/nonexistent/credential-helper");
        exec.installHint = QStringLiteral("install the helper");
        config.exec = exec;
        KubeClient client(config);
        ApiResponse response = getAndWait(client, QStringLiteral("/api/v1/namespaces"));
        QVERIFY(!response.ok());
        QVERIFY2(response.error.contains(QLatin1String("install the helper")),
                 qPrintable(response.error));
    }

    void goesThroughProxyUrl() {
        ConnectProxy proxy;
        ConnectionConfig config = m_admin;
        config.proxyUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(proxy.port()));
        KubeClient client(config);
        ApiResponse response = getAndWait(client, QStringLiteral("/api/v1/namespaces"));
        QVERIFY2(response.ok(), qPrintable(response.error));
        QCOMPARE(proxy.targets.size(), 1);
        QCOMPARE(proxy.targets.front(), m_engine.listenAddress());
    }

    void silentServerTimesOut() {
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        ConnectionConfig config;
        config.server = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(silent.serverPort()));
        KubeClient client(config);
        ApiResponse response = getAndWait(client, QStringLiteral("/api"), 300);
        QCOMPARE(response.status, 0);
        QVERIFY2(response.error.contains(QLatin1String("timed out")), qPrintable(response.error));
        QVERIFY(!client.isReachable());
    }

    void callbackNeverOutlivesItsContext() {
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        ConnectionConfig config;
        config.server = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(silent.serverPort()));
        KubeClient client(config);
        bool called = false;
        auto* context = new QObject;
        RequestOptions options;
        options.timeoutMs = 200;
        client.get(
            QStringLiteral("/api"), context, [&](const ApiResponse&) { called = true; }, options);
        delete context;
        // A later request with a longer timeout finishes after the first one's timeout passed;
        // by then the first callback would have run.
        ApiResponse later = getAndWait(client, QStringLiteral("/api"), 400);
        QCOMPARE(later.status, 0);
        QVERIFY(!called);
    }
};

QTEST_GUILESS_MAIN(KubeClientTest)
#include "tst_kubeclient.moc"
