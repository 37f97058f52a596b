#include "gui/client/execcredential.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTimer>

namespace pilot::gui {

ExecCredentialPlugin::ExecCredentialPlugin(ExecConfig config, QUrl server, QByteArray caPem,
                                           QObject* parent)
    : QObject(parent), m_config(std::move(config)), m_server(std::move(server)),
      m_caPem(std::move(caPem)) {}

ExecCredentialPlugin::~ExecCredentialPlugin() {
    if (m_process) {
        m_process->disconnect(this);
        m_process->kill(); // the QProcess child reaps it when it is destroyed
    }
}

QByteArray ExecCredentialPlugin::execInfo() const {
    QJsonObject spec{{QStringLiteral("interactive"), false}};
    if (m_config.provideClusterInfo) {
        QJsonObject cluster{{QStringLiteral("server"), m_server.toString()}};
        if (!m_caPem.isEmpty()) {
            cluster.insert(QStringLiteral("certificate-authority-data"),
                           QString::fromLatin1(m_caPem.toBase64()));
        }
        spec.insert(QStringLiteral("cluster"), cluster);
    }
    QJsonObject info{{QStringLiteral("apiVersion"), m_config.apiVersion},
                     {QStringLiteral("kind"), QStringLiteral("ExecCredential")},
                     {QStringLiteral("spec"), spec}};
    return QJsonDocument(info).toJson(QJsonDocument::Compact);
}

void ExecCredentialPlugin::start() {
    if (m_process) {
        return;
    }
    m_process = new QProcess(this);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const auto& [name, value] : m_config.env) {
        env.insert(name, value);
    }
    env.insert(QStringLiteral("KUBERNETES_EXEC_INFO"), QString::fromUtf8(execInfo()));
    m_process->setProcessEnvironment(env);
    QString program = m_config.command;
    // client-go: a relative path with a separator is relative to the kubeconfig's directory;
    // a bare name is looked up in PATH.
    if (program.contains(QLatin1Char('/')) && QDir::isRelativePath(program)) {
        program = QDir(m_config.baseDir).filePath(program);
    }
    m_process->setProgram(program);
    m_process->setArguments(m_config.args);
    connect(m_process, &QProcess::finished, this,
            [this](int exitCode, QProcess::ExitStatus) { finish(exitCode); });
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart) {
            return; // finished() follows for crashes and kills
        }
        QString hint = m_config.installHint.isEmpty() ? QString()
                                                      : QStringLiteral("\n") + m_config.installHint;
        m_process->deleteLater();
        m_process = nullptr;
        m_timer->deleteLater();
        m_timer = nullptr;
        Q_EMIT failed(
            QStringLiteral("exec plugin %1: cannot run: %2%3")
                .arg(m_config.command, QStringLiteral("not found or not executable"), hint));
    });
    m_timer = new QTimer(this);
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, [this] {
        if (m_process) {
            m_process->kill();
        }
    });
    m_timer->start(m_timeoutMs);
    m_process->start();
}

void ExecCredentialPlugin::finish(int exitCode) {
    QProcess* process = m_process;
    m_process = nullptr;
    bool timedOut = m_timer && !m_timer->isActive();
    if (m_timer) {
        m_timer->stop();
        m_timer->deleteLater();
        m_timer = nullptr;
    }
    QByteArray out = process->readAllStandardOutput();
    QByteArray err = process->readAllStandardError().trimmed();
    process->deleteLater();
    if (timedOut) {
        Q_EMIT failed(QStringLiteral("exec plugin %1: timed out").arg(m_config.command));
        return;
    }
    if (exitCode != 0 || process->exitStatus() != QProcess::NormalExit) {
        Q_EMIT failed(QStringLiteral("exec plugin %1: exit code %2: %3")
                          .arg(m_config.command)
                          .arg(exitCode)
                          .arg(QString::fromUtf8(err)));
        return;
    }
    auto credential = parse(out, m_config.apiVersion);
    if (!credential) {
        Q_EMIT failed(
            QStringLiteral("exec plugin %1: %2").arg(m_config.command, credential.error()));
        return;
    }
    Q_EMIT succeeded(*credential);
}

std::expected<ExecCredential, QString>
ExecCredentialPlugin::parse(const QByteArray& output, const QString& expectedApiVersion) {
    QJsonParseError error{};
    QJsonDocument doc = QJsonDocument::fromJson(output, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject()) {
        return std::unexpected(QStringLiteral("output is not a JSON ExecCredential"));
    }
    QJsonObject root = doc.object();
    if (root.value(QLatin1String("kind")).toString() != QLatin1String("ExecCredential")) {
        return std::unexpected(QStringLiteral("output kind is not ExecCredential"));
    }
    QString apiVersion = root.value(QLatin1String("apiVersion")).toString();
    if (apiVersion != expectedApiVersion) {
        return std::unexpected(
            QStringLiteral("apiVersion %1 does not match %2").arg(apiVersion, expectedApiVersion));
    }
    QJsonObject status = root.value(QLatin1String("status")).toObject();
    ExecCredential credential;
    credential.token = status.value(QLatin1String("token")).toString();
    credential.clientCertificatePem =
        status.value(QLatin1String("clientCertificateData")).toString().toUtf8();
    credential.clientKeyPem = status.value(QLatin1String("clientKeyData")).toString().toUtf8();
    QString expiry = status.value(QLatin1String("expirationTimestamp")).toString();
    if (!expiry.isEmpty()) {
        credential.expiration = QDateTime::fromString(expiry, Qt::ISODate);
    }
    if (credential.clientCertificatePem.isEmpty() != credential.clientKeyPem.isEmpty()) {
        return std::unexpected(
            QStringLiteral("status needs both clientCertificateData and clientKeyData"));
    }
    if (credential.token.isEmpty() && credential.clientCertificatePem.isEmpty()) {
        return std::unexpected(QStringLiteral("status has neither a token nor a certificate"));
    }
    return credential;
}

} // namespace pilot::gui
