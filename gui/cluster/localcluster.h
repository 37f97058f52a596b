#pragma once

#include "gui/cluster/localregistry.h"

#include <QObject>
#include <QPointer>
#include <QProcess>
#include <QString>
#include <QUrl>

namespace pilot::gui {

/// The bundled cluster (`pilothouse --local`): pilothouse-engine and, when its binary is
/// installed beside the engine, one pilothouse-agent, as child processes with their data under
/// the application data folder. Parses their ready lines (architecture.md §2), reports state,
/// and stops them with SIGTERM on request or when destroyed. Never blocks the GUI thread.
/// The engine serves its registry on `registryListen`; the agent trusts the engine CA for it
/// (--registry-verify-loopback), so pulls from the bundled registry are verified TLS.
class LocalCluster : public QObject {
    Q_OBJECT
public:
    enum class State { Stopped, Starting, Running, Stopping, Failed };
    Q_ENUM(State)

    struct Options {
        QString engineBinary;
        QString agentBinary; ///< Empty or missing: engine only.
        QString dataDir;     ///< engine/ and agent/ go below it.
        QString listen = QStringLiteral("127.0.0.1:0");
        QString registryListen = QStringLiteral("127.0.0.1:0");
        QString nodeName;
    };

    /// Binaries beside the running executable (or $PILOTHOUSE_ENGINE / $PILOTHOUSE_AGENT), data
    /// under QStandardPaths::AppDataLocation/local-cluster, the node named after the host.
    [[nodiscard]] static Options defaultOptions();

    explicit LocalCluster(Options options, QObject* parent = nullptr);
    ~LocalCluster() override;

    /// Starts the engine (and agent), or attaches when an engine already serves this data
    /// directory (another console started it): its kubeconfig is probed first, so two consoles
    /// never run two engines on one store.
    void start();
    /// Stops what this object started; an attached cluster is only let go.
    void stop();
    [[nodiscard]] bool isAttached() const { return m_attached; }
    /// The engine's kubeconfig inside the data directory.
    [[nodiscard]] QString engineKubeconfig() const;

    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] bool hasAgent() const;
    [[nodiscard]] bool engineReady() const { return !m_kubeconfig.isEmpty(); }
    [[nodiscard]] bool agentReady() const { return m_agentReady; }
    [[nodiscard]] QString kubeconfig() const { return m_kubeconfig; }
    [[nodiscard]] QString apiUrl() const { return m_apiUrl; }
    /// The bundled registry's address (empty until the engine is ready; when attached, the
    /// address its owner recorded in the data directory).
    [[nodiscard]] QUrl registryUrl() const { return m_registryUrl; }
    /// The bundled registry with its CA and administrator, ready to add as a registry
    /// connection; fails (with the reason) before the engine is ready or without a registry.
    [[nodiscard]] Expected<LocalRegistry> registry() const;
    [[nodiscard]] QString agentRuntime() const { return m_agentRuntime; }
    [[nodiscard]] QString lastError() const { return m_lastError; }
    [[nodiscard]] const Options& options() const { return m_options; }

    /// The context name the console gives the local cluster.
    [[nodiscard]] static QString contextName() { return QStringLiteral("pilothouse-local"); }

Q_SIGNALS:
    void stateChanged(pilot::gui::LocalCluster::State state);
    /// The engine printed its ready line; the kubeconfig is usable.
    void engineStarted(const QString& kubeconfig);
    void agentStarted(const QString& node);
    /// The bundled registry is served at `url` (after engineStarted, or on attaching).
    void registryStarted(const QUrl& url);

private:
    void setState(State state);
    void launch();
    void startAgent();
    void onEngineOutput();
    void onAgentOutput();
    void onExited(QProcess* process, const QString& what, int exitCode);
    void updateRunning();
    [[nodiscard]] QString engineDir() const;
    [[nodiscard]] QString registryUrlFile() const;
    /// The address to give --registry-listen: with a free-port option (`HOST:0`), the port this
    /// cluster's registry had before when it is free, because pods name images by it.
    [[nodiscard]] QString registryListenAddress() const;
    void setRegistryUrl(const QUrl& url);

    Options m_options;
    State m_state = State::Stopped;
    QPointer<QProcess> m_engine;
    QPointer<QProcess> m_agent;
    QByteArray m_engineOut;
    QByteArray m_agentOut;
    QString m_kubeconfig;
    QString m_apiUrl;
    QUrl m_registryUrl;
    bool m_agentReady = false;
    QString m_agentRuntime;
    QString m_lastError;
    bool m_attached = false;
    QObject* m_probe = nullptr;
};

} // namespace pilot::gui
