#include "gui/client/informer.h"

#include <QDateTime>
#include <QFutureWatcher>
#include <QRandomGenerator>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace pilot::gui {

namespace {

const QByteArray TableAccept =
    QByteArrayLiteral("application/json;as=Table;v=v1;g=meta.k8s.io,application/"
                      "json;as=Table;v=v1beta1;g=meta.k8s.io,"
                      "application/json");

/// A watch that ends by itself this fast without a single event is treated as a failure, so a
/// misbehaving server cannot make the informer spin.
constexpr qint64 ShortestHealthyWatchMs = 1000;

} // namespace

Informer::Informer(KubeClient* client, Options options, QObject* parent)
    : QObject(parent), m_client(client), m_options(std::move(options)) {
    m_coalesceTimer = new QTimer(this);
    m_coalesceTimer->setObjectName(QStringLiteral("informerCoalesce"));
    m_coalesceTimer->setSingleShot(true);
    m_coalesceTimer->setInterval(m_options.coalesceMs);
    connect(m_coalesceTimer, &QTimer::timeout, this, &Informer::flush);
    m_retryTimer = new QTimer(this);
    m_retryTimer->setSingleShot(true);
    connect(m_retryTimer, &QTimer::timeout, this, &Informer::retry);
}

Informer::~Informer() {
    stop();
}

void Informer::setState(State state) {
    if (m_state == state) {
        return;
    }
    m_state = state;
    Q_EMIT stateChanged(state);
}

void Informer::start() {
    if (m_state != State::Idle || !m_client) {
        return;
    }
    ++m_generation;
    m_requestContext = new QObject(this);
    list(QString());
}

void Informer::stop() {
    ++m_generation;
    delete m_stream;
    m_stream = nullptr;
    delete m_requestContext;
    m_requestContext = nullptr;
    m_coalesceTimer->stop();
    m_retryTimer->stop();
    m_pendingLines.clear();
    m_splitter.clear();
    m_decoding = false;
    m_streamEnded = false;
    setState(State::Idle);
}

void Informer::retryNow() {
    if (m_state == State::Waiting && m_retryTimer->isActive()) {
        m_retryTimer->stop();
        retry();
    }
}

void Informer::retry() {
    if (m_retryRelist || m_resourceVersion.isEmpty()) {
        list(QString());
    } else {
        watch();
    }
}

QString Informer::query(bool watching) const {
    QString q;
    auto add = [&q](const QString& name, const QString& value) {
        q += (q.isEmpty() ? QLatin1Char('?') : QLatin1Char('&')) + name + QLatin1Char('=') +
             KubeClient::encode(value);
    };
    if (!m_options.labelSelector.isEmpty()) {
        add(QStringLiteral("labelSelector"), m_options.labelSelector);
    }
    if (!m_options.fieldSelector.isEmpty()) {
        add(QStringLiteral("fieldSelector"), m_options.fieldSelector);
    }
    if (watching) {
        add(QStringLiteral("watch"), QStringLiteral("1"));
        add(QStringLiteral("allowWatchBookmarks"), QStringLiteral("true"));
        add(QStringLiteral("resourceVersion"), m_resourceVersion);
        // Spread the server-side timeouts so that many informers do not re-watch together.
        int timeout = m_options.watchTimeoutSeconds;
        timeout += int(QRandomGenerator::global()->bounded(timeout / 10 + 1));
        add(QStringLiteral("timeoutSeconds"), QString::number(timeout));
    } else {
        add(QStringLiteral("limit"), QString::number(m_options.pageSize));
    }
    return q;
}

void Informer::list(const QString& continueToken) {
    if (!m_client || !m_requestContext) {
        return;
    }
    if (continueToken.isEmpty()) {
        m_listKeys.clear();
        m_listResourceVersion.clear();
        setState(State::Listing);
    }
    QString path = m_options.type.collectionPath(m_options.namespaceName) + query(false);
    if (!continueToken.isEmpty()) {
        path += QStringLiteral("&continue=") + KubeClient::encode(continueToken);
    }
    RequestOptions options;
    options.timeoutMs = 60000;
    if (m_options.table) {
        options.accept = TableAccept;
    }
    m_client->get(
        path, m_requestContext, [this](const ApiResponse& response) { onListPage(response); },
        options);
}

void Informer::onListPage(const ApiResponse& response) {
    if (!response.ok()) {
        // 410 on a continue token: the snapshot is gone, start the list again.
        retryLater(response.error, true);
        return;
    }
    quint64 generation = m_generation;
    auto* watcher = new QFutureWatcher<DecodedList>(this);
    connect(watcher, &QFutureWatcher<DecodedList>::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation == m_generation) {
            onListDecoded(watcher->result());
        }
    });
    watcher->setFuture(
        QtConcurrent::run(decodeList, response.body, m_options.decoder, m_options.table));
}

void Informer::onListDecoded(const DecodedList& page) {
    if (!page.error.isEmpty()) {
        retryLater(page.error, true);
        return;
    }
    if (m_options.table && !page.columns.isEmpty()) {
        setColumns(page.columns);
    }
    if (m_listResourceVersion.isEmpty()) {
        m_listResourceVersion = page.resourceVersion;
    }
    RecordBatch batch;
    batch.upserts = page.records;
    for (const RecordPtr& record : page.records) {
        m_listKeys.insert(record->key());
    }
    if (!page.continueToken.isEmpty()) {
        Q_EMIT batchReady(batch);
        releaseFreeMemory();
        list(page.continueToken);
        return;
    }
    batch.listComplete = std::exchange(m_listKeys, {});
    m_resourceVersion = m_listResourceVersion;
    ++m_lists;
    m_lastError.clear();
    Q_EMIT batchReady(batch);
    releaseFreeMemory();
    bool first = !m_synced;
    m_synced = true;
    if (first) {
        Q_EMIT synced();
    }
    watch();
}

void Informer::releaseFreeMemory() {
#if defined(__GLIBC__)
    // A page's response and parse buffers are freed in several malloc arenas (network thread,
    // decoding threads) between the records that stay; glibc keeps those holes resident. Giving
    // them back after each page keeps a 30k-object list from doubling the resident size.
    malloc_trim(0);
#endif
}

void Informer::setColumns(const QJsonArray& columns) {
    if (columns == m_columns) {
        return;
    }
    m_columns = columns;
    Q_EMIT tableColumnsChanged(columns);
}

void Informer::watch() {
    if (!m_client || !m_requestContext) {
        return;
    }
    ++m_watches;
    m_streamEnded = false;
    m_streamGotEvents = false;
    m_splitter.clear();
    RequestOptions options;
    options.timeoutMs = (m_options.watchTimeoutSeconds * 11 / 10 + 60) * 1000;
    if (m_options.table) {
        options.accept = TableAccept;
    }
    QString path = m_options.type.collectionPath(m_options.namespaceName) + query(true);
    m_stream = m_client->stream(path, m_requestContext, options);
    m_stream->setProperty("pilotStartedMs", QDateTime::currentMSecsSinceEpoch());
    connect(m_stream, &KubeStream::chunk, this, &Informer::onChunk);
    connect(m_stream, &KubeStream::finished, this, &Informer::onWatchFinished);
    setState(State::Watching);
}

void Informer::onChunk(const QByteArray& data) {
    m_splitter.feed(data, m_pendingLines);
    if (!m_pendingLines.isEmpty() && !m_coalesceTimer->isActive() && !m_decoding) {
        m_coalesceTimer->start();
    }
}

void Informer::flush() {
    if (m_decoding || m_pendingLines.isEmpty()) {
        return;
    }
    m_decoding = true;
    QList<QByteArray> lines = std::exchange(m_pendingLines, {});
    quint64 generation = m_generation;
    auto* watcher = new QFutureWatcher<DecodedEvents>(this);
    connect(watcher, &QFutureWatcher<DecodedEvents>::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation == m_generation) {
            onEventsDecoded(watcher->result());
        }
    });
    watcher->setFuture(QtConcurrent::run(decodeEvents, lines, m_options.decoder, m_options.table));
}

void Informer::onEventsDecoded(const DecodedEvents& decoded) {
    m_decoding = false;
    if (decoded.events > 0) {
        m_streamGotEvents = true;
    }
    if (m_options.table && !decoded.columns.isEmpty()) {
        setColumns(decoded.columns);
    }
    if (!decoded.resourceVersion.isEmpty()) {
        m_resourceVersion = decoded.resourceVersion;
    }
    if (!decoded.batch.isEmpty()) {
        Q_EMIT batchReady(decoded.batch);
    }
    if (decoded.expired || !decoded.error.isEmpty()) {
        delete m_stream;
        m_stream = nullptr;
        m_pendingLines.clear();
        m_streamEnded = false;
        if (decoded.expired) {
            m_resourceVersion.clear();
            m_backoff.reset();
            list(QString());
            return;
        }
        retryLater(decoded.error, false);
        return;
    }
    if (!m_pendingLines.isEmpty()) {
        if (m_streamEnded) {
            flush();
        } else if (!m_coalesceTimer->isActive()) {
            m_coalesceTimer->start();
        }
        return;
    }
    if (m_streamEnded) {
        endWatch();
    }
}

void Informer::onWatchFinished(const ApiResponse& response) {
    qint64 started = m_stream ? m_stream->property("pilotStartedMs").toLongLong() : 0;
    if (m_stream) {
        m_stream->deleteLater();
        m_stream = nullptr;
    }
    m_streamEnded = true;
    m_streamEnd = response;
    if (response.ok() && !m_streamGotEvents && m_pendingLines.isEmpty() &&
        QDateTime::currentMSecsSinceEpoch() - started < ShortestHealthyWatchMs) {
        m_streamEnd.status = 0;
        m_streamEnd.error = tr("the watch closed at once");
    }
    if (m_decoding) {
        return; // onEventsDecoded finishes the stream
    }
    if (!m_pendingLines.isEmpty()) {
        m_coalesceTimer->stop();
        flush();
        return;
    }
    endWatch();
}

void Informer::endWatch() {
    m_streamEnded = false;
    ApiResponse response = m_streamEnd;
    if (response.ok()) {
        m_backoff.reset();
        watch(); // the server's timeout: carry on from the last resourceVersion
        return;
    }
    if (response.status == 410) {
        m_resourceVersion.clear();
        list(QString());
        return;
    }
    if (m_streamGotEvents) {
        m_backoff.reset(); // the watch worked for a while: retry soon
    }
    retryLater(response.error, false);
}

void Informer::retryLater(const QString& error, bool relist) {
    m_lastError = error;
    m_retryRelist = relist;
    setState(State::Waiting);
    m_retryTimer->start(m_backoff.next());
}

} // namespace pilot::gui
