#include "engine/apiserver/resourceservice.h"

#include "kube/fieldmanager/fieldmanager.h"
#include "kube/types/conversion.h"

#include "core/random.h"
#include "engine/admission/admission.h"
#include "engine/apiserver/changecounters.h"
#include "kube/types/validation.h"

#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>
#include <fmt/format.h>

namespace pilot::apiserver {
namespace json = boost::json;
using kube::eraseIf;
using kube::objectAt;
using kube::stringAt;

namespace {

constexpr int MaxUpdateAttempts = 16;

json::object& metadataOf(json::object& o) {
    json::value& m = o["metadata"];
    if (!m.is_object()) {
        m = json::object();
    }
    return m.as_object();
}

bool hasFinalizers(const json::object& metadata) {
    const json::value* f = metadata.if_contains("finalizers");
    return f && f->is_array() && !f->get_array().empty();
}

void addFinalizer(json::object& metadata, std::string_view name) {
    json::value& f = metadata["finalizers"];
    if (!f.is_array()) {
        f = json::array();
    }
    for (const json::value& v : f.get_array()) {
        if (v.is_string() && v.get_string() == name) {
            return;
        }
    }
    f.get_array().emplace_back(name);
}

/// The stored form: the object without `metadata.resourceVersion` (the store's revision is the
/// resourceVersion).
/// The stored text: the object without its resourceVersion (the store's revision is the truth).
/// Serialized straight from `object` when it carries none, as on every create.
std::string storedForm(const json::object& object) {
    const json::value* meta = object.if_contains("metadata");
    if (meta == nullptr || !meta->is_object() || meta->get_object().contains("resourceVersion")) {
        json::object copy = object;
        metadataOf(copy).erase("resourceVersion");
        return json::serialize(copy);
    }
    return json::serialize(object);
}

/// Appends `value`'s JSON to `out` (what json::serialize writes, without a string of its own).
void appendJson(std::string& out, const json::value& value) {
    json::serializer serializer;
    serializer.reset(&value);
    while (!serializer.done()) {
        constexpr size_t Chunk = 4096;
        const size_t used = out.size();
        out.resize(used + Chunk);
        std::string_view written = serializer.read(out.data() + used, Chunk);
        out.resize(used + written.size());
    }
}

/// An object's JSON as json::serialize writes it, and the offset of the brace that closes its
/// `metadata` (npos when there is none).
struct ObjectText {
    std::string text;
    size_t metadataEnd = std::string::npos;
};

ObjectText serializeNotingMetadata(const json::object& object) {
    ObjectText out;
    out.text.reserve(1024);
    out.text += '{';
    bool first = true;
    for (const auto& member : object) {
        if (!first) {
            out.text += ',';
        }
        first = false;
        appendJson(out.text, json::string(member.key()));
        out.text += ':';
        appendJson(out.text, member.value());
        if (member.key() == "metadata" && member.value().is_object()) {
            out.metadataEnd = out.text.size() - 1;
        }
    }
    out.text += '}';
    return out;
}

json::object withRevision(json::object object, int64_t revision) {
    metadataOf(object)["resourceVersion"] = std::to_string(revision);
    return object;
}

std::string typeErrorsMessage(const kube::FieldErrors& errors) {
    std::string out;
    for (const kube::FieldError& e : errors) {
        if (!out.empty()) {
            out += ", ";
        }
        out += e.field.empty() ? e.message : e.field + ": " + e.message;
    }
    return out;
}

} // namespace

json::object parseObject(const watchcache::CachedObject& object) {
    return kube::parseJsonText(object.json.str()).as_object();
}

ResourceService::ResourceService(store::Store& store, watchcache::WatchCache& cache,
                                 std::shared_ptr<kube::TypeRegistry> types, const Clock& clock)
    : m_store(store), m_cache(cache), m_types(std::move(types)), m_clock(clock) {}

std::string ResourceService::keyFor(const kube::ResourceType& type, const std::string& ns,
                                    const std::string& name) const {
    if (type.namespaced) {
        return type.storagePrefix + "/" + ns + "/" + name;
    }
    return type.storagePrefix + "/" + name;
}

std::shared_ptr<watchcache::ResourceCache>
ResourceService::cacheFor(const kube::ResourceType& type) const {
    return m_cache.resource(type.storagePrefix);
}

ApiResult<watchcache::ObjectPtr> ResourceService::get(const kube::ResourceType& type,
                                                      const std::string& ns,
                                                      const std::string& name) const {
    watchcache::ObjectPtr object = cacheFor(type)->get(keyFor(type, ns, name));
    if (!object) {
        return apiFail(notFound(type.plural, type.gvk.group, name));
    }
    return object;
}

ApiResult<void> ResourceService::checkNamespace(const kube::ResourceType& type,
                                                const std::string& ns) const {
    if (!type.namespaced) {
        return {};
    }
    auto nsType = m_types->byResource("", "v1", "namespaces");
    if (!nsType) {
        return {};
    }
    watchcache::ObjectPtr nsObject = cacheFor(*nsType)->get(keyFor(*nsType, "", ns));
    if (!nsObject) {
        return apiFail(notFound("namespaces", "", ns));
    }
    // Every create checks its namespace: skip parsing the common, active case.
    if (std::string text = nsObject->json.str();
        text.find("\"deletionTimestamp\"") == std::string::npos &&
        text.find("\"Terminating\"") == std::string::npos) {
        return {};
    }
    json::object parsed = parseObject(*nsObject);
    if (stringAt(objectAt(parsed, "status"), "phase") == "Terminating" ||
        kube::hasDeletionTimestamp(parsed)) {
        ApiError e = forbidden(fmt::format(
            "unable to create new content in namespace {} because it is being terminated", ns));
        e.name = ns;
        e.kind = "namespaces";
        e.causes.push_back({"NamespaceTerminating", "metadata.namespace",
                            fmt::format("namespace {} is being terminated", ns)});
        return apiFail(e);
    }
    return {};
}

ApiResult<void> ResourceService::admit(const kube::ResourceType& type, json::object& object,
                                       const json::object* old, const WriteOptions& options,
                                       bool generatedName) const {
    std::string name = stringAt(objectAt(object, "metadata"), "name");
    if (type.schema) {
        // Type errors are refused whatever fieldValidation says (the real server fails to
        // decode them); only the handling of unknown fields depends on it.
        kube::FieldErrors unknown;
        kube::FieldErrors typeErrors;
        kube::checkAgainstSchema(*type.schema, object, unknown, typeErrors,
                                 type.custom ? kube::SchemaFlavor::Custom
                                             : kube::SchemaFlavor::BuiltIn);
        if (!typeErrors.empty()) {
            if (type.custom) {
                return apiFail(invalid(type.gvk.kind, type.gvk.group, name, typeErrors));
            }
            return apiFail(badRequest(
                fmt::format("{} in version \"{}\" cannot be handled as a {}: {}", type.gvk.kind,
                            type.gvk.version, type.gvk.kind, typeErrorsMessage(typeErrors))));
        }
        if (!unknown.empty() && options.validation != FieldValidation::Ignore) {
            if (options.validation == FieldValidation::Strict) {
                std::string fields;
                for (const kube::FieldError& e : unknown) {
                    if (!fields.empty()) {
                        fields += ", ";
                    }
                    fields += fmt::format("unknown field \"{}\"", e.field);
                }
                return apiFail(badRequest(fmt::format("strict decoding error: {}", fields)));
            }
            if (options.warnings) {
                for (const kube::FieldError& e : unknown) {
                    options.warnings->push_back(fmt::format("unknown field \"{}\"", e.field));
                }
            }
        }
    }
    if (type.custom && type.schema) {
        kube::pruneUnknownFields(*type.schema, object);
    }
    if (!type.custom) {
        if (type.schema) {
            kube::dropEmptyOptionalFields(*type.schema, object);
        }
        admission::applyDefaults(type, object);
        for (const auto& hook : m_hooks) {
            if (hook->appliesTo(type)) {
                if (auto status = hook->admit(type, object, old); !status) {
                    return status;
                }
            }
        }
        kube::FieldErrors errors = admission::validate(type, object, old);
        if (!errors.empty()) {
            return apiFail(invalid(type.gvk.kind, type.gvk.group, name, std::move(errors)));
        }
    }
    AdmissionAttributes attributes;
    attributes.subresource = options.part == Part::Status ? "status" : options.subresource;
    attributes.dryRun = options.dryRun;
    attributes.generatedName = generatedName;
    for (const auto& hook : m_hooks) {
        if (hook->appliesTo(type)) {
            if (auto status = hook->validate(type, object, old, attributes); !status) {
                return status;
            }
        }
    }
    return {};
}

kube::ResourceTypePtr ResourceService::storageTypeFor(const kube::ResourceType& type) const {
    if (type.storageVersion) {
        return nullptr;
    }
    for (const kube::ResourceTypePtr& candidate : m_types->all()) {
        if (candidate->storageVersion && candidate->storagePrefix == type.storagePrefix) {
            return candidate;
        }
    }
    return nullptr;
}

json::object ResourceService::toStorage(const kube::ResourceType& served,
                                        const kube::ResourceType& storage, json::object object) {
    // A body naming another version than the endpoint is refused by the storage version's
    // checks; only the endpoint's own version is converted.
    std::string bodyVersion = stringAt(object, "apiVersion");
    if (!bodyVersion.empty() && bodyVersion != served.gvk.apiVersion()) {
        return object;
    }
    object["apiVersion"] = served.gvk.apiVersion();
    if (!object.contains("kind")) {
        object["kind"] = served.gvk.kind;
    }
    return kube::convertObject(std::move(object), storage.gvk.apiVersion());
}

const std::string& servedJson(const kube::ResourceType& type,
                              const watchcache::CachedObject& object, std::string& scratch) {
    scratch.clear();
    appendServedJson(type, object, scratch);
    return scratch;
}

void appendServedJson(const kube::ResourceType& type, const watchcache::CachedObject& object,
                      std::string& out) {
    if (type.storageVersion) {
        object.json.appendTo(out);
        return;
    }
    out += json::serialize(kube::convertObject(parseObject(object), type.gvk.apiVersion()));
}

void ResourceService::trackManagedFields(const kube::ResourceType& type, json::object& object,
                                         const json::object* old,
                                         const WriteOptions& options) const {
    if (options.managedFieldsSet || options.fieldManager.empty()) {
        return;
    }
    kube::fieldmanager::WriteContext context;
    context.manager = options.fieldManager;
    context.apiVersion = type.gvk.apiVersion();
    context.subresource = options.part == Part::Status ? "status" : options.subresource;
    context.now = m_clock.now();
    context.type = type.schema;
    context.statusSubresource = type.hasStatusSubresource;
    json::value oldValue = old ? json::value(*old) : json::value();
    json::value updated = kube::fieldmanager::update(old ? &oldValue : nullptr,
                                                     json::value(std::move(object)), context);
    object = std::move(updated.as_object());
}

ApiResult<json::object> ResourceService::create(const kube::ResourceType& type,
                                                const std::string& ns, json::object object,
                                                const WriteOptions& options) {
    if (auto storage = storageTypeFor(type)) {
        auto result = create(*storage, ns, toStorage(type, *storage, std::move(object)), options);
        return result ? ApiResult<json::object>(
                            kube::convertObject(std::move(*result), type.gvk.apiVersion()))
                      : result;
    }
    auto generated = initCreate(type, ns, object);
    if (!generated) {
        return std::unexpected(generated.error());
    }
    for (int attempt = 0; attempt < 8; ++attempt) {
        if (*generated) {
            json::object& meta = metadataOf(object);
            meta["name"] = stringAt(&meta, "generateName") + randomNameSuffix(5);
        }
        // Only a generated name is retried with the original; otherwise the body moves.
        auto prepared =
            admitCreate(type, ns, *generated ? object : std::move(object), options, *generated);
        if (!prepared) {
            return std::unexpected(prepared.error());
        }
        if (options.dryRun) {
            if (cacheFor(type)->get(prepared->key)) {
                return apiFail(alreadyExists(type.plural, type.gvk.group, prepared->name));
            }
            return std::move(prepared->object);
        }
        auto written = m_store.write(
            store::Write{store::Write::Op::Create, prepared->key, storedForm(prepared->object), 0});
        if (written) {
            return withRevision(std::move(prepared->object), written->revision);
        }
        if (written.error().code == ErrorCode::AlreadyExists && *generated) {
            continue;
        }
        return apiFail(fromError(written.error(), type.plural, type.gvk.group, prepared->name));
    }
    return apiFail(internalError("could not generate a unique name"));
}

bool ResourceService::generatesName(const json::object& object) {
    const json::object* metadata = objectAt(object, "metadata");
    return stringAt(metadata, "name").empty() && !stringAt(metadata, "generateName").empty();
}

ApiResult<PreparedCreate> ResourceService::prepareCreate(const kube::ResourceType& type,
                                                         const std::string& ns, json::object object,
                                                         const WriteOptions& options) {
    if (options.dryRun) {
        return apiFail(internalError("a dry run is created with create()"));
    }
    kube::ResourceTypePtr storage = storageTypeFor(type);
    if (storage) {
        object = toStorage(type, *storage, std::move(object));
    }
    const kube::ResourceType& stored = storage ? *storage : type;
    auto generated = initCreate(stored, ns, object);
    if (!generated) {
        return std::unexpected(generated.error());
    }
    if (*generated) {
        json::object& meta = metadataOf(object);
        meta["name"] = stringAt(&meta, "generateName") + randomNameSuffix(5);
    }
    auto prepared = admitCreate(stored, ns, std::move(object), options, *generated);
    if (prepared && storage) {
        prepared->servedApiVersion = type.gvk.apiVersion();
    }
    return prepared;
}

bool ResourceService::createWritesOnAdmission(const kube::ResourceType& type,
                                              const std::string& ns) const {
    return std::ranges::any_of(m_hooks, [&](const std::shared_ptr<AdmissionHook>& hook) {
        return hook->appliesTo(type) && hook->writesOnAdmission(type, ns);
    });
}

void ResourceService::commitCreate(PreparedCreate prepared,
                                   std::function<void(ApiResult<std::string>)> done) {
    struct InFlight {
        ObjectText stored;
        std::string plural, group, name;
        std::optional<json::object> object; // kept only when the result needs converting
        std::string servedApiVersion;
    };
    // std::function needs a copyable target: the state travels in a shared_ptr.
    auto state = std::make_shared<InFlight>();
    state->stored = serializeNotingMetadata(prepared.object);
    state->plural = std::move(prepared.plural);
    state->group = std::move(prepared.group);
    state->name = std::move(prepared.name);
    state->servedApiVersion = std::move(prepared.servedApiVersion);
    store::Write write{store::Write::Op::Create, std::move(prepared.key), state->stored.text, 0};
    if (state->stored.metadataEnd != std::string::npos) {
        // The watch cache's form of the object, worked out here rather than on the store's
        // writer thread.
        write.attachment = m_cache.prepare(write.key, prepared.object, state->stored.text,
                                           state->stored.metadataEnd);
    }
    if (!state->servedApiVersion.empty() || state->stored.metadataEnd == std::string::npos) {
        state->object = std::move(prepared.object);
    }
    prepared.object = {}; // freed here, on the thread that built it
    m_store.writeAsync(
        std::move(write), [state, done = std::move(done)](Result<store::WriteResult> written) {
            if (!written) {
                done(apiFail(fromError(written.error(), state->plural, state->group, state->name)));
                return;
            }
            if (!state->object) {
                done(watchcache::withResourceVersion(state->stored.text, state->stored.metadataEnd,
                                                     written->revision));
                return;
            }
            json::object object = withRevision(std::move(*state->object), written->revision);
            if (!state->servedApiVersion.empty()) {
                object = kube::convertObject(std::move(object), state->servedApiVersion);
            }
            done(json::serialize(object));
        });
}

ApiResult<bool> ResourceService::initCreate(const kube::ResourceType& type, const std::string& ns,
                                            json::object& object) const {
    // apiVersion/kind must match the endpoint when given.
    std::string apiVersion = object.contains("apiVersion") && object["apiVersion"].is_string()
                                 ? std::string(object["apiVersion"].get_string())
                                 : type.gvk.apiVersion();
    if (apiVersion != type.gvk.apiVersion()) {
        return apiFail(badRequest(fmt::format(
            "the API version in the data ({}) does not match the expected API version ({})",
            apiVersion, type.gvk.apiVersion())));
    }
    object["apiVersion"] = type.gvk.apiVersion();
    object["kind"] = type.gvk.kind;
    // Taken after the top-level inserts above: an insert may move the object's values.
    json::object& metadata = metadataOf(object);
    if (type.namespaced) {
        std::string bodyNs = stringAt(&metadata, "namespace");
        if (!bodyNs.empty() && bodyNs != ns) {
            return apiFail(badRequest("the namespace of the provided object does not match the "
                                      "namespace sent on the request"));
        }
        metadata["namespace"] = ns;
    } else {
        metadata.erase("namespace");
    }
    if (!stringAt(&metadata, "resourceVersion").empty()) {
        return apiFail(internalError("resourceVersion should not be set on objects to be created"));
    }
    if (auto status = checkNamespace(type, ns); !status) {
        return std::unexpected(status.error());
    }
    bool generated =
        stringAt(&metadata, "name").empty() && !stringAt(&metadata, "generateName").empty();

    metadata["uid"] = newUuid();
    metadata["creationTimestamp"] = formatTime(m_clock.now());
    metadata.erase("deletionTimestamp");
    metadata.erase("deletionGracePeriodSeconds");
    metadata.erase("selfLink");
    if (type.tracksGeneration || type.custom) {
        metadata["generation"] = 1;
    } else {
        metadata.erase("generation");
    }
    // Status comes through its subresource, unless the kind keeps it on create (Nodes).
    if (type.hasStatusSubresource && !type.statusOnCreate) {
        object.erase("status");
    }
    if (type.gvk.kind == "Pod" && type.gvk.group.empty()) {
        object["status"] = json::object{{"phase", "Pending"}};
    }
    return generated;
}

ApiResult<PreparedCreate> ResourceService::admitCreate(const kube::ResourceType& type,
                                                       const std::string& ns,
                                                       json::object candidate,
                                                       const WriteOptions& options,
                                                       bool generated) const {
    if (auto status = admit(type, candidate, nullptr, options, generated); !status) {
        return std::unexpected(status.error());
    }
    trackManagedFields(type, candidate, nullptr, options);
    if (auto counted = applyChangeCounters(type, candidate, nullptr); !counted) {
        return std::unexpected(counted.error());
    }
    PreparedCreate prepared;
    prepared.name = stringAt(objectAt(candidate, "metadata"), "name");
    prepared.key = keyFor(type, ns, prepared.name);
    prepared.plural = type.plural;
    prepared.group = type.gvk.group;
    prepared.object = std::move(candidate);
    return prepared;
}

ApiResult<json::object> ResourceService::prepareUpdate(const kube::ResourceType& type,
                                                       const json::object& old,
                                                       json::object updated,
                                                       const WriteOptions& options) const {
    const json::object* oldMeta = objectAt(old, "metadata");
    json::object result;
    if (options.part == Part::Status) {
        // As upstream's status strategies: a status write keeps the spec (every top-level
        // member but status and metadata) of the stored object; metadata changes such as the
        // Deployment controller's revision annotation go through, except the fields the type
        // lists in statusWriteKeeps (Deployment labels, Pod ownerReferences).
        result = old;
        if (const json::value* s = updated.if_contains("status")) {
            result["status"] = *s;
        } else {
            result.erase("status");
        }
        if (const json::value* m = updated.if_contains("metadata"); m && m->is_object()) {
            json::object meta = m->get_object();
            auto keepOld = [&](std::string_view key) {
                if (const json::value* v = oldMeta ? oldMeta->if_contains(key) : nullptr) {
                    meta[key] = *v;
                } else {
                    meta.erase(key);
                }
            };
            for (const std::string& key : type.statusWriteKeeps) {
                keepOld(key);
            }
            result["metadata"] = std::move(meta);
        }
    } else {
        result = std::move(updated);
        if (type.hasStatusSubresource) {
            if (const json::value* s = old.if_contains("status")) {
                result["status"] = *s;
            } else {
                result.erase("status");
            }
        }
    }
    result["apiVersion"] = type.gvk.apiVersion();
    result["kind"] = type.gvk.kind;
    json::object& meta = metadataOf(result);
    // Fields the server owns.
    for (std::string_view key : {"uid", "creationTimestamp", "namespace", "deletionTimestamp",
                                 "deletionGracePeriodSeconds", "generation"}) {
        if (const json::value* v = oldMeta->if_contains(key)) {
            meta[key] = *v;
        } else {
            meta.erase(key);
        }
    }
    meta.erase("selfLink");
    if (oldMeta->contains("deletionTimestamp")) {
        // No new finalizers once deletion started.
        const json::value* before = oldMeta->if_contains("finalizers");
        const json::value* after = meta.if_contains("finalizers");
        if (after && after->is_array()) {
            for (const json::value& f : after->get_array()) {
                bool existed = false;
                if (before && before->is_array()) {
                    for (const json::value& b : before->get_array()) {
                        existed = existed || b == f;
                    }
                }
                if (!existed) {
                    return apiFail(invalid(
                        type.gvk.kind, type.gvk.group, stringAt(oldMeta, "name"),
                        {{"FieldValueForbidden", "metadata.finalizers",
                          fmt::format("Forbidden: no new finalizers can be added if the object "
                                      "is being deleted, found new finalizers []string{{{}}}",
                                      json::serialize(f))}}));
                }
            }
        }
    }
    if ((type.tracksGeneration || type.custom) && options.part == Part::Main) {
        const json::value* oldSpec = old.if_contains("spec");
        const json::value* newSpec = result.if_contains("spec");
        bool specChanged = (oldSpec == nullptr) != (newSpec == nullptr) ||
                           (oldSpec && newSpec && *oldSpec != *newSpec);
        if (type.gvk.kind == "Deployment") {
            const json::value* oldAnn = oldMeta->if_contains("annotations");
            const json::value* newAnn = meta.if_contains("annotations");
            bool annChanged = (oldAnn == nullptr) != (newAnn == nullptr) ||
                              (oldAnn && newAnn && *oldAnn != *newAnn);
            specChanged = specChanged || annChanged;
        }
        if (specChanged) {
            const json::value* g = oldMeta->if_contains("generation");
            int64_t generation = g && g->is_int64() ? g->get_int64() : 0;
            meta["generation"] = generation + 1;
        }
    }
    return result;
}

ApiResult<json::object> ResourceService::commitRemoval(const kube::ResourceType& type,
                                                       const watchcache::CachedObject& current,
                                                       bool dryRun) {
    json::object last = parseObject(current);
    if (dryRun) {
        return last;
    }
    auto written =
        m_store.write(store::Write{store::Write::Op::Delete, current.key, {}, current.modRevision});
    if (!written) {
        return apiFail(fromError(written.error(), type.plural, type.gvk.group, current.name));
    }
    return withRevision(std::move(last), written->revision);
}

namespace {

/// A namespace stays until the namespace controller has emptied it and cleared `spec.finalizers`.
bool hasNamespaceFinalizers(const kube::ResourceType& type, const json::object& object) {
    if (type.gvk.kind != "Namespace" || !type.gvk.group.empty()) {
        return false;
    }
    const json::object* spec = objectAt(object, "spec");
    const json::value* fins = spec ? spec->if_contains("finalizers") : nullptr;
    return fins && fins->is_array() && !fins->get_array().empty();
}

} // namespace

ApiResult<json::object> ResourceService::commitUpdate(const kube::ResourceType& type,
                                                      const watchcache::CachedObject& current,
                                                      json::object object,
                                                      const WriteOptions& options) {
    const json::object* meta = objectAt(object, "metadata");
    if (meta && meta->contains("deletionTimestamp") && !hasFinalizers(*meta) &&
        !hasNamespaceFinalizers(type, object)) {
        // The last finalizer is gone: the object goes away now.
        // A bound pod waits for its node agent's final delete (grace 0), unless that already
        // came while finalizers held it.
        const json::value* grace = meta->if_contains("deletionGracePeriodSeconds");
        bool podWaitingForGrace = type.gvk.kind == "Pod" && type.gvk.group.empty() &&
                                  !stringAt(objectAt(object, "spec"), "nodeName").empty() &&
                                  !(grace && grace->is_int64() && grace->get_int64() == 0);
        if (!podWaitingForGrace) {
            return commitRemoval(type, current, options.dryRun);
        }
    }
    std::string value = storedForm(object);
    if (value == storedForm(parseObject(current))) {
        // Nothing changed: no write, no event, same resourceVersion.
        return withRevision(std::move(object), current.modRevision);
    }
    if (options.dryRun) {
        return withRevision(std::move(object), current.modRevision);
    }
    auto written = m_store.write(
        store::Write{store::Write::Op::Update, current.key, std::move(value), current.modRevision});
    if (!written) {
        return apiFail(fromError(written.error(), type.plural, type.gvk.group, current.name));
    }
    return withRevision(std::move(object), written->revision);
}

ApiResult<json::object> ResourceService::update(const kube::ResourceType& type,
                                                const std::string& ns, const std::string& name,
                                                json::object object, const WriteOptions& options) {
    if (auto storage = storageTypeFor(type)) {
        auto result =
            update(*storage, ns, name, toStorage(type, *storage, std::move(object)), options);
        return result ? ApiResult<json::object>(
                            kube::convertObject(std::move(*result), type.gvk.apiVersion()))
                      : result;
    }
    const json::object* meta = objectAt(object, "metadata");
    std::string bodyName = stringAt(meta, "name");
    if (!bodyName.empty() && bodyName != name) {
        return apiFail(badRequest(
            fmt::format("the name of the object ({}) does not match the name on the URL ({})",
                        bodyName, name)));
    }
    if (type.namespaced) {
        std::string bodyNs = stringAt(meta, "namespace");
        if (!bodyNs.empty() && bodyNs != ns) {
            return apiFail(badRequest("the namespace of the provided object does not match the "
                                      "namespace sent on the request"));
        }
    }
    std::string expectedRv = stringAt(meta, "resourceVersion");
    Mutator mutate = [&](const json::object& current) -> ApiResult<json::object> {
        std::string currentRv = stringAt(objectAt(current, "metadata"), "resourceVersion");
        if (!expectedRv.empty() && expectedRv != currentRv) {
            return apiFail(conflict(type.plural, type.gvk.group, name,
                                    "the object has been modified; please apply your changes "
                                    "to the latest version and try again"));
        }
        json::object updated = object;
        metadataOf(updated)["name"] = name;
        return updated;
    };
    return guaranteedUpdate(type, ns, name, mutate, options);
}

ApiResult<json::object>
ResourceService::guaranteedUpdate(const kube::ResourceType& type, const std::string& ns,
                                  const std::string& name, const Mutator& mutate,
                                  const WriteOptions& options, bool create, bool* created) {
    if (auto storage = storageTypeFor(type)) {
        // The mutator sees and returns the requested version; the store keeps the storage one.
        std::string served = type.gvk.apiVersion();
        Mutator converted = [&](const json::object& current) -> ApiResult<json::object> {
            auto desired = mutate(current.empty() ? current : kube::convertObject(current, served));
            return desired ? ApiResult<json::object>(toStorage(type, *storage, std::move(*desired)))
                           : desired;
        };
        auto result = guaranteedUpdate(*storage, ns, name, converted, options, create, created);
        return result ? ApiResult<json::object>(kube::convertObject(std::move(*result), served))
                      : result;
    }
    std::string key = keyFor(type, ns, name);
    for (int attempt = 0; attempt < MaxUpdateAttempts; ++attempt) {
        watchcache::ObjectPtr current = cacheFor(type)->get(key);
        if (!current) {
            if (!create) {
                return apiFail(notFound(type.plural, type.gvk.group, name));
            }
            auto desired = mutate(json::object());
            if (!desired) {
                return desired;
            }
            metadataOf(*desired)["name"] = name;
            auto result = this->create(type, ns, std::move(*desired), options);
            if (!result && result.error().reason == "AlreadyExists") {
                continue;
            }
            if (created) {
                *created = result.has_value();
            }
            return result;
        }
        json::object currentObject = parseObject(*current);
        auto desired = mutate(currentObject);
        if (!desired) {
            return desired;
        }
        auto prepared = prepareUpdate(type, currentObject, std::move(*desired), options);
        if (!prepared) {
            return prepared;
        }
        if (auto status = admit(type, *prepared, &currentObject, options); !status) {
            return std::unexpected(status.error());
        }
        trackManagedFields(type, *prepared, &currentObject, options);
        if (auto counted = applyChangeCounters(type, *prepared, &currentObject); !counted) {
            return std::unexpected(counted.error());
        }
        auto result = commitUpdate(type, *current, std::move(*prepared), options);
        if (!result && result.error().reason == "Conflict" && result.error().causes.empty()) {
            continue; // a concurrent write won; re-read and re-apply
        }
        return result;
    }
    return apiFail(conflict(type.plural, type.gvk.group, name,
                            "the object has been modified; please apply your changes to the "
                            "latest version and try again"));
}

ApiResult<DeleteOutcome> ResourceService::remove(const kube::ResourceType& type,
                                                 const std::string& ns, const std::string& name,
                                                 const DeleteOptions& options) {
    if (auto storage = storageTypeFor(type)) {
        auto outcome = remove(*storage, ns, name, options);
        if (outcome) {
            outcome->object =
                kube::convertObject(std::move(outcome->object), type.gvk.apiVersion());
        }
        return outcome;
    }
    std::string key = keyFor(type, ns, name);
    for (int attempt = 0; attempt < MaxUpdateAttempts; ++attempt) {
        watchcache::ObjectPtr current = cacheFor(type)->get(key);
        if (!current) {
            return apiFail(notFound(type.plural, type.gvk.group, name));
        }
        if (!options.preconditionUid.empty() && options.preconditionUid != current->uid) {
            return apiFail(conflict(
                type.plural, type.gvk.group, name,
                fmt::format("the UID in the precondition ({}) does not match the UID in record "
                            "({}). The object might have been deleted and then recreated",
                            options.preconditionUid, current->uid)));
        }
        if (!options.preconditionResourceVersion.empty() &&
            options.preconditionResourceVersion != std::to_string(current->modRevision)) {
            return apiFail(conflict(
                type.plural, type.gvk.group, name,
                fmt::format("the ResourceVersion in the precondition ({}) does not match the "
                            "ResourceVersion in record ({}). The object might have been "
                            "modified",
                            options.preconditionResourceVersion, current->modRevision)));
        }
        json::object object = parseObject(*current);
        json::object& meta = metadataOf(object);
        bool isPod = type.gvk.kind == "Pod" && type.gvk.group.empty();
        bool isNamespace = type.gvk.kind == "Namespace" && type.gvk.group.empty();
        bool deleting = meta.contains("deletionTimestamp");
        bool changed = false;

        std::string policy = options.propagationPolicy;
        if (policy == "Orphan") {
            addFinalizer(meta, "orphan");
            changed = true;
        } else if (policy == "Foreground") {
            addFinalizer(meta, "foregroundDeletion");
            changed = true;
        }
        if (isNamespace) {
            json::object& status = object["status"].is_object() ? object["status"].as_object()
                                                                : object["status"].emplace_object();
            if (stringAt(&status, "phase") != "Terminating") {
                status["phase"] = "Terminating";
                changed = true;
            }
            // The namespace controller empties it, then finalizes (spec.finalizers).
            if (hasNamespaceFinalizers(type, object) || hasFinalizers(meta)) {
                if (!deleting) {
                    meta["deletionTimestamp"] = formatTime(m_clock.now());
                    meta["deletionGracePeriodSeconds"] = 0;
                    changed = true;
                }
                if (!changed) {
                    return DeleteOutcome{std::move(object), false};
                }
                WriteOptions write;
                write.dryRun = options.dryRun;
                auto result = commitUpdate(type, *current, std::move(object), write);
                if (!result && result.error().reason == "Conflict") {
                    continue;
                }
                if (!result) {
                    return std::unexpected(result.error());
                }
                return DeleteOutcome{std::move(*result), false};
            }
        }
        int64_t grace = 0;
        if (isPod && !stringAt(objectAt(object, "spec"), "nodeName").empty()) {
            const json::object* spec = objectAt(object, "spec");
            const json::value* tg =
                spec ? spec->if_contains("terminationGracePeriodSeconds") : nullptr;
            grace = tg && tg->is_int64() ? tg->get_int64() : 30;
            if (options.gracePeriodSeconds) {
                grace = *options.gracePeriodSeconds;
            }
            if (const json::value* existing = meta.if_contains("deletionGracePeriodSeconds");
                deleting && existing && existing->is_int64() && existing->get_int64() < grace) {
                grace = existing->get_int64();
            }
        }
        if (grace > 0 || hasFinalizers(meta)) {
            const json::value* oldGraceValue = meta.if_contains("deletionGracePeriodSeconds");
            int64_t oldGrace =
                oldGraceValue && oldGraceValue->is_int64() ? oldGraceValue->get_int64() : 0;
            if (!deleting) {
                meta["deletionTimestamp"] = formatTime(m_clock.now() + std::chrono::seconds(grace));
                meta["deletionGracePeriodSeconds"] = grace;
                changed = true;
            } else if (grace < oldGrace) {
                // A shorter grace period counts from the first delete, as upstream's
                // BeforeDelete: old deletionTimestamp - old grace + new grace.
                auto since = parseTime(stringAt(&meta, "deletionTimestamp"));
                TimePoint start = since ? *since - std::chrono::seconds(oldGrace) : m_clock.now();
                meta["deletionTimestamp"] = formatTime(start + std::chrono::seconds(grace));
                meta["deletionGracePeriodSeconds"] = grace;
                changed = true;
            }
            if (!changed) {
                return DeleteOutcome{std::move(object), false};
            }
            WriteOptions write;
            write.dryRun = options.dryRun;
            // Write directly: prepareUpdate would restore the old deletion fields.
            if (options.dryRun) {
                return DeleteOutcome{std::move(object), false};
            }
            auto written = m_store.write(store::Write{store::Write::Op::Update, key,
                                                      storedForm(object), current->modRevision});
            if (!written) {
                if (written.error().code == ErrorCode::Conflict) {
                    continue;
                }
                return apiFail(fromError(written.error(), type.plural, type.gvk.group, name));
            }
            return DeleteOutcome{withRevision(std::move(object), written->revision), false};
        }
        auto removed = commitRemoval(type, *current, options.dryRun);
        if (!removed) {
            if (removed.error().reason == "Conflict") {
                continue;
            }
            return std::unexpected(removed.error());
        }
        return DeleteOutcome{std::move(*removed), true};
    }
    return apiFail(conflict(type.plural, type.gvk.group, name,
                            "the object has been modified; please apply your changes to the "
                            "latest version and try again"));
}

} // namespace pilot::apiserver
