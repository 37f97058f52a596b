#pragma once

#include "gui/client/connectionconfig.h"

#include <QByteArray>
#include <QDateTime>
#include <QObject>
#include <QPointer>
#include <QString>

#include <expected>

class QProcess;
class QTimer;

namespace pilot::gui {

/// What an exec plugin returned (`ExecCredential.status`).
struct ExecCredential {
    QString token;
    QByteArray clientCertificatePem;
    QByteArray clientKeyPem;
    QDateTime expiration; ///< Invalid: valid until the server refuses it.

    [[nodiscard]] bool expired(const QDateTime& now) const {
        return expiration.isValid() && now >= expiration;
    }
};

/// Runs a client.authentication.k8s.io exec credential plugin asynchronously (QProcess, no
/// waiting): sets `KUBERNETES_EXEC_INFO`, the configured environment and arguments, and parses
/// the ExecCredential the plugin prints. Emits exactly one of `succeeded` or `failed` per
/// `start()`; a plugin that runs longer than the timeout is killed. Lives on the GUI thread.
class ExecCredentialPlugin : public QObject {
    Q_OBJECT
public:
    ExecCredentialPlugin(ExecConfig config, QUrl server, QByteArray caPem,
                         QObject* parent = nullptr);
    ~ExecCredentialPlugin() override;

    void start();
    [[nodiscard]] bool isRunning() const { return m_process != nullptr; }
    void setTimeoutMs(int ms) { m_timeoutMs = ms; }

    /// Parses a plugin's stdout; exposed for tests.
    [[nodiscard]] static std::expected<ExecCredential, QString>
    parse(const QByteArray& output, const QString& expectedApiVersion);

Q_SIGNALS:
    void succeeded(const pilot::gui::ExecCredential& credential);
    void failed(const QString& message);

private:
    void finish(int exitCode);
    [[nodiscard]] QByteArray execInfo() const;

    ExecConfig m_config;
    QUrl m_server;
    QByteArray m_caPem;
    QProcess* m_process = nullptr;
    QTimer* m_timer = nullptr;
    int m_timeoutMs = 60000;
};

} // namespace pilot::gui
