#include "gui/cluster/localcluster.h"

#include "gui/client/kubeclient.h"
#include "gui/client/kubeconfigset.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostInfo>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>

namespace pilot::gui {

namespace {

QString beside(const QString& name, const char* env) {
    QString fromEnv = qEnvironmentVariable(env);
    if (!fromEnv.isEmpty()) {
        return fromEnv;
    }
    return QDir(QCoreApplication::applicationDirPath()).filePath(name);
}

/// `key=value` from a ready line.
QString field(const QString& line, const QString& key) {
    QRegularExpression re(QStringLiteral("(?:^| )") + QRegularExpression::escape(key) +
                          QStringLiteral("=(\\S+)"));
    return re.match(line).captured(1);
}

} // namespace

LocalCluster::Options LocalCluster::defaultOptions() {
    Options options;
    options.engineBinary = beside(QStringLiteral("pilothouse-engine"), "PILOTHOUSE_ENGINE");
    options.agentBinary = beside(QStringLiteral("pilothouse-agent"), "PILOTHOUSE_AGENT");
    options.dataDir = QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
                          .filePath(QStringLiteral("local-cluster"));
    QString host = QHostInfo::localHostName().toLower();
    options.nodeName = host.isEmpty() ? QStringLiteral("local") : host;
    return options;
}

LocalCluster::LocalCluster(Options options, QObject* parent)
    : QObject(parent), m_options(std::move(options)) {}

LocalCluster::~LocalCluster() {
    // Children are terminated (SIGTERM) so that they flush; QProcess's destructor then waits
    // briefly and kills what is left.
    if (m_engine && m_engine->state() != QProcess::NotRunning) {
        QFile::remove(registryUrlFile());
    }
    for (QProcess* process : {m_agent.data(), m_engine.data()}) {
        if (process && process->state() != QProcess::NotRunning) {
            process->disconnect(this);
            process->terminate();
        }
    }
}

bool LocalCluster::hasAgent() const {
    return !m_options.agentBinary.isEmpty() && QFileInfo(m_options.agentBinary).isExecutable();
}

void LocalCluster::setState(State state) {
    if (state == m_state) {
        return;
    }
    m_state = state;
    Q_EMIT stateChanged(state);
}

QString LocalCluster::engineDir() const {
    return QDir(m_options.dataDir).filePath(QStringLiteral("engine"));
}

QString LocalCluster::engineKubeconfig() const {
    return QDir(engineDir()).filePath(QStringLiteral("admin.kubeconfig"));
}

QString LocalCluster::registryUrlFile() const {
    // The engine prints its registry address only in its ready line, and its port changes with
    // every start: the console that started it records it here for consoles that attach.
    return QDir(m_options.dataDir).filePath(QStringLiteral("registry-url"));
}

namespace {

/// Where the registry's last address is kept across starts (unlike registry-url, which only
/// exists while the engine runs).
QString lastRegistryListenFile(const QString& dataDir) {
    return QDir(dataDir).filePath(QStringLiteral("registry-listen"));
}

} // namespace

QString LocalCluster::registryListenAddress() const {
    const QString& wanted = m_options.registryListen;
    if (!wanted.endsWith(QStringLiteral(":0"))) {
        return wanted;
    }
    QFile last(lastRegistryListenFile(m_options.dataDir));
    if (!last.open(QIODevice::ReadOnly)) {
        return wanted;
    }
    QString previous = QString::fromUtf8(last.readAll()).trimmed();
    qsizetype colon = previous.lastIndexOf(u':');
    bool ok = false;
    quint16 port = colon > 0 ? previous.mid(colon + 1).toUShort(&ok) : 0;
    QString host = wanted.left(wanted.size() - 2);
    if (!ok || port == 0 || previous.left(colon) != host) {
        return wanted;
    }
    // Taken by something else meanwhile: a new free port (the engine picks it) beats no registry.
    QTcpServer probe;
    if (!probe.listen(QHostAddress(host), port)) {
        return wanted;
    }
    return previous;
}

void LocalCluster::setRegistryUrl(const QUrl& url) {
    m_registryUrl = url;
    if (url.isValid()) {
        Q_EMIT registryStarted(url);
    }
}

Expected<LocalRegistry> LocalCluster::registry() const {
    if (!engineReady()) {
        // Not translated yet, like LocalRegistry's messages: no view shows it so far.
        return failure(QStringLiteral("The local cluster is not running"));
    }
    return LocalRegistry::load(engineDir(), m_registryUrl);
}

void LocalCluster::start() {
    if (m_state == State::Starting || m_state == State::Running) {
        return;
    }
    m_attached = false;
    m_lastError.clear();
    setState(State::Starting);
    auto set = KubeconfigSet::load({engineKubeconfig()}, true);
    auto config = set ? set->resolve() : Expected<ConnectionConfig>(failure(set.error()));
    if (!config) {
        launch(); // never started here before
        return;
    }
    // An engine may already serve this directory: ask it before starting another.
    delete m_probe;
    m_probe = new QObject(this);
    auto* client = new KubeClient(*config, m_probe);
    RequestOptions options;
    options.timeoutMs = 2000;
    client->get(
        QStringLiteral("/readyz"), m_probe,
        [this](const ApiResponse& response) {
            m_probe->deleteLater();
            m_probe = nullptr;
            if (m_state != State::Starting) {
                return;
            }
            if (!response.ok()) {
                launch();
                return;
            }
            m_attached = true;
            m_kubeconfig = engineKubeconfig();
            Q_EMIT engineStarted(m_kubeconfig);
            QFile recorded(registryUrlFile());
            if (recorded.open(QIODevice::ReadOnly)) {
                setRegistryUrl(QUrl(QString::fromUtf8(recorded.readAll()).trimmed()));
            }
            setState(State::Running);
        },
        options);
}

void LocalCluster::launch() {
    if (!QFileInfo(m_options.engineBinary).isExecutable()) {
        m_lastError = tr("The engine was not found at %1").arg(m_options.engineBinary);
        setState(State::Failed);
        return;
    }
    QDir().mkpath(engineDir());
    QFile::remove(registryUrlFile());
    m_kubeconfig.clear();
    m_apiUrl.clear();
    m_registryUrl.clear();
    m_agentReady = false;
    m_engineOut.clear();
    m_engine = new QProcess(this);
    m_engine->setStandardErrorFile(QDir(m_options.dataDir).filePath(QStringLiteral("engine.log")),
                                   QIODevice::Append);
    connect(m_engine, &QProcess::readyReadStandardOutput, this, &LocalCluster::onEngineOutput);
    QProcess* engine = m_engine;
    connect(m_engine, &QProcess::finished, this,
            [this, engine](int code) { onExited(engine, tr("The engine"), code); });
    connect(m_engine, &QProcess::errorOccurred, this, [this, engine](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart) {
            onExited(engine, tr("The engine"), -1);
        }
    });
    m_engine->start(m_options.engineBinary,
                    {QStringLiteral("--data-dir"), engineDir(), QStringLiteral("--listen"),
                     m_options.listen, QStringLiteral("--registry-listen"),
                     registryListenAddress()});
}

void LocalCluster::onEngineOutput() {
    m_engineOut += m_engine->readAllStandardOutput();
    qsizetype newline;
    while ((newline = m_engineOut.indexOf('\n')) >= 0) {
        QString line = QString::fromUtf8(m_engineOut.left(newline));
        m_engineOut.remove(0, newline + 1);
        if (!line.startsWith(QLatin1String("ready "))) {
            continue;
        }
        m_apiUrl = field(line, QStringLiteral("api"));
        m_kubeconfig = field(line, QStringLiteral("kubeconfig"));
        QUrl registryUrl(field(line, QStringLiteral("registry")));
        QFile recorded(registryUrlFile());
        if (registryUrl.isValid() && recorded.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            recorded.write(registryUrl.toString().toUtf8() + '\n');
        }
        if (QFile last(lastRegistryListenFile(m_options.dataDir));
            registryUrl.port() > 0 && last.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            last.write(
                QStringLiteral("%1:%2\n").arg(registryUrl.host()).arg(registryUrl.port()).toUtf8());
        }
        Q_EMIT engineStarted(m_kubeconfig);
        setRegistryUrl(registryUrl);
        if (hasAgent()) {
            startAgent();
        }
        updateRunning();
    }
}

void LocalCluster::startAgent() {
    QString agentDir = QDir(m_options.dataDir).filePath(QStringLiteral("agent"));
    QDir().mkpath(agentDir);
    m_agentOut.clear();
    m_agent = new QProcess(this);
    m_agent->setStandardErrorFile(QDir(m_options.dataDir).filePath(QStringLiteral("agent.log")),
                                  QIODevice::Append);
    connect(m_agent, &QProcess::readyReadStandardOutput, this, &LocalCluster::onAgentOutput);
    QProcess* agent = m_agent;
    connect(m_agent, &QProcess::finished, this,
            [this, agent](int code) { onExited(agent, tr("The agent"), code); });
    m_agent->start(m_options.agentBinary,
                   {QStringLiteral("--kubeconfig"), m_kubeconfig, QStringLiteral("--node-name"),
                    m_options.nodeName, QStringLiteral("--data-dir"), agentDir,
                    // A free port: the engine finds it in the Node's daemonEndpoints, and a
                    // kubelet or a second local cluster on this machine may hold 10250.
                    QStringLiteral("--port"), QStringLiteral("0"),
                    // The bundled registry is on loopback: verify it against the engine CA
                    // (the agent trusts its kubeconfig's CA) instead of Docker's loopback
                    // exemption from TLS checks.
                    QStringLiteral("--registry-verify-loopback"),
                    // Free-space floors instead of kubelet's percentages: on a desktop's one
                    // disk, imagefs.available<15% would stop all scheduling while a 1 TB disk
                    // still has 150 GB free. The node reports DiskPressure when the disk is
                    // really about to fill.
                    QStringLiteral("--eviction-hard"),
                    QStringLiteral("memory.available<100Mi,nodefs.available<2Gi,"
                                   "nodefs.inodesFree<5%,imagefs.available<2Gi")});
}

void LocalCluster::onAgentOutput() {
    m_agentOut += m_agent->readAllStandardOutput();
    qsizetype newline;
    while ((newline = m_agentOut.indexOf('\n')) >= 0) {
        QString line = QString::fromUtf8(m_agentOut.left(newline));
        m_agentOut.remove(0, newline + 1);
        if (!line.startsWith(QLatin1String("ready "))) {
            continue;
        }
        m_agentReady = true;
        m_agentRuntime = field(line, QStringLiteral("runtime"));
        Q_EMIT agentStarted(field(line, QStringLiteral("node")));
        updateRunning();
    }
}

void LocalCluster::updateRunning() {
    if (m_state != State::Starting) {
        return;
    }
    if (engineReady() && (!hasAgent() || m_agentReady)) {
        setState(State::Running);
    }
}

void LocalCluster::onExited(QProcess* process, const QString& what, int exitCode) {
    if (process) {
        process->deleteLater();
    }
    bool stopping = m_state == State::Stopping;
    if (!stopping) {
        m_lastError = tr("%1 stopped unexpectedly (exit code %2); see the log in %3")
                          .arg(what)
                          .arg(exitCode)
                          .arg(m_options.dataDir);
        // One part died: stop the other so nothing is left half running.
        for (QProcess* other : {m_agent.data(), m_engine.data()}) {
            if (other && other != process && other->state() != QProcess::NotRunning) {
                other->terminate();
            }
        }
        m_kubeconfig.clear();
        m_registryUrl.clear();
        QFile::remove(registryUrlFile());
        setState(State::Failed);
        return;
    }
    bool engineGone = !m_engine || m_engine == process || m_engine->state() == QProcess::NotRunning;
    bool agentGone = !m_agent || m_agent == process || m_agent->state() == QProcess::NotRunning;
    if (engineGone && agentGone) {
        m_kubeconfig.clear();
        m_registryUrl.clear();
        QFile::remove(registryUrlFile());
        m_agentReady = false;
        setState(State::Stopped);
    }
}

void LocalCluster::stop() {
    if (m_state == State::Stopped || m_state == State::Stopping) {
        return;
    }
    if (m_attached || (m_state == State::Starting && !m_engine)) {
        // Not ours to stop (or nothing launched yet): let it go.
        delete m_probe;
        m_probe = nullptr;
        m_attached = false;
        m_kubeconfig.clear();
        m_registryUrl.clear();
        setState(State::Stopped);
        return;
    }
    bool running = (m_engine && m_engine->state() != QProcess::NotRunning) ||
                   (m_agent && m_agent->state() != QProcess::NotRunning);
    if (!running) {
        setState(State::Stopped);
        return;
    }
    setState(State::Stopping);
    // The agent first: it deletes nothing on SIGTERM but reports its node before the API goes.
    if (m_agent && m_agent->state() != QProcess::NotRunning) {
        m_agent->terminate();
    }
    if (m_engine && m_engine->state() != QProcess::NotRunning) {
        m_engine->terminate();
    }
}

} // namespace pilot::gui
