#pragma once

#include "gui/client/backoff.h"
#include "gui/client/kubeclient.h"
#include "gui/client/objectrecord.h"
#include "gui/client/resourcetype.h"
#include "gui/client/watchdecoder.h"

#include <QJsonArray>
#include <QObject>
#include <QPointer>
#include <QString>

class QTimer;

namespace pilot::gui {

/// List+watch of one resource for the console: pages the initial list (500 objects a page),
/// then watches from its resourceVersion with bookmarks; resumes a broken watch from the last
/// resourceVersion seen, re-lists on 410 Gone, and waits with exponential back-off between
/// failed attempts. Watch streams are split into lines as they arrive; lines are collected for
/// `coalesceMs` and decoded on the thread pool (QtConcurrent), so the GUI thread only applies
/// finished row batches, in order. Keeps no object cache itself: the model it feeds is the
/// cache. Lives on the GUI thread.
class Informer : public QObject {
    Q_OBJECT
public:
    enum class State {
        Idle,     ///< Not started, or stopped.
        Listing,  ///< A list is in progress.
        Watching, ///< Synced and following changes.
        Waiting,  ///< The last attempt failed; retrying after a back-off.
    };
    Q_ENUM(State)

    struct Options {
        ResourceType type;
        QString namespaceName; ///< Empty: all namespaces.
        QString labelSelector;
        QString fieldSelector;
        bool table = false; ///< Ask for meta.k8s.io Tables (server-side columns).
        int pageSize = 500;
        int coalesceMs = 100;
        int watchTimeoutSeconds = 300;
        RecordDecoder decoder;
    };

    Informer(KubeClient* client, Options options, QObject* parent = nullptr);
    ~Informer() override;

    void start();
    void stop();
    /// Skips the current back-off wait.
    void retryNow();

    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] bool hasSynced() const { return m_synced; }
    [[nodiscard]] QString lastError() const { return m_lastError; }
    [[nodiscard]] QString resourceVersion() const { return m_resourceVersion; }
    [[nodiscard]] const Options& options() const { return m_options; }
    [[nodiscard]] QJsonArray tableColumns() const { return m_columns; }
    /// Number of complete lists so far (1 after the first sync; more after 410s).
    [[nodiscard]] int listCount() const { return m_lists; }
    /// Number of watch requests opened so far.
    [[nodiscard]] int watchCount() const { return m_watches; }

Q_SIGNALS:
    void batchReady(const pilot::gui::RecordBatch& batch);
    void stateChanged(pilot::gui::Informer::State state);
    /// The first complete list was delivered.
    void synced();
    void tableColumnsChanged(const QJsonArray& columns);

private:
    void setState(State state);
    void list(const QString& continueToken);
    void onListPage(const ApiResponse& response);
    void onListDecoded(const DecodedList& page);
    void watch();
    void onChunk(const QByteArray& data);
    void onWatchFinished(const ApiResponse& response);
    void flush();
    void onEventsDecoded(const DecodedEvents& decoded);
    void endWatch();
    void retryLater(const QString& error, bool relist);
    void retry();
    [[nodiscard]] QString query(bool watching) const;
    void setColumns(const QJsonArray& columns);
    static void releaseFreeMemory();

    QPointer<KubeClient> m_client;
    Options m_options;
    State m_state = State::Idle;
    bool m_synced = false;
    QString m_lastError;
    QString m_resourceVersion;
    QString m_listResourceVersion;
    QSet<QString> m_listKeys;
    QJsonArray m_columns;
    int m_lists = 0;
    int m_watches = 0;
    quint64 m_generation = 0; ///< Bumped by stop(): results of older work are dropped.

    QObject* m_requestContext = nullptr;
    KubeStream* m_stream = nullptr;
    LineSplitter m_splitter;
    QList<QByteArray> m_pendingLines;
    bool m_decoding = false;
    bool m_streamEnded = false;
    bool m_streamGotEvents = false;
    ApiResponse m_streamEnd;
    QTimer* m_coalesceTimer = nullptr;
    QTimer* m_retryTimer = nullptr;
    bool m_retryRelist = false;
    Backoff m_backoff;
};

} // namespace pilot::gui
