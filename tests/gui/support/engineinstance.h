#pragma once

#include <QObject>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace pilot::guitest {

/// A real pilothouse-engine for GUI tests, as a QProcess: `start()` waits (processing events)
/// for the ready line; `stop()` sends SIGTERM and waits for the exit. The data directory
/// survives stop() so that a restart keeps everything; it is removed with the object.
class EngineInstance : public QObject {
    Q_OBJECT
public:
    explicit EngineInstance(QObject* parent = nullptr);
    ~EngineInstance() override;

    /// Starts on `listen` (default 127.0.0.1:0); false if no ready line came within the limit.
    [[nodiscard]] bool start(const QString& listen = QStringLiteral("127.0.0.1:0"),
                             int timeoutMs = 30000);
    void stop();

    [[nodiscard]] QString kubeconfig() const { return m_kubeconfig; }
    [[nodiscard]] QString apiUrl() const { return m_apiUrl; }
    /// `127.0.0.1:PORT` as bound (for restarting on the same address).
    [[nodiscard]] QString listenAddress() const;
    [[nodiscard]] QString dataDir() const { return m_dir.path(); }
    [[nodiscard]] bool isRunning() const;

private:
    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_process;
    QByteArray m_stdout;
    QString m_kubeconfig;
    QString m_apiUrl;
};

/// Runs a program to completion (for kubectl and pilot-simnodes in tests), processing events
/// while it runs. Returns its exit code (-1 when it did not finish within the limit).
int runProgram(const QString& program, const QStringList& args, QByteArray* out = nullptr,
               const QByteArray& input = {}, int timeoutMs = 60000);

/// kubectl with `--kubeconfig`.
int kubectl(const QString& kubeconfig, const QStringList& args, QByteArray* out = nullptr,
            const QByteArray& input = {});

/// Where screenshots go: ${CMAKE_BINARY_DIR}/tests/gui-screenshots/<name>.png.
QString screenshotPath(const QString& name);

} // namespace pilot::guitest
