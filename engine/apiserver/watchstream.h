#pragma once

#include "engine/apiserver/apierror.h"
#include "engine/apiserver/http.h"
#include "engine/printers/tableprinter.h"
#include "engine/watchcache/watcher.h"
#include "kube/types/typeregistry.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace pilot::apiserver {

struct WatchStreamOptions {
    kube::ResourceTypePtr type;
    std::shared_ptr<watchcache::Watcher> watcher;
    std::chrono::steady_clock::time_point deadline;
    bool bookmarks = false;
    /// Set: events are one-row Tables from this printer (kubectl get -w).
    std::shared_ptr<const printers::TablePrinter> printer;
    std::string tableVersion = "v1";
    std::string includeObject = "Metadata";
    /// Events carry PartialObjectMetadata (meta.k8s.io/`tableVersion`) instead of the object.
    bool metadataOnly = false;
    /// Current revision source for bookmarks.
    std::function<int64_t()> revision;
    const Clock* clock = nullptr;
    /// Set: the stream sends this ERROR event (410 Expired) and ends.
    std::optional<std::string> errorEvent;
    /// Events are length-prefixed protobuf WatchEvents (`application/vnd.kubernetes.protobuf;
    /// stream=watch`) instead of JSON lines; each object is encoded once for all watchers.
    bool protobuf = false;
};

/// An ERROR event carrying `error`'s Status, framed as a JSON line or a protobuf frame.
[[nodiscard]] std::string errorEvent(const ApiError& error, bool protobuf);

/// The body of a watch response: one JSON event per line (or one protobuf frame per event),
/// flushed as it happens; BOOKMARKs when asked for; a clean end at `timeoutSeconds`.
class WatchStream final : public ResponseStream {
public:
    explicit WatchStream(WatchStreamOptions options);

    [[nodiscard]] std::string contentType() const override;
    void start(std::function<void()> wake) override;
    [[nodiscard]] std::string next(bool& finished) override;
    void cancel() override;

private:
    /// Appends the event's line to `out`: with a hundred watchers every event is framed a
    /// hundred times, so no line gets a string of its own.
    /// False when the event has no protobuf form (the stream then ends with an ERROR event).
    bool encode(const watchcache::WatchEvent& event, std::string& out);
    bool encodeProtobuf(const watchcache::WatchEvent& event, std::string& out);
    [[nodiscard]] std::string bookmark() const;

    WatchStreamOptions m_options;
    bool m_sentColumns = false;
    std::chrono::steady_clock::time_point m_lastSend;
    std::vector<watchcache::WatchEvent> m_batch;
};

/// `object` (a parsed object) as PartialObjectMetadata of meta.k8s.io/`tableVersion`: its
/// metadata, without managedFields.
[[nodiscard]] boost::json::object partialObjectMetadata(boost::json::object object,
                                                        const std::string& tableVersion);

/// The cached `object`, served as `type`, as PartialObjectMetadata (parsed once).
[[nodiscard]] boost::json::object partialObjectMetadata(const kube::ResourceType& type,
                                                        const watchcache::CachedObject& object,
                                                        const std::string& tableVersion);

/// One row of a Table for `object` (cached, served as `type`): the printer's cells and, for
/// `includeObject` Object or Metadata (not None), the object itself or its
/// PartialObjectMetadata. The object is parsed once.
[[nodiscard]] boost::json::object tableRow(const kube::ResourceType& type,
                                           const printers::TablePrinter& printer,
                                           const watchcache::CachedObject& object,
                                           const std::string& includeObject,
                                           const std::string& tableVersion, TimePoint now);

} // namespace pilot::apiserver
