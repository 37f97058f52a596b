// Answers in Kubernetes protobuf for clients that ask for it first (client-go's typed clients):
// objects, lists and watch streams of built-in kinds; JSON wherever protobuf has no form. Also
// the watch stream's own ends (bookmarks, ERROR events) in both encodings.
#include "handlertestutil.h"

#include "engine/apiserver/mediatype.h"
#include "engine/apiserver/watchstream.h"
#include "kube/types/protobuf.h"
#include "kube/types/protowire.h"
#include "kube/types/schemaset.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

using namespace pilot;
using namespace pilot::apiserver;
using namespace pilot::apiserver::test;

namespace {

const std::string Protobuf(ProtobufMediaType);
const std::string TypedAccept = Protobuf + ",application/json";

json::object decoded(const std::string& body) {
    auto object = kube::decodeProtobufObject(body, *builtinTypes());
    EXPECT_TRUE(object.has_value()) << (object ? "" : object.error().message);
    return object ? *object : json::object{};
}

/// Cuts a protobuf watch chunk into (type, object) pairs.
std::vector<std::pair<std::string, json::object>> frames(std::string_view chunk) {
    std::vector<std::pair<std::string, json::object>> out;
    while (std::optional<std::string_view> frame = kube::protowire::nextFrame(chunk)) {
        std::string type(kube::protowire::Reader(*frame).find(1));
        std::string_view raw =
            kube::protowire::Reader(kube::protowire::Reader(*frame).find(2)).find(1);
        out.emplace_back(type, decoded(std::string(raw)));
    }
    EXPECT_TRUE(chunk.empty()) << "no partial frame";
    return out;
}

} // namespace

TEST_F(ApiHandlerTest, builtInKindsAreAnsweredInProtobufWhenAskedFirst) {
    // A create answers when its write commits (a deferred answer), re-encoded then.
    HandlerResult created = send("POST", ConfigMaps, json::serialize(configMap("p", "1")), {},
                                 "application/json", TypedAccept);
    ASSERT_EQ(created.response.status, 201);
    EXPECT_EQ(created.response.contentType, Protobuf);
    json::object stored = bodyOf(get(std::string(ConfigMaps) + "/p"));
    EXPECT_EQ(json::value(decoded(created.response.body)), json::value(stored));

    HandlerResult one = get(std::string(ConfigMaps) + "/p", {}, Protobuf);
    ASSERT_EQ(one.response.status, 200);
    EXPECT_EQ(one.response.contentType, Protobuf);
    EXPECT_EQ(json::value(decoded(one.response.body)), json::value(stored));

    HandlerResult list = get(ConfigMaps, {}, TypedAccept);
    ASSERT_EQ(list.response.status, 200);
    EXPECT_EQ(list.response.contentType, Protobuf);
    ASSERT_TRUE(list.response.body.starts_with(kube::ProtobufMagic));
    std::string_view unknown =
        std::string_view(list.response.body).substr(kube::ProtobufMagic.size());
    EXPECT_EQ(kube::protowire::Reader(kube::protowire::Reader(unknown).find(1)).find(2),
              "ConfigMapList");
    // Items are written one by one from the cache: each one the stored object without its
    // type, which only the list's envelope carries.
    (void)mustPost(ConfigMaps, configMap("q", "2"));
    json::object jsonList = bodyOf(get(ConfigMaps));
    HandlerResult again = get(ConfigMaps, {}, TypedAccept);
    kube::protowire::Reader raw(
        kube::protowire::Reader(
            std::string_view(again.response.body).substr(kube::ProtobufMagic.size()))
            .find(2));
    kube::ResourceTypePtr type = builtinTypes()->byKind("", "v1", "ConfigMap");
    json::array items;
    int number = 0;
    int wire = 0;
    while (raw.tag(number, wire)) {
        std::string_view bytes = raw.bytes();
        if (number == 1) {
            auto meta = kube::decodeProtobufMessage(
                bytes, *type->schemaSet->find("io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"),
                type->schemaSet);
            ASSERT_TRUE(meta.has_value());
            EXPECT_EQ(json::value(*meta), jsonList.at("metadata"));
        } else if (number == 2) {
            auto item = kube::decodeProtobufMessage(bytes, *type->schema, type->schemaSet);
            ASSERT_TRUE(item.has_value()) << item.error().message;
            items.push_back(*item);
        }
    }
    json::array expected = jsonList.at("items").as_array();
    for (json::value& item : expected) {
        item.as_object().erase("apiVersion");
        item.as_object().erase("kind");
    }
    EXPECT_EQ(items, expected);

    // Media types are case-insensitive.
    EXPECT_EQ(get(ConfigMaps, {}, "Application/Vnd.Kubernetes.Protobuf").response.contentType,
              Protobuf);
    // Errors stay Status JSON; JSON first stays JSON.
    expectStatus(get(std::string(ConfigMaps) + "/none", {}, TypedAccept), 404, "NotFound");
    EXPECT_EQ(get(ConfigMaps, {}, "application/json," + Protobuf).response.contentType,
              "application/json");
}

TEST_F(ApiHandlerTest, readsThatCannotBeRepresentedAre406) {
    (void)mustPost(ConfigMaps, configMap("c"));
    expectStatus(get(std::string(ConfigMaps) + "/c", {}, "text/html"), 406, "NotAcceptable");
    // Tables and metadata have no protobuf form here; with nothing after them: 406.
    expectStatus(get(ConfigMaps, {}, Protobuf + ";as=Table;v=v1;g=meta.k8s.io"), 406,
                 "NotAcceptable");
    HandlerResult table =
        get(ConfigMaps, {},
            Protobuf + ";as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1;g=meta.k8s.io");
    EXPECT_EQ(table.response.contentType, "application/json");
    EXPECT_EQ(str(bodyOf(table), "kind"), "Table");
}

TEST_F(ApiHandlerTest, protobufWatchesSendLengthPrefixedWatchEvents) {
    (void)mustPost(ConfigMaps, configMap("before"));
    std::shared_ptr<ResponseStream> stream = watch(ConfigMaps, {}, TypedAccept);
    ASSERT_TRUE(stream);
    EXPECT_EQ(stream->contentType(), std::string(ProtobufWatchMediaType));
    stream->start([] {});
    bool finished = false;
    auto initial = frames(stream->next(finished));
    ASSERT_EQ(initial.size(), 1U);
    EXPECT_EQ(initial[0].first, "ADDED");
    EXPECT_EQ(str(initial[0].second, "metadata.name"), "before");

    json::object created = mustPost(ConfigMaps, configMap("new"));
    (void)send("DELETE", std::string(ConfigMaps) + "/new");
    auto events = frames(stream->next(finished));
    ASSERT_EQ(events.size(), 2U);
    EXPECT_EQ(events[0].first, "ADDED");
    EXPECT_EQ(json::value(events[0].second), json::value(created));
    EXPECT_EQ(events[1].first, "DELETED");
    EXPECT_EQ(str(events[1].second, "metadata.name"), "new");
    EXPECT_FALSE(finished);
    stream->cancel();
}

TEST_F(ApiHandlerTest, anExpiredProtobufWatchEndsWithAStatusErrorFrame) {
    ApiEnv small(5); // five events of history per resource
    createBeyondHistory(small);
    HandlerResult r = small.send("GET", ConfigMaps, {}, {{"watch", "1"}, {"resourceVersion", "2"}},
                                 "", TypedAccept);
    ASSERT_TRUE(r.stream);
    r.stream->start([] {});
    bool finished = false;
    auto events = frames(r.stream->next(finished));
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0].first, "ERROR");
    EXPECT_EQ(str(events[0].second, "kind"), "Status");
    EXPECT_EQ(str(events[0].second, "reason"), "Expired");
    EXPECT_EQ(events[0].second.at("code"), 410);
    EXPECT_TRUE(finished);
}

TEST_F(ApiHandlerTest, aWatchEndsAtItsDeadlineWithABookmarkInEitherEncoding) {
    (void)mustPost(ConfigMaps, configMap("c"));
    const int64_t revision = env.store->currentRevision();
    kube::ResourceTypePtr type = env.types->byResource("", "v1", "configmaps");
    for (bool protobuf : {false, true}) {
        SCOPED_TRACE(protobuf ? "protobuf" : "JSON");
        auto cache = env.service->cacheFor(*type);
        auto watcher = cache->watch(watchcache::Filter{}, revision, 100);
        ASSERT_TRUE(watcher.has_value());
        WatchStreamOptions options;
        options.type = type;
        options.watcher = *watcher;
        options.deadline = std::chrono::steady_clock::now(); // timeoutSeconds has passed
        options.bookmarks = true;
        options.revision = [cache] { return cache->revision(); };
        options.clock = &env.clock;
        options.protobuf = protobuf;
        WatchStream stream(std::move(options));
        stream.start([] {});
        bool finished = false;
        std::string chunk = stream.next(finished);
        EXPECT_TRUE(finished);
        json::object event;
        if (protobuf) {
            auto events = frames(chunk);
            ASSERT_EQ(events.size(), 1U);
            event = json::object{{"type", events[0].first}, {"object", events[0].second}};
        } else {
            event = json::parse(chunk).as_object();
        }
        // The bookmark carries only the kind and the revision the client resumes from.
        EXPECT_EQ(str(event, "type"), "BOOKMARK");
        EXPECT_EQ(str(event, "object.kind"), "ConfigMap");
        EXPECT_EQ(str(event, "object.apiVersion"), "v1");
        EXPECT_EQ(str(event, "object.metadata.resourceVersion"), std::to_string(revision));
        EXPECT_EQ(event.at("object").as_object().at("metadata").as_object().size(), 1U);
    }
}

TEST_F(ApiHandlerTest, aListWithAnItemProtobufCannotCarryIsAnsweredInJson) {
    (void)mustPost(ConfigMaps, configMap("good"));
    // Written past admission (as an older engine or a restore might have): a value of the
    // wrong type, which has no protobuf form.
    kube::ResourceTypePtr type = env.types->byResource("", "v1", "configmaps");
    store::Write write;
    write.key = env.service->keyFor(*type, "default", "odd");
    write.value = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"odd",)"
                  R"("namespace":"default"},"data":{"n":1}})";
    ASSERT_TRUE(env.store->write(std::move(write)).has_value());
    HandlerResult list = get(ConfigMaps, {}, TypedAccept);
    ASSERT_EQ(list.response.status, 200);
    EXPECT_EQ(list.response.contentType, "application/json");
    EXPECT_EQ(itemNames(bodyOf(list)), (std::vector<std::string>{"good", "odd"}))
        << "nothing is left out";
    // A single object the same way: JSON, whole.
    HandlerResult one = get(std::string(ConfigMaps) + "/odd", {}, TypedAccept);
    EXPECT_EQ(one.response.contentType, "application/json");
    EXPECT_EQ(bodyOf(one).at("data").at("n"), 1);
}
