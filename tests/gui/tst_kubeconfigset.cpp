// KubeconfigSet: kubectl's file selection and merge rules, and resolving a context into
// connection settings; ExecCredential parsing.

#include "gui/client/execcredential.h"
#include "gui/client/kubeconfigset.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace pilot::gui;

namespace {

void writeFile(const QString& path, const QByteArray& text) {
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(text);
}

const QByteArray First = R"(apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev-cluster
  cluster:
    server: https://dev.example:6443
    certificate-authority: ca.crt
- name: shared
  cluster:
    server: https://first.example
users:
- name: dev-user
  user:
    token: dev-token
contexts:
- name: dev
  context: {cluster: dev-cluster, user: dev-user, namespace: team-a}
- name: shared
  context: {cluster: shared, user: dev-user}
)";

const QByteArray Second = R"(apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: prod-cluster
  cluster:
    server: https://prod.example
    insecure-skip-tls-verify: true
    proxy-url: socks5://proxy.example:1080
    tls-server-name: api.prod.example
- name: shared
  cluster:
    server: https://second.example
users:
- name: prod-user
  user:
    client-certificate-data: Q0VSVA==
    client-key-data: S0VZ
- name: exec-user
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./bin/get-token
      args: [--cluster, prod]
      env: [{name: REGION, value: eu}]
      interactiveMode: Never
      provideClusterInfo: true
- name: file-token
  user:
    tokenFile: token.txt
contexts:
- name: prod
  context: {cluster: prod-cluster, user: prod-user}
- name: shared
  context: {cluster: prod-cluster, user: prod-user}
- name: exec
  context: {cluster: prod-cluster, user: exec-user}
- name: tokenfile
  context: {cluster: shared, user: file-token}
)";

} // namespace

class KubeconfigSetTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_first;
    QString m_second;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        QDir(m_dir.path()).mkpath(QStringLiteral("a"));
        QDir(m_dir.path()).mkpath(QStringLiteral("b"));
        m_first = m_dir.filePath(QStringLiteral("a/config"));
        m_second = m_dir.filePath(QStringLiteral("b/config"));
        writeFile(m_first, First);
        writeFile(m_second, Second);
        writeFile(m_dir.filePath(QStringLiteral("a/ca.crt")), "CA-FROM-FILE");
        writeFile(m_dir.filePath(QStringLiteral("b/token.txt")), "file-token-value\n");
    }

    void defaultFiles_data() {
        QTest::addColumn<QString>("explicitFile");
        QTest::addColumn<QString>("env");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("explicit wins") << QStringLiteral("/x/config") << QStringLiteral("/a:/b")
                                       << QStringList{QStringLiteral("/x/config")};
        QTest::newRow("KUBECONFIG split, duplicates and empties dropped")
            << QString() << QStringLiteral("/a::/b:/a")
            << QStringList{QStringLiteral("/a"), QStringLiteral("/b")};
        QTest::newRow("home") << QString() << QString()
                              << QStringList{QStringLiteral("/home/u/.kube/config")};
    }
    void defaultFiles() {
        QFETCH(QString, explicitFile);
        QFETCH(QString, env);
        QFETCH(QStringList, expected);
        QCOMPARE(KubeconfigSet::defaultFiles(explicitFile, env, QStringLiteral("/home/u")),
                 expected);
    }

    void mergesLikeKubectl() {
        auto set =
            KubeconfigSet::load({m_first, m_dir.filePath(QStringLiteral("missing")), m_second});
        QVERIFY2(set.has_value(), qPrintable(set.error()));
        QStringList names;
        for (const ContextInfo& context : set->contexts()) {
            names << context.name;
        }
        QCOMPARE(names, (QStringList{QStringLiteral("dev"), QStringLiteral("shared"),
                                     QStringLiteral("prod"), QStringLiteral("exec"),
                                     QStringLiteral("tokenfile")}));
        QCOMPARE(set->currentContext(), QStringLiteral("dev")); // the first file that sets it
        QCOMPARE(set->files(), (QStringList{m_first, m_second}));
        // "shared" is defined by both files: the first definition wins, also for the cluster.
        auto shared = set->resolve(QStringLiteral("shared"));
        QVERIFY2(shared.has_value(), qPrintable(shared.error()));
        QCOMPARE(shared->server.toString(), QStringLiteral("https://first.example"));
        QCOMPARE(shared->token, QStringLiteral("dev-token"));
        // tokenfile (second file) uses cluster "shared", which the first file won.
        auto tokenFile = set->resolve(QStringLiteral("tokenfile"));
        QVERIFY2(tokenFile.has_value(), qPrintable(tokenFile.error()));
        QCOMPARE(tokenFile->server.toString(), QStringLiteral("https://first.example"));
        QCOMPARE(tokenFile->token, QStringLiteral("file-token-value"));
    }

    void resolvesFilesRelativeToTheirKubeconfig() {
        auto set = KubeconfigSet::load({m_first, m_second});
        QVERIFY(set.has_value());
        auto dev = set->resolve();
        QVERIFY2(dev.has_value(), qPrintable(dev.error()));
        QCOMPARE(dev->contextName, QStringLiteral("dev"));
        QCOMPARE(dev->namespaceName, QStringLiteral("team-a"));
        QCOMPARE(dev->certificateAuthorityPem, QByteArray("CA-FROM-FILE"));
        QCOMPARE(dev->server.port(), 6443);
    }

    void resolvesTlsAndProxySettings() {
        auto set = KubeconfigSet::load({m_second});
        QVERIFY(set.has_value());
        auto prod = set->resolve(QStringLiteral("prod"));
        QVERIFY2(prod.has_value(), qPrintable(prod.error()));
        QVERIFY(prod->insecureSkipTlsVerify);
        QCOMPARE(prod->tlsServerName, QStringLiteral("api.prod.example"));
        QCOMPARE(prod->proxyUrl.toString(), QStringLiteral("socks5://proxy.example:1080"));
        QCOMPARE(prod->clientCertificatePem, QByteArray("CERT"));
        QCOMPARE(prod->clientKeyPem, QByteArray("KEY"));
    }

    void resolvesExecPlugins() {
        auto set = KubeconfigSet::load({m_second});
        QVERIFY(set.has_value());
        auto exec = set->resolve(QStringLiteral("exec"));
        QVERIFY2(exec.has_value(), qPrintable(exec.error()));
        QVERIFY(exec->exec.has_value());
        QCOMPARE(exec->exec->command, QStringLiteral("./bin/get-token"));
        QCOMPARE(exec->exec->args,
                 (QStringList{QStringLiteral("--cluster"), QStringLiteral("prod")}));
        QCOMPARE(exec->exec->env.size(), 1);
        QCOMPARE(exec->exec->env.front().second, QStringLiteral("eu"));
        QVERIFY(exec->exec->provideClusterInfo);
        QCOMPARE(exec->exec->baseDir, QFileInfo(m_second).absolutePath());
    }

    void errorsNameTheProblem_data() {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QString>("context");
        QTest::addColumn<QString>("message");
        QByteArray base = "clusters: [{name: c, cluster: {server: 'https://x'}}]\n"
                          "contexts: [{name: ctx, context: {cluster: c, user: u}}]\n";
        QTest::newRow("missing context")
            << base << QStringLiteral("nope") << QStringLiteral("context \"nope\" not found");
        QTest::newRow("missing user")
            << base << QStringLiteral("ctx") << QStringLiteral("user \"u\" not found");
        QTest::newRow("bad base64")
            << base + "users: [{name: u, user: {client-certificate-data: '%%%', "
                      "client-key-data: 'S0VZ'}}]\n"
            << QStringLiteral("ctx") << QStringLiteral("client-certificate-data: not valid base64");
        QTest::newRow("certificate without key")
            << base + "users: [{name: u, user: {client-certificate-data: 'Q0VSVA=='}}]\n"
            << QStringLiteral("ctx") << QStringLiteral("must both be set");
        QTest::newRow("old exec api")
            << base + "users: [{name: u, user: {exec: {apiVersion: "
                      "client.authentication.k8s.io/v1alpha1, command: x}}}]\n"
            << QStringLiteral("ctx") << QStringLiteral("is not supported");
        QTest::newRow("server missing")
            << QByteArray("clusters: [{name: c, cluster: {}}]\n"
                          "contexts: [{name: ctx, context: {cluster: c}}]\n")
            << QStringLiteral("ctx") << QStringLiteral("server: required");
    }
    void errorsNameTheProblem() {
        QFETCH(QByteArray, yaml);
        QFETCH(QString, context);
        QFETCH(QString, message);
        auto set = KubeconfigSet::fromText(yaml, m_dir.path(), QStringLiteral("inline"));
        QVERIFY2(set.has_value(), qPrintable(set.error()));
        auto resolved = set->resolve(context);
        QVERIFY(!resolved.has_value());
        QVERIFY2(resolved.error().contains(message), qPrintable(resolved.error()));
    }

    void malformedFileIsAnError() {
        QString bad = m_dir.filePath(QStringLiteral("bad"));
        writeFile(bad, "clusters: [unclosed\n");
        auto set = KubeconfigSet::load({bad});
        QVERIFY(!set.has_value());
        QVERIFY2(set.error().contains(bad), qPrintable(set.error()));
        auto required = KubeconfigSet::load({m_dir.filePath(QStringLiteral("none"))}, true);
        QVERIFY(!required.has_value());
    }

    void parsesExecCredentials() {
        QByteArray out = R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",
            "status":{"token":"t0k","expirationTimestamp":"2030-01-02T03:04:05Z"}})";
        auto credential =
            ExecCredentialPlugin::parse(out, QStringLiteral("client.authentication.k8s.io/v1"));
        QVERIFY2(credential.has_value(), qPrintable(credential.error()));
        QCOMPARE(credential->token, QStringLiteral("t0k"));
        QCOMPARE(credential->expiration.date().year(), 2030);
        QVERIFY(!credential->expired(QDateTime::currentDateTimeUtc()));
        auto wrongVersion = ExecCredentialPlugin::parse(
            out, QStringLiteral("client.authentication.k8s.io/v1beta1"));
        QVERIFY(!wrongVersion.has_value());
        auto empty = ExecCredentialPlugin::parse(
            R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}})",
            QStringLiteral("client.authentication.k8s.io/v1"));
        QVERIFY(!empty.has_value());
    }
};

QTEST_GUILESS_MAIN(KubeconfigSetTest)
#include "tst_kubeconfigset.moc"
