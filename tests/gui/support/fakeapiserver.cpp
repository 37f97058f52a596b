#include "tests/gui/support/fakeapiserver.h"

#include <QHostAddress>

namespace pilot::guitest {

namespace {

QByteArray statusLine(int status) {
    return "HTTP/1.1 " + QByteArray::number(status) + (status < 300 ? " OK" : " Error") + "\r\n";
}

} // namespace

void FakeApiServer::Exchange::respond(int status, const QByteArray& body,
                                      const QByteArray& contentType) {
    if (!m_socket) {
        return;
    }
    m_socket->write(statusLine(status) + "Content-Type: " + contentType + "\r\nContent-Length: " +
                    QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    m_socket->disconnectFromHost();
}

void FakeApiServer::Exchange::startStream(int status) {
    if (m_socket) {
        m_socket->write(statusLine(status) +
                        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                        "Connection: close\r\n\r\n");
    }
}

void FakeApiServer::Exchange::write(const QByteArray& data) {
    if (m_socket && !data.isEmpty()) {
        m_socket->write(QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n");
    }
}

void FakeApiServer::Exchange::endStream() {
    if (m_socket) {
        m_socket->write("0\r\n\r\n");
        m_socket->disconnectFromHost();
    }
}

bool FakeApiServer::Exchange::isOpen() const {
    return m_socket && m_socket->state() == QAbstractSocket::ConnectedState;
}

FakeApiServer::FakeApiServer(QObject* parent) : QObject(parent) {
    m_server.listen(QHostAddress::LocalHost, 0);
    connect(&m_server, &QTcpServer::newConnection, this, &FakeApiServer::onConnection);
}

QString FakeApiServer::url() const {
    return QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort());
}

void FakeApiServer::onConnection() {
    while (QTcpSocket* socket = m_server.nextPendingConnection()) {
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onData(socket); });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    }
}

void FakeApiServer::onData(QTcpSocket* socket) {
    QByteArray buffer = socket->property("buffer").toByteArray() + socket->readAll();
    int headerEnd = int(buffer.indexOf("\r\n\r\n"));
    if (headerEnd < 0) {
        socket->setProperty("buffer", buffer);
        return;
    }
    QByteArray head = buffer.left(headerEnd);
    int length = 0;
    for (const QByteArray& line : head.split('\n')) {
        if (line.toLower().startsWith("content-length:")) {
            length = line.mid(15).trimmed().toInt();
        }
    }
    if (buffer.size() < headerEnd + 4 + length) {
        socket->setProperty("buffer", buffer);
        return;
    }
    socket->setProperty("buffer", QByteArray());
    QList<QByteArray> first = head.left(head.indexOf("\r\n")).split(' ');
    auto exchange = std::make_shared<Exchange>();
    exchange->m_socket = socket;
    exchange->request.method = first.value(0);
    exchange->request.path = QString::fromLatin1(first.value(1));
    exchange->request.body = buffer.mid(headerEnd + 4, length);
    m_requests.append(exchange->request);
    m_exchanges.append(exchange);
    if (m_handler) {
        m_handler(*exchange);
    } else {
        exchange->respond(404, "{}");
    }
}

QList<FakeApiServer::Exchange*> FakeApiServer::streams() {
    QList<Exchange*> out;
    for (const auto& exchange : std::as_const(m_exchanges)) {
        if (exchange->isOpen() && exchange->request.path.contains(QLatin1String("watch=1"))) {
            out.append(exchange.get());
        }
    }
    return out;
}

} // namespace pilot::guitest
