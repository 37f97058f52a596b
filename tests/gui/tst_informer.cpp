// Informer: paged list + watch against a real engine (live changes, coalescing, resume after the
// engine restarts), and the protocol corners against a fake server (410 Gone re-lists,
// bookmarks move the resume point, Table lists).

#include "gui/client/informer.h"
#include "gui/client/kubeconfigset.h"

#include "tests/gui/support/engineinstance.h"
#include "tests/gui/support/fakeapiserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QMap>
#include <QSignalSpy>
#include <QTest>

using namespace pilot::gui;
using namespace pilot::guitest;

namespace {

RecordPtr decodeMeta(const QJsonObject& object) {
    auto record = std::make_shared<ObjectRecord>();
    // Table rows carry the object under "object".
    record->fillMeta(object.contains(QLatin1String("cells"))
                         ? object.value(QLatin1String("object")).toObject()
                         : object,
                     false);
    return record;
}

/// Applies batches the way a model does and counts them.
struct Mirror {
    QMap<QString, RecordPtr> rows;
    int batches = 0;

    void apply(const RecordBatch& batch) {
        ++batches;
        for (const RecordPtr& record : batch.upserts) {
            rows.insert(record->key(), record);
        }
        for (const QString& key : batch.removed) {
            rows.remove(key);
        }
        if (batch.listComplete) {
            for (auto it = rows.begin(); it != rows.end();) {
                it = batch.listComplete->contains(it.key()) ? std::next(it) : rows.erase(it);
            }
        }
    }
};

QJsonObject configMap(const QString& name, const QString& value) {
    return {{QStringLiteral("apiVersion"), QStringLiteral("v1")},
            {QStringLiteral("kind"), QStringLiteral("ConfigMap")},
            {QStringLiteral("metadata"),
             QJsonObject{{QStringLiteral("name"), name},
                         {QStringLiteral("labels"),
                          QJsonObject{{QStringLiteral("suite"), QStringLiteral("informer")}}}}},
            {QStringLiteral("data"), QJsonObject{{QStringLiteral("k"), value}}}};
}

QByteArray line(const QJsonObject& object) {
    return QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
}

QJsonObject meta(const QString& name, const QString& rv) {
    return {{QStringLiteral("metadata"),
             QJsonObject{{QStringLiteral("name"), name},
                         {QStringLiteral("namespace"), QStringLiteral("ns")},
                         {QStringLiteral("resourceVersion"), rv}}}};
}

QByteArray listBody(const QStringList& names, const QString& rv) {
    QJsonArray items;
    for (const QString& name : names) {
        items.append(meta(name, rv));
    }
    return QJsonDocument(QJsonObject{{QStringLiteral("kind"), QStringLiteral("ConfigMapList")},
                                     {QStringLiteral("metadata"),
                                      QJsonObject{{QStringLiteral("resourceVersion"), rv}}},
                                     {QStringLiteral("items"), items}})
        .toJson(QJsonDocument::Compact);
}

} // namespace

class InformerTest : public QObject {
    Q_OBJECT

private:
    EngineInstance m_engine;
    std::unique_ptr<KubeClient> m_client;

    bool create(const QString& name, const QString& value = QStringLiteral("v")) {
        bool ok = false;
        bool done = false;
        m_client->post(QStringLiteral("/api/v1/namespaces/default/configmaps"),
                       configMap(name, value), m_client.get(), [&](const ApiResponse& r) {
                           ok = r.ok();
                           done = true;
                       });
        return QTest::qWaitFor([&] { return done; }, 10000) && ok;
    }

    bool remove(const QString& name) {
        bool ok = false;
        bool done = false;
        m_client->remove(QStringLiteral("/api/v1/namespaces/default/configmaps/") + name,
                         m_client.get(), [&](const ApiResponse& r) {
                             ok = r.ok();
                             done = true;
                         });
        return QTest::qWaitFor([&] { return done; }, 10000) && ok;
    }

    Informer::Options options() const {
        Informer::Options options;
        options.type = ResourceType::configMaps();
        options.namespaceName = QStringLiteral("default");
        options.labelSelector = QStringLiteral("suite=informer");
        options.decoder = decodeMeta;
        return options;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_engine.start());
        auto set = KubeconfigSet::load({m_engine.kubeconfig()}, true);
        QVERIFY(set.has_value());
        auto config = set->resolve();
        QVERIFY(config.has_value());
        m_client = std::make_unique<KubeClient>(*config);
    }

    void cleanupTestCase() { m_client.reset(); }

    void pagesTheListThenFollowsChanges() {
        for (int i = 0; i < 5; ++i) {
            QVERIFY(create(QStringLiteral("page-%1").arg(i)));
        }
        Informer::Options opts = options();
        opts.pageSize = 2; // three pages
        Informer informer(m_client.get(), opts);
        Mirror mirror;
        connect(&informer, &Informer::batchReady, this,
                [&](const RecordBatch& batch) { mirror.apply(batch); });
        QSignalSpy synced(&informer, &Informer::synced);
        informer.start();
        QVERIFY(synced.wait(10000));
        QCOMPARE(mirror.rows.size(), 5);
        QCOMPARE(mirror.batches, 3);
        QCOMPARE(informer.listCount(), 1);
        QTRY_COMPARE(informer.state(), Informer::State::Watching);

        QVERIFY(create(QStringLiteral("page-new"), QStringLiteral("a")));
        QTRY_VERIFY_WITH_TIMEOUT(mirror.rows.contains(QStringLiteral("default/page-new")), 5000);
        QVERIFY(remove(QStringLiteral("page-0")));
        QTRY_VERIFY_WITH_TIMEOUT(!mirror.rows.contains(QStringLiteral("default/page-0")), 5000);
        QCOMPARE(mirror.rows.size(), 5);
    }

    void coalescesBurstsIntoBatches() {
        Informer informer(m_client.get(), options());
        Mirror mirror;
        connect(&informer, &Informer::batchReady, this,
                [&](const RecordBatch& batch) { mirror.apply(batch); });
        QSignalSpy synced(&informer, &Informer::synced);
        informer.start();
        QVERIFY(synced.wait(10000));
        int before = mirror.batches;
        int rowsBefore = int(mirror.rows.size());
        // Twenty creates sent without waiting for each other.
        int answered = 0;
        for (int i = 0; i < 20; ++i) {
            m_client->post(QStringLiteral("/api/v1/namespaces/default/configmaps"),
                           configMap(QStringLiteral("burst-%1").arg(i), QStringLiteral("v")), this,
                           [&](const ApiResponse&) { ++answered; });
        }
        QTRY_COMPARE_WITH_TIMEOUT(answered, 20, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(int(mirror.rows.size()), rowsBefore + 20, 5000);
        QVERIFY2(
            mirror.batches - before < 20,
            qPrintable(QStringLiteral("%1 batches for 20 events").arg(mirror.batches - before)));
    }

    void resumesAfterTheEngineRestarts() {
        Informer informer(m_client.get(), options());
        Mirror mirror;
        connect(&informer, &Informer::batchReady, this,
                [&](const RecordBatch& batch) { mirror.apply(batch); });
        QSignalSpy synced(&informer, &Informer::synced);
        informer.start();
        QVERIFY(synced.wait(10000));
        QTRY_COMPARE(informer.state(), Informer::State::Watching);
        int rows = int(mirror.rows.size());
        int watches = informer.watchCount();
        QString address = m_engine.listenAddress();

        m_engine.stop();
        QTRY_COMPARE_WITH_TIMEOUT(informer.state(), Informer::State::Waiting, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!m_client->isReachable(), 10000);
        QCOMPARE(int(mirror.rows.size()), rows); // the last data stays

        QVERIFY(m_engine.start(address));
        QVERIFY(create(QStringLiteral("after-restart")));
        QTRY_VERIFY_WITH_TIMEOUT(mirror.rows.contains(QStringLiteral("default/after-restart")),
                                 20000);
        QVERIFY(m_client->isReachable());
        QCOMPARE(informer.listCount(), 1); // resumed from its resourceVersion, no re-list
        QVERIFY(informer.watchCount() > watches);
    }

    void relistsWhenTheWatchExpires() {
        FakeApiServer server;
        int lists = 0;
        server.setHandler([&](FakeApiServer::Exchange& exchange) {
            if (!exchange.request.path.contains(QLatin1String("watch=1"))) {
                ++lists;
                exchange.respond(200, lists == 1
                                          ? listBody({QStringLiteral("a"), QStringLiteral("b")},
                                                     QStringLiteral("5"))
                                          : listBody({QStringLiteral("b")}, QStringLiteral("9")));
                return;
            }
            exchange.startStream();
            if (lists == 1) {
                QJsonObject status{{QStringLiteral("kind"), QStringLiteral("Status")},
                                   {QStringLiteral("code"), 410},
                                   {QStringLiteral("reason"), QStringLiteral("Expired")}};
                exchange.write(line({{QStringLiteral("type"), QStringLiteral("ERROR")},
                                     {QStringLiteral("object"), status}}));
                exchange.endStream();
            }
        });
        ConnectionConfig config;
        config.server = QUrl(server.url());
        KubeClient client(config);
        Informer::Options opts = options();
        opts.namespaceName.clear();
        Informer informer(&client, opts);
        Mirror mirror;
        connect(&informer, &Informer::batchReady, this,
                [&](const RecordBatch& batch) { mirror.apply(batch); });
        informer.start();
        QTRY_COMPARE_WITH_TIMEOUT(informer.listCount(), 2, 5000);
        QCOMPARE(mirror.rows.keys(), QStringList{QStringLiteral("ns/b")}); // "a" went away
        QCOMPARE(informer.resourceVersion(), QStringLiteral("9"));
    }

    void bookmarksMoveTheResumePoint() {
        FakeApiServer server;
        server.setHandler([&](FakeApiServer::Exchange& exchange) {
            if (!exchange.request.path.contains(QLatin1String("watch=1"))) {
                exchange.respond(200, listBody({QStringLiteral("a")}, QStringLiteral("5")));
                return;
            }
            exchange.startStream();
            if (exchange.request.path.contains(QLatin1String("resourceVersion=5"))) {
                QJsonObject added = meta(QStringLiteral("c"), QStringLiteral("7"));
                exchange.write(line({{QStringLiteral("type"), QStringLiteral("ADDED")},
                                     {QStringLiteral("object"), added}}));
                exchange.write(
                    line({{QStringLiteral("type"), QStringLiteral("BOOKMARK")},
                          {QStringLiteral("object"), meta(QString(), QStringLiteral("12"))}}));
                exchange.endStream(); // as a server-side timeout does
            }
        });
        ConnectionConfig config;
        config.server = QUrl(server.url());
        KubeClient client(config);
        Informer informer(&client, options());
        Mirror mirror;
        connect(&informer, &Informer::batchReady, this,
                [&](const RecordBatch& batch) { mirror.apply(batch); });
        informer.start();
        QTRY_COMPARE_WITH_TIMEOUT(informer.watchCount(), 2, 5000);
        QTRY_VERIFY(server.requests().last().path.contains(QLatin1String("resourceVersion=12")));
        QVERIFY(server.requests().last().path.contains(QLatin1String("allowWatchBookmarks=true")));
        QCOMPARE(mirror.rows.size(), 2);
        QCOMPARE(informer.listCount(), 1);
    }

    void splitsEventsAcrossChunks() {
        FakeApiServer server;
        server.setHandler([&](FakeApiServer::Exchange& exchange) {
            if (!exchange.request.path.contains(QLatin1String("watch=1"))) {
                exchange.respond(200, listBody({}, QStringLiteral("1")));
                return;
            }
            exchange.startStream();
        });
        ConnectionConfig config;
        config.server = QUrl(server.url());
        KubeClient client(config);
        Informer informer(&client, options());
        Mirror mirror;
        connect(&informer, &Informer::batchReady, this,
                [&](const RecordBatch& batch) { mirror.apply(batch); });
        informer.start();
        QTRY_COMPARE_WITH_TIMEOUT(server.streams().size(), 1, 5000);
        QByteArray event =
            line({{QStringLiteral("type"), QStringLiteral("ADDED")},
                  {QStringLiteral("object"), meta(QStringLiteral("x"), QStringLiteral("2"))}});
        FakeApiServer::Exchange* stream = server.streams().front();
        stream->write(event.left(10));
        stream->write(event.mid(10, 20));
        stream->write(event.mid(30));
        QTRY_COMPARE_WITH_TIMEOUT(mirror.rows.size(), 1, 5000);
        QCOMPARE(informer.resourceVersion(), QStringLiteral("2"));
    }
};

QTEST_GUILESS_MAIN(InformerTest)
#include "tst_informer.moc"
