#pragma once

#include "kube/schema.h"

#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pilot::kube {

class SchemaSet;

struct GroupVersionKind {
    std::string group;
    std::string version;
    std::string kind;
    [[nodiscard]] std::string apiVersion() const {
        return group.empty() ? version : group + "/" + version;
    }
    friend bool operator==(const GroupVersionKind&, const GroupVersionKind&) = default;
};

/// A server-side printer column, as CRDs declare them (`additionalPrinterColumns`).
struct PrinterColumn {
    std::string name;
    std::string type; // "string", "integer", "number", "boolean", "date"
    std::string format;
    std::string description;
    std::string jsonPath; // ".spec.replicas"
    int priority = 0;
};

/// A subresource served under a resource: status, scale, log, exec, binding, eviction, ...
struct Subresource {
    std::string name;
    GroupVersionKind responseKind; // e.g. autoscaling/v1 Scale for "scale"
    std::vector<std::string> verbs;
    /// For scale on custom resources: where replicas live (CRD `subresources.scale`).
    std::string specReplicasPath;
    std::string statusReplicasPath;
    std::string labelSelectorPath;
};

/// An annotation in which the server counts the changes of one part of an object, as upstream's
/// DaemonSet strategy keeps `deprecated.daemonset.template.generation` (its internal
/// spec.templateGeneration) for spec.template.
struct ChangeCounter {
    std::string annotation;
    std::string path; ///< dotted, e.g. "spec.template"
};

/// Everything the API server needs to know about one served resource (one group/version/plural).
/// Discovery, OpenAPI, Table printing, field selectors, SMP, protobuf decoding and validation
/// are all driven from these entries. Built-in entries are loaded once; CRDs add entries at run
/// time.
struct ResourceType {
    GroupVersionKind gvk;
    std::string plural;
    std::string singular;
    bool namespaced = true;
    std::vector<std::string> shortNames;
    std::vector<std::string> categories;
    std::vector<std::string> verbs; // create delete deletecollection get list patch update watch
    std::vector<Subresource> subresources;
    /// Field selectors accepted beyond metadata.name and metadata.namespace (JSON paths such as
    /// "spec.nodeName"; values compared as their string form).
    std::vector<std::string> fieldSelectors;
    /// Name of the built-in Table printer ("pods", "deployments", ...); empty: generic columns
    /// or `printerColumns`.
    std::string printer;
    std::vector<PrinterColumn> printerColumns;
    /// Root schema of the kind (never null for built-in kinds).
    const schema::Type* schema = nullptr;
    /// Keeps the schema graph alive (CRD schemas are owned per entry; built-ins share one set).
    std::shared_ptr<const void> schemaOwner;
    /// The schema set `schema` belongs to, when known (built-in kinds): carries the protobuf
    /// details (embedded members, pointer fields) the schema graph itself does not.
    const SchemaSet* schemaSet = nullptr;
    /// Whether writes to the main resource keep `status` (kind has a status subresource).
    bool hasStatusSubresource = false;
    /// Whether a create keeps the `status` it carries although the kind has a status
    /// subresource (Nodes, as upstream's node strategy).
    bool statusOnCreate = false;
    /// Metadata fields a status write keeps from the stored object (upstream's status
    /// strategies: Deployment labels, Pod ownerReferences); other metadata changes go through.
    std::vector<std::string> statusWriteKeeps;
    /// Whether `metadata.generation` is maintained (bumped on spec changes).
    bool tracksGeneration = false;
    /// Annotations the server keeps as counters of changes (engine/apiserver/changecounters.h).
    std::vector<ChangeCounter> changeCounters;
    /// Storage key prefix `/registry/<group>/<plural>` shared by all versions of a resource.
    std::string storagePrefix;
    /// Set for resources from CustomResourceDefinitions.
    bool custom = false;
    /// False for resources computed on request and never stored (metrics.k8s.io,
    /// SelfSubjectReview): no watch cache, no lifecycle; a handler registered on the API
    /// handler serves them.
    bool stored = true;
    /// Whether this version is the preferred version of its group-resource (discovery).
    bool preferred = true;
    /// Whether objects under `storagePrefix` are kept in this entry's form. Other entries with
    /// the same prefix (autoscaling/v1 HPAs, events.k8s.io Events) are converted on the way in
    /// and out; the lifecycle and the watch cache follow the storage entry.
    bool storageVersion = true;

    [[nodiscard]] const Subresource* subresource(std::string_view name) const {
        for (const Subresource& s : subresources) {
            if (s.name == name) {
                return &s;
            }
        }
        return nullptr;
    }
};

using ResourceTypePtr = std::shared_ptr<const ResourceType>;

/// The set of served resources. Thread-safe: lookups take a shared lock; CRD changes replace
/// entries atomically. Entries are immutable once added (replace, never mutate).
class TypeRegistry {
public:
    /// A new registry holding every built-in kind (schemas from the embedded schema files).
    [[nodiscard]] static std::shared_ptr<TypeRegistry> builtin();

    [[nodiscard]] ResourceTypePtr byResource(std::string_view group, std::string_view version,
                                             std::string_view plural) const;
    [[nodiscard]] ResourceTypePtr byKind(std::string_view group, std::string_view version,
                                         std::string_view kind) const;
    /// Every served resource, sorted by group, then version preference, then plural.
    [[nodiscard]] std::vector<ResourceTypePtr> all() const;
    /// Served group names with their versions, preferred version first; "" is the core group.
    [[nodiscard]] std::vector<std::pair<std::string, std::vector<std::string>>> groups() const;

    /// Adds or replaces (same group/version/plural) an entry.
    void add(ResourceTypePtr type);
    void remove(std::string_view group, std::string_view version, std::string_view plural);

    /// Incremented on every add/remove; discovery and OpenAPI caches key on it.
    [[nodiscard]] uint64_t generation() const;

private:
    mutable std::shared_mutex m_mutex;
    std::vector<ResourceTypePtr> m_types;
    uint64_t m_generation = 0;
};

} // namespace pilot::kube
