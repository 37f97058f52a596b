#include "engine/apiserver/watchstream.h"

#include "core/log.h"
#include "engine/apiserver/mediatype.h"
#include "engine/apiserver/protobufanswer.h"
#include "engine/apiserver/resourceservice.h"
#include "kube/jsonutil.h"
#include "kube/types/protobuf.h"
#include "kube/types/schemaset.h"

#include <boost/json.hpp>
#include <fmt/format.h>

namespace pilot::apiserver {
namespace json = boost::json;

namespace {

constexpr auto BookmarkInterval = std::chrono::seconds(30);
constexpr size_t MaxEventsPerChunk = 256;

std::string_view typeName(watchcache::EventType type) {
    switch (type) {
    case watchcache::EventType::Added:
        return "ADDED";
    case watchcache::EventType::Modified:
        return "MODIFIED";
    case watchcache::EventType::Deleted:
        return "DELETED";
    }
    return "MODIFIED";
}

/// One event as a protobuf frame; the object (a bookmark's or a Status) encoded on the spot.
std::string protobufFrame(std::string_view type, const json::object& object,
                          const kube::ProtobufSchema& schema) {
    auto encoded = kube::encodeProtobufObject(object, schema);
    std::string out;
    if (encoded) {
        kube::appendProtobufWatchEvent(out, type, *encoded);
    }
    return out;
}

} // namespace

std::string errorEvent(const ApiError& error, bool protobuf) {
    json::object status = kube::parseJsonText(statusJson(error)).as_object();
    if (protobuf) {
        kube::ProtobufSchema schema;
        if (auto builtin = kube::SchemaSet::builtin(); builtin) {
            schema.type = (*builtin)->findKind(kube::GroupVersionKind{"", "v1", "Status"});
            schema.set = builtin->get();
            schema.owner = *builtin;
        }
        return protobufFrame("ERROR", status, schema);
    }
    return json::serialize(json::object{{"type", "ERROR"}, {"object", std::move(status)}}) + "\n";
}

json::object partialObjectMetadata(json::object object, const std::string& tableVersion) {
    json::object metadata;
    if (json::value* m = object.if_contains("metadata"); m && m->is_object()) {
        metadata = std::move(m->get_object());
    }
    metadata.erase("managedFields");
    return json::object{{"kind", "PartialObjectMetadata"},
                        {"apiVersion", "meta.k8s.io/" + tableVersion},
                        {"metadata", std::move(metadata)}};
}

json::object partialObjectMetadata(const kube::ResourceType& type,
                                   const watchcache::CachedObject& object,
                                   const std::string& tableVersion) {
    std::string scratch;
    return partialObjectMetadata(kube::parseJsonText(servedJson(type, object, scratch)).as_object(),
                                 tableVersion);
}

json::object tableRow(const kube::ResourceType& type, const printers::TablePrinter& printer,
                      const watchcache::CachedObject& object, const std::string& includeObject,
                      const std::string& tableVersion, TimePoint now) {
    std::string scratch;
    json::object parsed = kube::parseJsonText(servedJson(type, object, scratch)).as_object();
    json::object row{{"cells", printer.cells(parsed, now)}};
    // The row's object is cut from the one parse (the cells are computed by then).
    if (includeObject == "Object") {
        row["object"] = std::move(parsed);
    } else if (includeObject != "None") {
        row["object"] = partialObjectMetadata(std::move(parsed), tableVersion);
    }
    return row;
}

WatchStream::WatchStream(WatchStreamOptions options) : m_options(std::move(options)) {}

std::string WatchStream::contentType() const {
    return m_options.protobuf ? std::string(ProtobufWatchMediaType) : "application/json";
}

void WatchStream::start(std::function<void()> wake) {
    m_lastSend = std::chrono::steady_clock::now();
    if (m_options.watcher) {
        m_options.watcher->setNotify(std::move(wake));
    } else {
        wake();
    }
}

std::string WatchStream::bookmark() const {
    json::object object{
        {"kind", m_options.type->gvk.kind},
        {"apiVersion", m_options.type->gvk.apiVersion()},
        {"metadata", json::object{{"resourceVersion", std::to_string(m_options.revision())}}}};
    if (m_options.protobuf) {
        return protobufFrame("BOOKMARK", object,
                             {m_options.type->schema, m_options.type->schemaSet, {}});
    }
    return json::serialize(json::object{{"type", "BOOKMARK"}, {"object", object}}) + "\n";
}

bool WatchStream::encodeProtobuf(const watchcache::WatchEvent& event, std::string& out) {
    auto encoded = servedProtobuf(*m_options.type, *event.object);
    if (!encoded) {
        log::warn("apiserver", "watch {}: event at revision {} has no protobuf form: {}",
                  m_options.type->gvk.kind, event.revision, encoded.error().message);
        return false;
    }
    kube::appendProtobufWatchEvent(out, typeName(event.type), **encoded);
    return true;
}

bool WatchStream::encode(const watchcache::WatchEvent& event, std::string& out) {
    if (m_options.protobuf) {
        return encodeProtobuf(event, out);
    }
    std::string_view type = typeName(event.type);
    if (!m_options.printer && !m_options.metadataOnly) {
        out.reserve(out.size() + event.object->json.size() + 32);
        out += R"({"type":")";
        out += type;
        out += R"(","object":)";
        appendServedJson(*m_options.type, *event.object, out);
        out += "}\n";
        return true;
    }
    if (!m_options.printer) { // metadata only
        out += R"({"type":")";
        out += type;
        out += R"(","object":)";
        out += json::serialize(
            partialObjectMetadata(*m_options.type, *event.object, m_options.tableVersion));
        out += "}\n";
        return true;
    }
    json::object row =
        tableRow(*m_options.type, *m_options.printer, *event.object, m_options.includeObject,
                 m_options.tableVersion, m_options.clock->now());
    json::value columns = nullptr;
    if (!m_sentColumns) {
        json::array defs;
        for (const printers::ColumnDefinition& c : m_options.printer->columns()) {
            defs.push_back(json::object{{"name", c.name},
                                        {"type", c.type},
                                        {"format", c.format},
                                        {"description", c.description},
                                        {"priority", c.priority}});
        }
        columns = std::move(defs);
        m_sentColumns = true;
    }
    json::object table{
        {"kind", "Table"},
        {"apiVersion", "meta.k8s.io/" + m_options.tableVersion},
        {"metadata", json::object{{"resourceVersion", std::to_string(event.revision)}}},
        {"columnDefinitions", std::move(columns)},
        {"rows", json::array{std::move(row)}}};
    out += json::serialize(json::object{{"type", type}, {"object", std::move(table)}});
    out += '\n';
    return true;
}

std::string WatchStream::next(bool& finished) {
    if (m_options.errorEvent) {
        finished = true;
        std::string out = *m_options.errorEvent;
        m_options.errorEvent.reset();
        return out;
    }
    auto now = std::chrono::steady_clock::now();
    std::string out;
    m_batch.clear();
    // A bounded chunk: a watcher far behind is drained a chunk per socket write instead of
    // turning its whole backlog into one string (100 slow watchers held hundreds of MB).
    bool open = m_options.watcher->poll(m_batch, MaxEventsPerChunk);
    for (const watchcache::WatchEvent& event : m_batch) {
        if (!encode(event, out)) {
            finished = true;
            m_options.watcher->stop();
            return out +
                   errorEvent(internalError("the object has no protobuf form"), m_options.protobuf);
        }
    }
    if (m_batch.size() == MaxEventsPerChunk) {
        m_lastSend = now;
        return out; // the session asks again as soon as this chunk is written
    }
    if (!open) {
        finished = true;
        return out;
    }
    if (now >= m_options.deadline) {
        finished = true;
        if (m_options.bookmarks) {
            out += bookmark();
        }
        m_options.watcher->stop();
        return out;
    }
    if (out.empty() && m_options.bookmarks && now - m_lastSend >= BookmarkInterval) {
        out = bookmark();
    }
    if (!out.empty()) {
        m_lastSend = now;
    }
    return out;
}

void WatchStream::cancel() {
    if (m_options.watcher) {
        m_options.watcher->stop();
    }
}

} // namespace pilot::apiserver
