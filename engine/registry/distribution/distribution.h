#pragma once

#include "engine/registry/access/accesscontroller.h"
#include "engine/registry/distribution/registryhooks.h"
#include "engine/registry/distribution/registryhttp.h"
#include "engine/registry/distribution/route.h"
#include "engine/registry/storage/registrystorage.h"

#include <cstddef>
#include <optional>
#include <string_view>

namespace pilot::registry {

struct DistributionOptions {
    /// Larger manifest bodies get 413 (the spec asks registries to take at least 4 MB).
    size_t maxManifestBytes = 8 * 1024 * 1024;
    /// `_catalog` page size when the client names none, and the largest it may ask for.
    size_t catalogPage = 100;
    size_t maxCatalogPage = 1000;
    /// Told of pushes, pulls and deletes, and asked before blobs and manifests are added
    /// (quotas); not owned, must outlive the Distribution. None when null.
    RegistryHooks* hooks = nullptr;
};

/// The OCI Distribution v1.1 API (`/v2/`, end-1..end-13, tag deletion, referrers, `_catalog`)
/// over RegistryStorage, transport-independent: the listener hands over each request head and
/// streams the body into the returned sink. Every request is authenticated once and then
/// checked with AccessController::authorize for (repository, action, identity) before storage
/// is touched; errors use the spec's JSON error body. Thread-safe; `begin` and
/// `BodySink::finish` may block on disk and database, `BodySink::write` does not.
class Distribution {
public:
    Distribution(RegistryStorage& storage, AccessController& access,
                 DistributionOptions options = {});

    /// Starts handling `request`: the response, or a sink for its body.
    [[nodiscard]] Dispatch begin(const RegistryRequest& request);

private:
    /// One request being handled.
    struct Call {
        const RegistryRequest& request;
        Route route;
        Identity identity;
        bool head = false;
    };

    [[nodiscard]] std::optional<RegistryResponse>
    authorize(const Call& call, std::string_view repository, Action action);
    [[nodiscard]] Dispatch manifest(Call& call);
    [[nodiscard]] RegistryResponse getManifest(Call& call);
    [[nodiscard]] Dispatch putManifest(Call& call);
    [[nodiscard]] RegistryResponse storeManifest(const Call& call, std::string bytes);
    [[nodiscard]] RegistryResponse deleteManifest(Call& call);
    [[nodiscard]] RegistryResponse blob(Call& call);
    [[nodiscard]] Dispatch startUpload(Call& call);
    [[nodiscard]] Dispatch upload(Call& call);
    /// The hooks' refusal of mounting `from`'s blob, as a response.
    [[nodiscard]] std::optional<RegistryResponse>
    admitMount(const Call& call, std::string_view from, const Digest& digest);
    /// The hooks' refusal of completing upload `id` as `digest`, as a response.
    [[nodiscard]] std::optional<RegistryResponse> admitUpload(const Identity& identity,
                                                              std::string_view repository,
                                                              std::string_view id,
                                                              const Digest& digest);
    [[nodiscard]] RegistryResponse tags(Call& call);
    [[nodiscard]] RegistryResponse catalog(Call& call);
    [[nodiscard]] RegistryResponse referrers(Call& call);

    /// The hooks from the options, or ones that do nothing.
    [[nodiscard]] RegistryHooks& hooks() const { return *m_hooks; }

    RegistryStorage& m_storage;
    AccessController& m_access;
    DistributionOptions m_options;
    RegistryHooks m_noHooks;
    RegistryHooks* m_hooks;
};

} // namespace pilot::registry
