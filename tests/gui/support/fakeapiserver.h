#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTcpServer>
#include <QTcpSocket>

#include <functional>

namespace pilot::guitest {

/// A tiny plain-HTTP/1.1 server on 127.0.0.1:0 for protocol tests the real engine cannot easily
/// provoke (410 Gone on watch, bookmarks, silent servers). The handler answers each request,
/// either at once (`respond`) or as a chunked stream the test writes to.
class FakeApiServer : public QObject {
    Q_OBJECT
public:
    struct Request {
        QByteArray method;
        QString path; ///< Path and query as sent.
        QByteArray body;
    };

    /// One client connection with its request.
    class Exchange {
    public:
        Request request;
        void respond(int status, const QByteArray& body,
                     const QByteArray& contentType = QByteArrayLiteral("application/json"));
        void startStream(int status = 200);
        void write(const QByteArray& data);
        void endStream();
        [[nodiscard]] bool isOpen() const;

    private:
        friend class FakeApiServer;
        QPointer<QTcpSocket> m_socket;
    };

    using Handler = std::function<void(Exchange& exchange)>;

    explicit FakeApiServer(QObject* parent = nullptr);
    [[nodiscard]] QString url() const;
    void setHandler(Handler handler) { m_handler = std::move(handler); }
    [[nodiscard]] const QList<Request>& requests() const { return m_requests; }
    /// Open streaming exchanges, oldest first.
    QList<Exchange*> streams();

private:
    void onConnection();
    void onData(QTcpSocket* socket);

    QTcpServer m_server;
    Handler m_handler;
    QList<Request> m_requests;
    QList<std::shared_ptr<Exchange>> m_exchanges;
};

} // namespace pilot::guitest
