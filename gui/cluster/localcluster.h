#pragma once

#include <QObject>
#include <QPointer>
#include <QProcess>
#include <QString>

namespace pilot::gui {

/// The bundled cluster (`pilothouse --local`): pilothouse-engine and, when its binary is
/// installed beside the engine, one pilothouse-agent, as child processes with their data under
/// the application data folder. Parses their ready lines (architecture.md §2), reports state,
/// and stops them with SIGTERM on request or when destroyed. Never blocks the GUI thread.
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

private:
    void setState(State state);
    void launch();
    void startAgent();
    void onEngineOutput();
    void onAgentOutput();
    void onExited(QProcess* process, const QString& what, int exitCode);
    void updateRunning();

    Options m_options;
    State m_state = State::Stopped;
    QPointer<QProcess> m_engine;
    QPointer<QProcess> m_agent;
    QByteArray m_engineOut;
    QByteArray m_agentOut;
    QString m_kubeconfig;
    QString m_apiUrl;
    bool m_agentReady = false;
    QString m_agentRuntime;
    QString m_lastError;
    bool m_attached = false;
    QObject* m_probe = nullptr;
};

} // namespace pilot::gui
