#include "engine/store/store.h"
#include "engine/watchcache/watchcache.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace pilot;
using namespace pilot::watchcache;

namespace {

constexpr const char* Prefix = "/registry/core/pods";

std::string pod(const std::string& name, const std::string& app, const std::string& node = "") {
    boost::json::object o{
        {"kind", "Pod"},
        {"apiVersion", "v1"},
        {"metadata",
         boost::json::object{{"name", name}, {"namespace", "default"}, {"labels", {{"app", app}}}}},
        {"spec", boost::json::object{{"nodeName", node}}}};
    return boost::json::serialize(o);
}

class WatchCacheTest : public ::testing::Test {
protected:
    void SetUp() override {
        store = store::makeMemoryStore(100);
        cache = std::make_unique<WatchCache>(*store, 50);
        ASSERT_TRUE(cache->registerResource(Prefix, {"spec.nodeName"}));
        store->setCommitObserver(cache->observer());
        ASSERT_TRUE(store->open());
        ASSERT_TRUE(cache->load());
    }
    int64_t put(const std::string& name, const std::string& app, const std::string& node = "") {
        std::string key = std::string(Prefix) + "/default/" + name;
        auto current = store->get(key);
        auto written =
            store->write(store::Write{current ? store::Write::Op::Update : store::Write::Op::Create,
                                      key, pod(name, app, node), 0});
        EXPECT_TRUE(written.has_value());
        return written ? written->revision : 0;
    }
    int64_t remove(const std::string& name) {
        auto written = store->write(store::Write{
            store::Write::Op::Delete, std::string(Prefix) + "/default/" + name, {}, 0});
        EXPECT_TRUE(written.has_value());
        return written ? written->revision : 0;
    }
    std::vector<WatchEvent> drain(Watcher& w) {
        std::vector<WatchEvent> out;
        (void)w.poll(out);
        return out;
    }

    std::unique_ptr<store::Store> store;
    std::unique_ptr<WatchCache> cache;
};

} // namespace

TEST_F(WatchCacheTest, AcknowledgedWritesAreVisibleAtOnceWithTheirResourceVersion) {
    int64_t rv = put("a", "web");
    auto object = cache->resource(Prefix)->get(std::string(Prefix) + "/default/a");
    ASSERT_TRUE(object);
    EXPECT_EQ(object->modRevision, rv);
    auto parsed = boost::json::parse(object->json.str());
    EXPECT_EQ(parsed.at("metadata").at("resourceVersion").as_string(), std::to_string(rv));
    EXPECT_EQ(cache->resource(Prefix)->revision(), rv);
}

TEST_F(WatchCacheTest, WatchFromZeroStartsWithAddedForEveryObject) {
    put("a", "web");
    put("b", "db");
    auto w = cache->resource(Prefix)->watch(Filter{}, 0, 100);
    ASSERT_TRUE(w);
    auto events = drain(**w);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].type, EventType::Added);
    EXPECT_EQ(events[0].object->name, "a");
}

TEST_F(WatchCacheTest, WatchFromRevisionReplaysExactlyTheLaterEvents) {
    int64_t first = put("a", "web");
    int64_t second = put("a", "web2");
    int64_t third = remove("a");
    auto w = cache->resource(Prefix)->watch(Filter{}, first, 100);
    ASSERT_TRUE(w);
    auto events = drain(**w);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].type, EventType::Modified);
    EXPECT_EQ(events[0].revision, second);
    EXPECT_EQ(events[1].type, EventType::Deleted);
    EXPECT_EQ(events[1].revision, third);
    // The deleted object carries the deletion's resourceVersion.
    auto parsed = boost::json::parse(events[1].object->json.str());
    EXPECT_EQ(parsed.at("metadata").at("resourceVersion").as_string(), std::to_string(third));
}

TEST_F(WatchCacheTest, LiveEventsReachWatchersAndSelectorTransitionsBecomeAddedAndDeleted) {
    put("a", "web");
    Filter filter;
    filter.predicate = [](const CachedObject& o) {
        const std::string* app = o.label("app");
        return app && *app == "web";
    };
    auto w = cache->resource(Prefix)->watch(filter, cache->revision(), 100);
    ASSERT_TRUE(w);
    put("a", "db");  // stops matching
    put("a", "web"); // matches again
    put("b", "db");  // never matches
    auto events = drain(**w);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].type, EventType::Deleted);
    EXPECT_EQ(events[1].type, EventType::Added);
}

TEST_F(WatchCacheTest, TooOldRevisionIsGone) {
    int64_t start = put("a", "web");
    for (int i = 0; i < 60; ++i) {
        put("a", "web" + std::to_string(i));
    }
    auto w = cache->resource(Prefix)->watch(Filter{}, start, 100);
    ASSERT_FALSE(w);
    EXPECT_EQ(w.error().code, ErrorCode::Gone);
}

TEST_F(WatchCacheTest, ListAtAnOlderRevisionRollsBackLaterChanges) {
    put("a", "web");
    int64_t before = put("b", "web");
    put("a", "changed");
    remove("b");
    put("c", "web");
    ListRequest request;
    request.atRevision = before;
    auto page = cache->resource(Prefix)->list(request);
    ASSERT_TRUE(page);
    ASSERT_EQ(page->items.size(), 2u);
    EXPECT_EQ(page->revision, before);
    EXPECT_EQ(*page->items[0]->label("app"), "web");
    EXPECT_EQ(page->items[1]->name, "b");
}

TEST_F(WatchCacheTest, PagesCoverEveryItemOnce) {
    for (int i = 0; i < 7; ++i) {
        put("p" + std::to_string(i), "web");
    }
    ListRequest request;
    request.limit = 3;
    std::vector<std::string> names;
    while (true) {
        auto page = cache->resource(Prefix)->list(request);
        ASSERT_TRUE(page);
        for (const auto& item : page->items) {
            names.push_back(item->name);
        }
        if (page->continueKey.empty()) {
            break;
        }
        EXPECT_GT(page->remainingItems, 0);
        request.afterKey = page->continueKey;
        request.atRevision = page->revision;
    }
    EXPECT_EQ(names.size(), 7u);
}

TEST_F(WatchCacheTest, FieldValuesAreExtractedForSelectors) {
    put("a", "web", "node-1");
    auto object = cache->resource(Prefix)->get(std::string(Prefix) + "/default/a");
    ASSERT_TRUE(object);
    ASSERT_TRUE(object->field("spec.nodeName"));
    EXPECT_EQ(*object->field("spec.nodeName"), "node-1");
    EXPECT_EQ(*object->field("metadata.namespace"), "default");
    EXPECT_FALSE(object->field("status.phase")) << "not a selectable field of this resource";
}

TEST_F(WatchCacheTest, AWritePreparedByItsWriterIsCachedAsIfParsedFromTheStore) {
    // Two caches over two stores: one parses each committed value, the other takes the form
    // prepare() worked out before the write. Every field a read or selector uses must match.
    auto preparedStore = store::makeMemoryStore(100);
    WatchCache prepared(*preparedStore, 50);
    ASSERT_TRUE(prepared.registerResource(Prefix, {"spec.nodeName", "phase=status.phase"}));
    ASSERT_TRUE(cache->registerResource(Prefix, {"spec.nodeName", "phase=status.phase"}));
    preparedStore->setCommitObserver(prepared.observer());
    ASSERT_TRUE(preparedStore->open());
    ASSERT_TRUE(prepared.load());

    std::vector<boost::json::object> objects{
        boost::json::parse(R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":"a",)"
                           R"("namespace":"default","uid":"u-1","labels":{"app":"web","n":"7"}},)"
                           R"("spec":{"nodeName":"node-1"},"status":{"phase":"Running"}})")
            .as_object(),
        boost::json::parse(R"({"metadata":{"name":"b","namespace":"default",)"
                           R"("annotations":{"x":"{\"y\":1}"}},"kind":"Pod","apiVersion":"v1",)"
                           R"("spec":{}})")
            .as_object(),
        boost::json::parse(R"({"kind":"Pod","apiVersion":"v1","spec":{"nodeName":"n\u00e9"},)"
                           R"("metadata":{"name":"c","namespace":"default","labels":{}}})")
            .as_object(),
    };
    for (const boost::json::object& object : objects) {
        // Where the metadata closes in json::serialize's text, found the way the writer does:
        // by serializing the members before it.
        std::string text = boost::json::serialize(object);
        std::string before = "{";
        for (const auto& member : object) {
            if (member.key() == "metadata") {
                break;
            }
            before += boost::json::serialize(boost::json::string(member.key())) + ":" +
                      boost::json::serialize(member.value()) + ",";
        }
        const size_t metadataEnd =
            before.size() + 11 + boost::json::serialize(object.at("metadata")).size() - 1;
        ASSERT_EQ(text[metadataEnd], '}');
        const std::string key = std::string(Prefix) + "/default/" +
                                std::string(object.at("metadata").at("name").as_string());
        store::Write plain{store::Write::Op::Create, key, text, 0};
        store::Write attached = plain;
        attached.attachment = prepared.prepare(key, object, text, metadataEnd);
        ASSERT_TRUE(attached.attachment);
        ASSERT_TRUE(store->write(std::move(plain)));
        ASSERT_TRUE(preparedStore->write(std::move(attached)));

        ObjectPtr parsed = cache->resource(Prefix)->get(key);
        ObjectPtr taken = prepared.resource(Prefix)->get(key);
        ASSERT_TRUE(parsed && taken) << key;
        EXPECT_EQ(taken->json.str(), parsed->json.str()) << key;
        EXPECT_EQ(taken->name, parsed->name);
        EXPECT_EQ(taken->ns, parsed->ns);
        EXPECT_EQ(taken->uid, parsed->uid);
        EXPECT_EQ(taken->labels, parsed->labels);
        EXPECT_EQ(taken->modRevision, parsed->modRevision);
        for (const char* field :
             {"metadata.name", "metadata.namespace", "spec.nodeName", "phase"}) {
            EXPECT_EQ(taken->field(field), parsed->field(field)) << key << " " << field;
        }
    }
    EXPECT_EQ(withResourceVersion(R"({"metadata":{}})", 13, 7),
              R"({"metadata":{"resourceVersion":"7"}})");
    EXPECT_FALSE(prepared.prepare(std::string(Prefix) + "/default/x", objects[0], "{}", 0))
        << "no metadata to splice into";
}

TEST_F(WatchCacheTest, AWatcherThatFallsBehindIsClosed) {
    auto w = cache->resource(Prefix)->watch(Filter{}, cache->revision(), 3);
    ASSERT_TRUE(w);
    for (int i = 0; i < 5; ++i) {
        put("a", "v" + std::to_string(i));
    }
    std::vector<WatchEvent> out;
    EXPECT_FALSE((*w)->poll(out));
}

TEST_F(WatchCacheTest, AWatcherIsWokenOncePerBurstAndDrainsInBoundedPolls) {
    auto watcher = cache->resource(Prefix)->watch(Filter{}, cache->revision(), 100);
    ASSERT_TRUE(watcher);
    int wakes = 0;
    (*watcher)->setNotify([&] { ++wakes; });
    put("a", "x");
    put("b", "x");
    put("c", "x");
    EXPECT_EQ(wakes, 1); // the queue was empty only before the first event

    std::vector<WatchEvent> first;
    EXPECT_TRUE((*watcher)->poll(first, 2));
    EXPECT_EQ(first.size(), 2u);
    put("d", "x");
    EXPECT_EQ(wakes, 1); // not drained yet: the consumer keeps polling
    EXPECT_EQ(drain(**watcher).size(), 2u);
    put("e", "x");
    EXPECT_EQ(wakes, 2);

    // A stopped watcher reports closed only once its queue is drained.
    put("f", "x");
    (*watcher)->stop();
    std::vector<WatchEvent> rest;
    EXPECT_TRUE((*watcher)->poll(rest, 1)); // "e" delivered, "f" still queued
    EXPECT_FALSE((*watcher)->poll(rest, 1));
    EXPECT_EQ(rest.size(), 2u);
}

TEST_F(WatchCacheTest, AWokenWatcherFindsTheCacheRevisionCoveringItsEvents) {
    // Consumers take a consistent cut at revision() when woken (the lifecycle controller
    // defers later events to its next pass); a revision behind the event made them spin.
    const char* other = "/registry/core/configmaps";
    ASSERT_TRUE(cache->registerResource(other, {}));
    auto watcher = cache->resource(Prefix)->watch(Filter{}, cache->revision(), 100);
    ASSERT_TRUE(watcher);
    int64_t revisionWhenWoken = 0;
    (*watcher)->setNotify([&] { revisionWhenWoken = cache->revision(); });
    int64_t written = put("a", "x");
    EXPECT_EQ(revisionWhenWoken, written);
}

TEST(PackedStrings, keepsEachValueIncludingEmptyOnes) {
    std::vector<std::string> values{"", "default", std::string(300, 'x'), "", "node-1"};
    PackedStrings packed(values);
    ASSERT_EQ(packed.size(), values.size());
    for (size_t i = 0; i < values.size(); ++i) {
        EXPECT_EQ(packed.at(i), values[i]) << i;
    }
    EXPECT_EQ(PackedStrings().size(), 0u);
}

TEST(FieldLayout, namesDefaultsFirstOnceEachAndReadsRenamedPaths) {
    auto layout = FieldLayout::fromSpecs(
        {"spec.nodeName", "metadata.name", "status.successful=status.succeeded"});
    EXPECT_EQ(layout->names, (std::vector<std::string>{"metadata.name", "metadata.namespace",
                                                       "spec.nodeName", "status.successful"}));
    EXPECT_EQ(layout->paths.back(), "status.succeeded");
    EXPECT_EQ(layout->indexOf("spec.nodeName"), 2u);
    EXPECT_FALSE(layout->indexOf("status.phase"));
}
