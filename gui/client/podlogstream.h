#pragma once

#include "gui/client/kubeclient.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QTimer>

namespace pilot::gui {

/// What to read of a container's log (the query of `pods/log`, as `kubectl logs` sends it).
struct PodLogOptions {
    QString container;       ///< Empty: the pod's only container.
    bool follow = false;     ///< Keep the request open and stream new lines.
    bool previous = false;   ///< The previous, terminated instance of the container.
    bool timestamps = false; ///< Prefix each line with its RFC 3339 time.
    int tailLines = -1;      ///< Only the last lines; -1 for the whole log.

    [[nodiscard]] QString query() const;
};

/// Reads one container's log through the API server (`pods/log`): the whole log or its tail,
/// and with `follow` the lines as the container writes them, until the container stops or
/// `stop()`. Chunks are split into lines as they arrive (a line cut between chunks waits for its
/// end) and delivered in batches at most every `coalesceMs`, so a chatty container costs one
/// append per batch. A follow request has no transfer timeout: a quiet container is not an
/// error. GUI thread only; owned by its parent.
class PodLogStream : public QObject {
    Q_OBJECT
public:
    PodLogStream(KubeClient* client, QString namespaceName, QString pod, PodLogOptions options,
                 QObject* parent = nullptr);
    ~PodLogStream() override;

    void start();
    /// Ends the request quietly (no `finished`).
    void stop();
    [[nodiscard]] bool isRunning() const { return m_stream != nullptr; }
    [[nodiscard]] const PodLogOptions& options() const { return m_options; }

    /// `/api/v1/namespaces/NS/pods/POD/log?...`.
    [[nodiscard]] static QString path(const QString& namespaceName, const QString& pod,
                                      const PodLogOptions& options);

    static constexpr int CoalesceMs = 50;

Q_SIGNALS:
    /// New complete lines, without their line breaks.
    void linesReceived(const QStringList& lines);
    /// The log ended: `error` is empty when all of it was read (without follow) or the container
    /// stopped (with follow); otherwise the API's message (no such container, no previous
    /// instance, ...) or the network error.
    void finished(const QString& error);

private:
    void onChunk(const QByteArray& data);
    void flush();

    QPointer<KubeClient> m_client;
    QString m_namespace;
    QString m_pod;
    PodLogOptions m_options;
    KubeStream* m_stream = nullptr;
    QByteArray m_partial;
    QStringList m_pending;
    QTimer m_flushTimer;
};

} // namespace pilot::gui
