#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>

namespace pilot::gui {

/// A `users[].user.exec` credential plugin (client.authentication.k8s.io).
struct ExecConfig {
    QString apiVersion; ///< client.authentication.k8s.io/v1 or v1beta1.
    QString command;
    QStringList args;
    QList<QPair<QString, QString>> env;
    QString installHint;
    QString interactiveMode; ///< Never, IfAvailable, Always; the console never has a terminal.
    bool provideClusterInfo = false;
    QString baseDir; ///< A relative command path resolves against the kubeconfig's directory.
};

/// Everything needed to talk to one cluster, resolved from a kubeconfig context.
struct ConnectionConfig {
    QString contextName;
    QString clusterName;
    QString userName;
    QString namespaceName; ///< Empty means `default`.
    QUrl server;
    QString tlsServerName;
    bool insecureSkipTlsVerify = false;
    QByteArray certificateAuthorityPem; ///< Empty: the system trust store.
    QByteArray clientCertificatePem;
    QByteArray clientKeyPem;
    QString token;
    QString username; ///< Basic authentication (rare, still in kubeconfigs).
    QString password;
    QUrl proxyUrl;
    std::optional<ExecConfig> exec;
};

} // namespace pilot::gui
