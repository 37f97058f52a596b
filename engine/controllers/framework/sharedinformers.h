#pragma once

#include "kube/client/apiclient.h"
#include "kube/client/informer.h"

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace pilot::controllers {

/// One informer per resource, shared by every controller that needs it (client-go's shared
/// informer factory): controllers add their indexes and handlers while setting up, then the
/// manager starts them all and waits for the first sync.
class SharedInformers {
public:
    explicit SharedInformers(kube::ApiClient& client);
    ~SharedInformers();
    SharedInformers(const SharedInformers&) = delete;
    SharedInformers& operator=(const SharedInformers&) = delete;

    /// The all-namespaces informer of `resource`, created on first use. Add indexes and
    /// handlers before start(); an index added twice under one name keeps the first.
    [[nodiscard]] kube::Informer& forResource(const kube::ApiResource& resource);
    void addIndex(const kube::ApiResource& resource, const std::string& name,
                  kube::IndexFunc function);
    /// The all-namespaces informer of `resource` caching PartialObjectMetadata only (client-go's
    /// metadata informer), shared like the full one; indexes see metadata only. When a full
    /// informer of `resource` already exists it is returned instead: its objects carry the same
    /// metadata, and a second copy of every pod's metadata costs tens of MB at 30k pods. Set up
    /// controllers that only read metadata after the others, so that they share.
    [[nodiscard]] kube::Informer& forMetadata(const kube::ApiResource& resource);
    void addMetadataIndex(const kube::ApiResource& resource, const std::string& name,
                          kube::IndexFunc function);
    /// The informer of the `resource` objects called `name`, in every namespace (a
    /// `metadata.name` field selector): for a controller that owns one object per namespace
    /// (the root CA ConfigMap), which then neither keeps nor decodes the others.
    [[nodiscard]] kube::Informer& forName(const kube::ApiResource& resource,
                                          const std::string& name);

    void start();
    /// Waits until every informer has synced or the deadline passed; returns whether all did.
    [[nodiscard]] bool waitForSync(std::chrono::steady_clock::time_point deadline) const;
    void stop();

    [[nodiscard]] kube::ApiClient& client() const { return m_client; }

private:
    static std::string keyOf(const kube::ApiResource& resource, bool metadataOnly,
                             const std::string& fieldSelector = {});
    kube::Informer& informerFor(const kube::ApiResource& resource, bool metadataOnly,
                                const std::string& fieldSelector = {});
    /// Whether metadata readers of `resource` get a metadata-only informer (no full one exists).
    [[nodiscard]] bool metadataOnlyFor(const kube::ApiResource& resource) const;
    void addIndexTo(const kube::ApiResource& resource, bool metadataOnly, const std::string& name,
                    kube::IndexFunc function);

    kube::ApiClient& m_client;
    mutable std::mutex m_mutex;
    std::map<std::string, std::unique_ptr<kube::Informer>> m_informers;
    std::map<std::string, std::set<std::string>> m_indexes;
    bool m_started = false;
};

} // namespace pilot::controllers
