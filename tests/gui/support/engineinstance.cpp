#include "tests/gui/support/engineinstance.h"

#include <QDir>
#include <QRegularExpression>
#include <QTest>
#include <QUrl>

namespace pilot::guitest {

EngineInstance::EngineInstance(QObject* parent) : QObject(parent) {}

EngineInstance::~EngineInstance() {
    stop();
}

bool EngineInstance::isRunning() const {
    return m_process && m_process->state() != QProcess::NotRunning;
}

bool EngineInstance::start(const QString& listen, int timeoutMs) {
    stop();
    m_stdout.clear();
    m_kubeconfig.clear();
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::SeparateChannels);
    m_process->setStandardErrorFile(m_dir.filePath(QStringLiteral("engine.log")),
                                    QIODevice::Append);
    connect(m_process.get(), &QProcess::readyReadStandardOutput, this, [this] {
        m_stdout += m_process->readAllStandardOutput();
        static const QRegularExpression ready(
            QStringLiteral("^ready api=(\\S+) .*kubeconfig=(\\S+)"),
            QRegularExpression::MultilineOption);
        QRegularExpressionMatch match = ready.match(QString::fromUtf8(m_stdout));
        if (match.hasMatch()) {
            m_apiUrl = match.captured(1);
            m_kubeconfig = match.captured(2);
        }
    });
    m_process->start(
        QStringLiteral(PILOT_ENGINE_BINARY),
        {QStringLiteral("--data-dir"), m_dir.path(), QStringLiteral("--listen"), listen});
    return QTest::qWaitFor(
               [this] {
                   return !m_kubeconfig.isEmpty() || m_process->state() == QProcess::NotRunning;
               },
               timeoutMs) &&
           !m_kubeconfig.isEmpty();
}

void EngineInstance::stop() {
    if (!m_process) {
        return;
    }
    if (m_process->state() != QProcess::NotRunning) {
        m_process->terminate();
        (void)QTest::qWaitFor([this] { return m_process->state() == QProcess::NotRunning; }, 30000);
        if (m_process->state() != QProcess::NotRunning) {
            m_process->kill();
            (void)QTest::qWaitFor([this] { return m_process->state() == QProcess::NotRunning; },
                                  5000);
        }
    }
    m_process.reset();
}

QString EngineInstance::listenAddress() const {
    QUrl url(m_apiUrl);
    return url.host() + QLatin1Char(':') + QString::number(url.port());
}

int runProgram(const QString& program, const QStringList& args, QByteArray* out,
               const QByteArray& input, int timeoutMs) {
    QProcess process;
    process.setProcessChannelMode(QProcess::SeparateChannels);
    process.start(program, args);
    if (!input.isEmpty()) {
        process.write(input);
    }
    process.closeWriteChannel();
    bool done = QTest::qWaitFor([&] { return process.state() == QProcess::NotRunning; }, timeoutMs);
    QByteArray stdoutText = process.readAllStandardOutput();
    QByteArray stderrText = process.readAllStandardError();
    if (out) {
        *out = stdoutText;
    }
    if (!done) {
        process.kill();
        (void)QTest::qWaitFor([&] { return process.state() == QProcess::NotRunning; }, 5000);
        return -1;
    }
    if (process.exitCode() != 0) {
        qWarning("%s %s failed: %s", qPrintable(program), qPrintable(args.join(QLatin1Char(' '))),
                 stderrText.constData());
    }
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

int kubectl(const QString& kubeconfig, const QStringList& args, QByteArray* out,
            const QByteArray& input) {
    return runProgram(QStringLiteral(PILOT_KUBECTL),
                      QStringList{QStringLiteral("--kubeconfig"), kubeconfig} + args, out, input);
}

QString screenshotPath(const QString& name) {
    QDir dir(QStringLiteral(PILOT_SCREENSHOT_DIR));
    dir.mkpath(QStringLiteral("."));
    return dir.filePath(name + QStringLiteral(".png"));
}

} // namespace pilot::guitest
