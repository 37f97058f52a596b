#include "engine/store/store.h"
#include "engine/watchcache/objecttext.h"
#include "engine/watchcache/watchcache.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

using namespace pilot;
using namespace pilot::watchcache;

namespace {

constexpr const char* Prefix = "/registry/core/pods";

/// A pod shaped like the ones a Deployment creates: most of it repeats from pod to pod.
std::string pod(int i, int generation = 1) {
    std::string name = "web-7d9f8b6c5-" + std::to_string(10000 + i);
    boost::json::object o{
        {"kind", "Pod"},
        {"apiVersion", "v1"},
        {"metadata",
         {{"name", name},
          {"namespace", "default"},
          {"uid", "4f1c2a3b-0000-4000-8000-" + std::to_string(100000000000LL + i)},
          {"labels", {{"app", "web"}, {"pod-template-hash", "7d9f8b6c5"}}},
          {"annotations", {{"generation", std::to_string(generation)}}},
          {"ownerReferences", boost::json::array{{{"apiVersion", "apps/v1"},
                                                  {"kind", "ReplicaSet"},
                                                  {"name", "web-7d9f8b6c5"},
                                                  {"uid", "11111111-2222-4333-8444-555555555555"},
                                                  {"controller", true},
                                                  {"blockOwnerDeletion", true}}}}}},
        {"spec",
         {{"nodeName", "node-" + std::to_string(i % 7)},
          {"containers", boost::json::array{{{"name", "web"},
                                             {"image", "registry.local/library/web:1.4.2"},
                                             {"ports", boost::json::array{{{"containerPort", 8080},
                                                                           {"protocol", "TCP"}}}},
                                             {"resources",
                                              {{"requests", {{"cpu", "10m"}, {"memory", "16Mi"}}},
                                               {"limits", {{"cpu", "100m"}, {"memory", "64Mi"}}}}},
                                             {"terminationMessagePath", "/dev/termination-log"},
                                             {"terminationMessagePolicy", "File"},
                                             {"imagePullPolicy", "IfNotPresent"}}}},
          {"restartPolicy", "Always"},
          {"terminationGracePeriodSeconds", 30},
          {"dnsPolicy", "ClusterFirst"},
          {"serviceAccountName", "default"},
          {"schedulerName", "default-scheduler"},
          {"tolerations", boost::json::array{{{"key", "node.kubernetes.io/not-ready"},
                                              {"operator", "Exists"},
                                              {"effect", "NoExecute"},
                                              {"tolerationSeconds", 300}},
                                             {{"key", "node.kubernetes.io/unreachable"},
                                              {"operator", "Exists"},
                                              {"effect", "NoExecute"},
                                              {"tolerationSeconds", 300}}}}}},
        {"status",
         {{"phase", "Running"},
          {"podIP", "10.42.0." + std::to_string(i % 250)},
          {"startTime", "2026-11-22T08:00:0" + std::to_string(i % 10) + "Z"}}}};
    return boost::json::serialize(o);
}

std::string keyOf(int i) {
    return std::string(Prefix) + "/default/web-7d9f8b6c5-" + std::to_string(10000 + i);
}

} // namespace

TEST(TextCodec, CompressesAnObjectAgainstItsSiblingsAndRestoresItExactly) {
    std::vector<std::string> samples;
    for (int i = 0; i < 16; ++i) {
        samples.push_back(pod(i));
    }
    auto codec = TextCodec::fromSamples({samples.begin(), samples.end()});
    ASSERT_TRUE(codec);
    EXPECT_GT(codec->dictionarySize(), 0u);

    std::string raw = pod(1234);
    std::string packed = codec->compress(raw);
    ASSERT_FALSE(packed.empty());
    // Shared structure compresses to references into the dictionary.
    EXPECT_LT(packed.size() * 4, raw.size()) << packed.size() << " of " << raw.size();
    std::string back(raw.size(), '\0');
    ASSERT_TRUE(codec->decompress(packed, back.data(), back.size()));
    EXPECT_EQ(back, raw);
    // Damaged input is refused, not written out as text.
    std::string damaged = packed;
    damaged[damaged.size() / 2] = static_cast<char>(damaged[damaged.size() / 2] ^ 0x5a);
    damaged.resize(damaged.size() - 3);
    EXPECT_FALSE(codec->decompress(damaged, back.data(), back.size()));
}

TEST(ObjectText, ReadersSeeTheSameTextBeforeDuringAndAfterCompression) {
    std::vector<std::string> samples{pod(1), pod(2), pod(3)};
    auto codec = TextCodec::fromSamples({samples.begin(), samples.end()});
    ASSERT_TRUE(codec);
    for (int round = 0; round < 50; ++round) {
        std::string raw = pod(round + 100);
        ObjectText text(raw);
        EXPECT_FALSE(text.compressed());
        EXPECT_EQ(text.size(), raw.size());
        std::atomic<bool> go{false};
        std::atomic<int> mismatches{0};
        std::vector<std::thread> readers;
        for (int r = 0; r < 3; ++r) {
            readers.emplace_back([&] {
                while (!go.load()) {
                }
                for (int k = 0; k < 200; ++k) {
                    std::string out = "prefix:";
                    text.appendTo(out);
                    if (out != "prefix:" + raw) {
                        ++mismatches;
                    }
                }
            });
        }
        go = true;
        text.compress(codec);
        for (auto& t : readers) {
            t.join();
        }
        EXPECT_EQ(mismatches.load(), 0);
        EXPECT_TRUE(text.compressed());
        EXPECT_LT(text.heldBytes(), raw.size() / 2);
        EXPECT_EQ(text.str(), raw);
        text.compress(codec); // idempotent
        EXPECT_EQ(text.str(), raw);
    }
}

class CompressingCacheTest : public ::testing::Test {
protected:
    void SetUp() override {
        store = store::makeMemoryStore(10000);
        cache = std::make_unique<WatchCache>(*store, 500, HotVersions);
        ASSERT_TRUE(cache->registerResource(Prefix, {"spec.nodeName"}));
        store->setCommitObserver(cache->observer());
        ASSERT_TRUE(store->open());
        ASSERT_TRUE(cache->load());
    }
    int64_t put(int i, int generation = 1) {
        auto current = store->get(keyOf(i));
        auto written =
            store->write(store::Write{current ? store::Write::Op::Update : store::Write::Op::Create,
                                      keyOf(i), pod(i, generation), 0});
        EXPECT_TRUE(written.has_value());
        return written ? written->revision : 0;
    }
    /// The pod as the cache must serve it: the stored JSON with its resourceVersion.
    static boost::json::value expected(int i, int generation, int64_t revision) {
        boost::json::value v = boost::json::parse(pod(i, generation));
        v.at("metadata").as_object()["resourceVersion"] = std::to_string(revision);
        return v;
    }

    static constexpr size_t HotVersions = 8;
    std::unique_ptr<store::Store> store;
    std::unique_ptr<WatchCache> cache;
};

TEST_F(CompressingCacheTest, OlderVersionsAreCompressedAndServedUnchanged) {
    std::vector<int64_t> created;
    for (int i = 0; i < 100; ++i) {
        created.push_back(put(i));
    }
    auto resource = cache->resource(Prefix);
    ResourceCache::TextStats stats = resource->textStats();
    EXPECT_EQ(stats.objects, 100u);
    EXPECT_EQ(stats.compressed, 100u - HotVersions);
    EXPECT_LT(stats.heldBytes * 3, stats.jsonBytes)
        << stats.heldBytes << " held for " << stats.jsonBytes << " bytes of JSON";

    // GET and LIST read compressed and hot objects alike.
    for (int i = 0; i < 100; ++i) {
        auto object = resource->get(keyOf(i));
        ASSERT_TRUE(object);
        EXPECT_EQ(object->json.compressed(), i < 100 - static_cast<int>(HotVersions)) << i;
        EXPECT_EQ(boost::json::parse(object->json.str()), expected(i, 1, created[i])) << i;
    }
    auto page = resource->list(ListRequest{});
    ASSERT_TRUE(page);
    ASSERT_EQ(page->items.size(), 100u);
    // Selectors never need the text: field values are kept beside it.
    Filter onNode3;
    onNode3.predicate = [](const CachedObject& o) { return o.field("spec.nodeName") == "node-3"; };
    auto filtered = resource->list(ListRequest{onNode3});
    ASSERT_TRUE(filtered);
    EXPECT_EQ(filtered->items.size(), 14u);
}

TEST_F(CompressingCacheTest, WatchReplayAndListAtAnOldRevisionReadCompressedHistory) {
    for (int i = 0; i < 20; ++i) {
        put(i);
    }
    int64_t before = cache->revision();
    std::vector<int64_t> updated;
    for (int i = 0; i < 20; ++i) {
        updated.push_back(put(i, 2));
    }
    auto resource = cache->resource(Prefix);
    auto w = resource->watch(Filter{}, before, 100);
    ASSERT_TRUE(w);
    std::vector<WatchEvent> events;
    (void)(*w)->poll(events);
    ASSERT_EQ(events.size(), 20u);
    for (int i = 0; i < 20; ++i) {
        EXPECT_EQ(events[i].type, EventType::Modified);
        EXPECT_EQ(boost::json::parse(events[i].object->json.str()), expected(i, 2, updated[i]));
        ASSERT_TRUE(events[i].previous);
        EXPECT_TRUE(events[i].previous->json.compressed());
        EXPECT_EQ(boost::json::parse(events[i].previous->json.str()),
                  expected(i, 1, events[i].previous->modRevision));
    }
    ListRequest old;
    old.atRevision = before;
    auto page = resource->list(old);
    ASSERT_TRUE(page);
    ASSERT_EQ(page->items.size(), 20u);
    for (const ObjectPtr& item : page->items) {
        auto parsed = boost::json::parse(item->json.str());
        EXPECT_EQ(parsed.at("metadata").at("annotations").at("generation"), "1");
    }
}

TEST_F(CompressingCacheTest, ACacheLoadedFromTheStoreCompressesAllButTheNewestVersions) {
    std::vector<int64_t> created;
    for (int i = 0; i < 40; ++i) {
        created.push_back(put(i));
    }
    WatchCache reloaded(*store, 500, HotVersions);
    ASSERT_TRUE(reloaded.registerResource(Prefix, {"spec.nodeName"}));
    ASSERT_TRUE(reloaded.load());
    ResourceCache::TextStats stats = reloaded.resource(Prefix)->textStats();
    EXPECT_EQ(stats.objects, 40u);
    EXPECT_GE(stats.compressed, 40u - HotVersions);
    for (int i = 0; i < 40; ++i) {
        auto object = reloaded.resource(Prefix)->get(keyOf(i));
        ASSERT_TRUE(object);
        EXPECT_EQ(boost::json::parse(object->json.str()), expected(i, 1, created[i]));
    }
}
