#include "gui/client/podlogstream.h"

namespace pilot::gui {

QString PodLogOptions::query() const {
    QStringList parts;
    if (!container.isEmpty()) {
        parts << QStringLiteral("container=") + KubeClient::encode(container);
    }
    if (follow) {
        parts << QStringLiteral("follow=true");
    }
    if (previous) {
        parts << QStringLiteral("previous=true");
    }
    if (timestamps) {
        parts << QStringLiteral("timestamps=true");
    }
    if (tailLines >= 0) {
        parts << QStringLiteral("tailLines=") + QString::number(tailLines);
    }
    return parts.join(QLatin1Char('&'));
}

PodLogStream::PodLogStream(KubeClient* client, QString namespaceName, QString pod,
                           PodLogOptions options, QObject* parent)
    : QObject(parent), m_client(client), m_namespace(std::move(namespaceName)),
      m_pod(std::move(pod)), m_options(std::move(options)) {
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(CoalesceMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &PodLogStream::flush);
}

PodLogStream::~PodLogStream() {
    stop();
}

QString PodLogStream::path(const QString& namespaceName, const QString& pod,
                           const PodLogOptions& options) {
    QString path = QStringLiteral("/api/v1/namespaces/") + namespaceName +
                   QStringLiteral("/pods/") + pod + QStringLiteral("/log");
    QString query = options.query();
    return query.isEmpty() ? path : path + QLatin1Char('?') + query;
}

void PodLogStream::start() {
    stop();
    if (!m_client) {
        return;
    }
    RequestOptions request;
    request.accept = QByteArrayLiteral("text/plain, */*");
    // A followed container may stay quiet for any time; a plain read is bounded.
    request.timeoutMs = m_options.follow ? 0 : 30000;
    m_stream = m_client->stream(path(m_namespace, m_pod, m_options), this, request);
    connect(m_stream, &KubeStream::chunk, this, &PodLogStream::onChunk);
    connect(m_stream, &KubeStream::finished, this, [this](const ApiResponse& response) {
        m_stream->deleteLater();
        m_stream = nullptr;
        if (!m_partial.isEmpty()) {
            m_pending << QString::fromUtf8(m_partial);
            m_partial.clear();
        }
        flush();
        QString error;
        if (!response.ok()) {
            error = response.error.isEmpty() ? QString::fromUtf8(response.body).trimmed()
                                             : response.error;
            if (error.isEmpty()) {
                error = QStringLiteral("HTTP %1").arg(response.status);
            }
        }
        Q_EMIT finished(error);
    });
}

void PodLogStream::stop() {
    m_flushTimer.stop();
    m_partial.clear();
    m_pending.clear();
    if (m_stream) {
        m_stream->abort();
        m_stream->deleteLater();
        m_stream = nullptr;
    }
}

void PodLogStream::onChunk(const QByteArray& data) {
    m_partial += data;
    qsizetype start = 0;
    for (qsizetype end = m_partial.indexOf('\n'); end >= 0; end = m_partial.indexOf('\n', start)) {
        qsizetype length = end - start;
        if (length > 0 && m_partial.at(end - 1) == '\r') {
            --length;
        }
        m_pending << QString::fromUtf8(m_partial.constData() + start, length);
        start = end + 1;
    }
    m_partial.remove(0, start);
    if (!m_pending.isEmpty() && !m_flushTimer.isActive()) {
        m_flushTimer.start();
    }
}

void PodLogStream::flush() {
    m_flushTimer.stop();
    if (m_pending.isEmpty()) {
        return;
    }
    Q_EMIT linesReceived(std::exchange(m_pending, {}));
}

} // namespace pilot::gui
