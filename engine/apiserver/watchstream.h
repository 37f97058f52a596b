#pragma once

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
};

/// The body of a watch response: one JSON event per line, flushed as it happens; BOOKMARKs when
/// asked for; a clean end at `timeoutSeconds`.
class WatchStream final : public ResponseStream {
public:
    explicit WatchStream(WatchStreamOptions options);

    void start(std::function<void()> wake) override;
    [[nodiscard]] std::string next(bool& finished) override;
    void cancel() override;

private:
    /// Appends the event's line to `out`: with a hundred watchers every event is framed a
    /// hundred times, so no line gets a string of its own.
    void encode(const watchcache::WatchEvent& event, std::string& out);
    [[nodiscard]] std::string bookmark() const;

    WatchStreamOptions m_options;
    bool m_sentColumns = false;
    std::chrono::steady_clock::time_point m_lastSend;
    std::vector<watchcache::WatchEvent> m_batch;
};

/// The `object` of a Table row for `includeObject` (None, Metadata, Object).
[[nodiscard]] std::string tableRowObject(const std::string& objectJson,
                                         const std::string& includeObject,
                                         const std::string& tableVersion);

} // namespace pilot::apiserver
