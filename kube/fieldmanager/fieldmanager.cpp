#include "kube/fieldmanager/fieldmanager.h"

#include "kube/gojson.h"

#include "kube/fieldmanager/createdfields.h"
#include "kube/fieldmanager/merge.h"
#include "kube/jsonutil.h"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

namespace pilot::kube::fieldmanager {

namespace json = boost::json;

namespace {

constexpr std::string_view BeforeFirstApply = "before-first-apply";
constexpr std::string_view AncientChanges = "ancient-changes";
constexpr size_t MaxUpdateManagers = 10;
constexpr std::string_view KubectlManager = "kubectl";
constexpr std::string_view LastAppliedAnnotation =
    "kubectl.kubernetes.io/last-applied-configuration";
constexpr size_t MaxAnnotationsSize = 256 * 1024; // upstream TotalAnnotationSizeLimitB

using Entries = std::vector<ManagedFieldsEntry>;

PathElement field(std::string_view name) {
    return PathElement::ofField(std::string(name));
}

/// Paths no manager owns: the type meta and the metadata the server maintains (upstream
/// stripMetaManager, plus the deletion marks). Removed path by path, so `metadata` itself goes
/// but `metadata.labels` stays.
const FieldSet& strippedFields() {
    static const FieldSet Set = [] {
        FieldSet s;
        for (std::string_view name : StrippedRootFields) {
            s.insert({field(name)});
        }
        for (std::string_view name : StrippedMetadataFields) {
            s.insert({field("metadata"), field(name)});
        }
        return s;
    }();
    return Set;
}

/// Subtrees a write through this endpoint never owns (upstream reset fields).
FieldSet resetFields(const WriteContext& context) {
    FieldSet s;
    if (!context.statusSubresource) {
        return s;
    }
    if (context.subresource.empty()) {
        s.insert({field("status")});
    } else if (context.subresource == "status") {
        s.insert({field("spec")});
    }
    return s;
}

/// The top-level member whose subtree resetFields() holds; empty when none.
std::string_view resetRoot(const WriteContext& context) {
    if (!context.statusSubresource) {
        return {};
    }
    if (context.subresource.empty()) {
        return "status";
    }
    return context.subresource == "status" ? "spec" : "";
}

const json::value* managedFieldsOf(const json::value& obj) {
    if (!obj.is_object()) {
        return nullptr;
    }
    const json::object* meta = objectAt(obj.get_object(), "metadata");
    return meta != nullptr ? meta->if_contains("managedFields") : nullptr;
}

json::value withoutManagedFields(json::value obj) {
    if (obj.is_object()) {
        if (json::object* meta = mutableObject(obj.get_object(), "metadata")) {
            meta->erase("managedFields");
        }
    }
    return obj;
}

json::value withManagedFields(json::value obj, const Entries& entries) {
    if (!obj.is_object()) {
        return obj;
    }
    json::object* meta = ensureObject(obj.get_object(), "metadata");
    if (meta == nullptr) {
        return obj;
    }
    if (entries.empty()) {
        meta->erase("managedFields");
    } else {
        (*meta)["managedFields"] = encodeManagedFields(entries);
    }
    return obj;
}

Entries decodeOrEmpty(const json::value* managedFields) {
    if (managedFields == nullptr) {
        return {};
    }
    auto decoded = decodeManagedFields(*managedFields);
    return decoded ? std::move(*decoded) : Entries();
}

ManagedFieldsEntry* find(Entries& entries, const ManagedFieldsEntry& key) {
    auto it = std::find_if(entries.begin(), entries.end(),
                           [&](const ManagedFieldsEntry& e) { return e.sameManager(key); });
    return it != entries.end() ? &*it : nullptr;
}

void dropEmpty(Entries& entries) {
    std::erase_if(entries, [](const ManagedFieldsEntry& e) { return e.fields.empty(); });
}

int64_t unixSeconds(const std::string& time) {
    if (time.empty()) {
        return 0;
    }
    auto parsed = parseTime(time);
    return parsed ? std::chrono::duration_cast<std::chrono::seconds>(parsed->time_since_epoch())
                        .count()
                  : 0;
}

/// Upstream capManagersManager: past ten Update entries, the oldest are merged per apiVersion
/// into an "ancient-changes" entry that carries the time of the newest update merged into it.
void capUpdateManagers(Entries& entries) {
    std::vector<std::string> updaters;
    for (const ManagedFieldsEntry& e : entries) {
        if (e.operation == OperationUpdate) {
            updaters.push_back(managerIdentifier(e));
        }
    }
    if (updaters.size() <= MaxUpdateManagers) {
        return;
    }
    const auto byId = [&](const std::string& id) -> ManagedFieldsEntry* {
        auto it = std::find_if(entries.begin(), entries.end(), [&](const ManagedFieldsEntry& e) {
            return managerIdentifier(e) == id;
        });
        return it != entries.end() ? &*it : nullptr;
    };
    std::vector<std::pair<int64_t, std::string>> order;
    for (const std::string& id : updaters) {
        order.emplace_back(unixSeconds(byId(id)->time), id);
    }
    std::sort(order.begin(), order.end());
    std::map<std::string, std::string> firstOfVersion;
    size_t length = order.size();
    for (size_t i = 0; i < order.size() && length > MaxUpdateManagers; ++i) {
        const ManagedFieldsEntry current = *byId(order[i].second);
        ManagedFieldsEntry bucketKey{std::string(AncientChanges),
                                     std::string(OperationUpdate),
                                     current.apiVersion,
                                     "",
                                     "",
                                     FieldSet()};
        auto first = firstOfVersion.find(current.apiVersion);
        if (first == firstOfVersion.end()) {
            firstOfVersion.emplace(current.apiVersion, order[i].second);
            continue;
        }
        if (find(entries, bucketKey) == nullptr) {
            ManagedFieldsEntry* firstEntry = byId(first->second);
            firstEntry->manager = bucketKey.manager;
            firstEntry->subresource.clear();
        }
        ManagedFieldsEntry* bucket = find(entries, bucketKey);
        bucket->fields = bucket->fields.unionWith(current.fields);
        bucket->time = current.time;
        const std::string currentId = order[i].second;
        std::erase_if(entries, [&](const ManagedFieldsEntry& e) {
            return &e != bucket && managerIdentifier(e) == currentId;
        });
        --length;
    }
}

/// Attributes an ordinary write to `manager` (upstream Updater.Update plus the
/// managedFieldsUpdater): changed and added fields leave every entry and join the manager's,
/// removed fields leave every entry.
void recordUpdate(Entries& entries, const json::value* oldObj, const json::value& newObj,
                  const WriteContext& context, std::string_view manager,
                  std::string_view operation) {
    Comparison changes = compareObjects(oldObj, newObj, context.type).without(resetFields(context));
    // A create (nothing modified, nothing removed, no entries yet) skips the set algebra.
    FieldSet changed = changes.modified.empty() ? std::move(changes.added)
                                                : changes.modified.unionWith(changes.added);
    for (ManagedFieldsEntry& e : entries) {
        e.fields = e.fields.difference(changed);
        if (!changes.removed.empty()) {
            e.fields = e.fields.difference(changes.removed);
        }
    }
    FieldSet mine = changed.difference(strippedFields());
    if (!mine.empty()) {
        const ManagedFieldsEntry key{std::string(manager),
                                     std::string(operation),
                                     context.apiVersion,
                                     context.subresource,
                                     "",
                                     FieldSet()};
        ManagedFieldsEntry* entry = find(entries, key);
        if (entry == nullptr) {
            entries.push_back(key);
            entry = &entries.back();
        }
        entry->apiVersion = context.apiVersion;
        entry->fields = entry->fields.empty() ? std::move(mine) : entry->fields.unionWith(mine);
        entry->time = formatTime(context.now);
    }
    dropEmpty(entries);
}

/// Upstream Updater.prune: removes from `merged` what the applier owned before (`lastSet`),
/// no longer applies and nobody owns now, keeping whatever still leads to owned fields and
/// whatever nobody ever owned.
json::value prune(const json::value& merged, const Entries& entries, const FieldSet& lastSet,
                  const schema::Type* type) {
    if (lastSet.empty()) {
        return merged;
    }
    FieldSet owned;
    for (const ManagedFieldsEntry& e : entries) {
        owned = owned.unionWith(e.fields);
    }
    const FieldSet mergedFields = fieldsOf(merged, type);
    json::value pruned = removeFields(merged, lastSet, type);
    // Add back everything that is owned (and the struct fields leading to it).
    const FieldSet keep = withNamedFieldsAsMembers(fieldsOf(pruned, type), type)
                              .unionWith(withNamedFieldsAsMembers(owned, type));
    pruned =
        removeFields(merged, withNamedFieldsAsMembers(mergedFields, type).difference(keep), type);
    // Only what the applier owned goes; fields nobody ever owned stay.
    const FieldSet gone = mergedFields.difference(fieldsOf(pruned, type)).intersectionWith(lastSet);
    return removeFields(merged, gone, type);
}

/// Upstream lastAppliedManager: fields of the last-applied-configuration annotation whose live
/// values still match it; "kubectl" may take these over from client-side apply.
FieldSet fieldsStillAsLastApplied(const json::value& live, const schema::Type* type) {
    if (!live.is_object()) {
        return {};
    }
    const json::object* annotations =
        objectAt(objectAt(live.get_object(), "metadata"), "annotations");
    const std::string text = stringAt(annotations, LastAppliedAnnotation);
    if (text.empty()) {
        return {};
    }
    boost::system::error_code ec;
    const json::value lastApplied = kube::parseJsonText(text, ec);
    if (ec || !lastApplied.is_object()) {
        return {};
    }
    const Comparison drift = compareObjects(&lastApplied, live, type);
    return fieldsOf(lastApplied, type)
        .difference(drift.modified)
        .difference(drift.added)
        .difference(drift.removed);
}

/// Upstream lastAppliedUpdater: after an apply by "kubectl", an object that carries the
/// client-side apply annotation gets it rewritten to the applied configuration (without the
/// annotation itself), so a later client-side apply diffs against what was applied last.
/// Returns whether the object changed.
bool refreshLastApplied(json::value& object, const json::value& applied) {
    json::object* annotations =
        object.is_object()
            ? mutableObject(*ensureObject(object.get_object(), "metadata"), "annotations")
            : nullptr;
    if (annotations == nullptr || stringAt(*annotations, LastAppliedAnnotation).empty()) {
        return false;
    }
    json::value config = applied;
    if (json::object* meta = mutableObject(config.get_object(), "metadata")) {
        if (json::object* own = mutableObject(*meta, "annotations")) {
            own->erase(LastAppliedAnnotation);
        }
    }
    // Byte for byte what kubectl writes: Go's encoding/json (sorted keys, HTML escaping).
    const std::string text = kube::toGoJson(config) + "\n";
    const json::value previous = annotations->at(LastAppliedAnnotation);
    (*annotations)[LastAppliedAnnotation] = text;
    size_t total = 0;
    for (const auto& [key, value] : *annotations) {
        total += key.size() + (value.is_string() ? value.get_string().size() : 0);
    }
    if (total > MaxAnnotationsSize) {
        annotations->erase(LastAppliedAnnotation); // as upstream: too big to keep
    }
    const json::value* now = annotations->if_contains(LastAppliedAnnotation);
    return now == nullptr || !jsonEqual(*now, previous);
}

std::string quoted(std::string_view text) {
    return json::serialize(json::string(text));
}

Status checkApplied(const json::value& applied, const WriteContext& context) {
    if (!applied.is_object()) {
        return fail(ErrorCode::InvalidArgument, "the apply patch must be an object");
    }
    if (const json::value* managed = managedFieldsOf(applied); managed && !managed->is_null()) {
        return fail(ErrorCode::InvalidArgument, "metadata.managedFields must be nil");
    }
    const std::string version = stringAt(applied.get_object(), "apiVersion");
    if (!context.apiVersion.empty() && !version.empty() && version != context.apiVersion) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("Incorrect version specified in apply patch. Specified patch "
                                "version: {}, expected: {}",
                                version, context.apiVersion));
    }
    if (auto st = validateApplied(applied, context.type); !st) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("failed to create typed patch object: {}", st.error().message));
    }
    return {};
}

} // namespace

std::string Conflict::message() const {
    std::string who = quoted(manager);
    if (!subresource.empty()) {
        who += fmt::format(" with subresource {}", quoted(subresource));
    }
    if (operation == OperationUpdate) {
        who += fmt::format(" using {}", apiVersion);
    }
    return "conflict with " + who;
}

std::string conflictsMessage(const std::vector<Conflict>& conflicts) {
    if (conflicts.size() == 1) {
        return fmt::format("Apply failed with 1 conflict: {}: {}", conflicts[0].message(),
                           conflicts[0].field());
    }
    std::map<std::string, std::vector<const Conflict*>> byManager;
    for (const Conflict& c : conflicts) {
        byManager[managerIdentifier({c.manager, c.operation, c.apiVersion, c.subresource, "", {}})]
            .push_back(&c);
    }
    std::vector<std::string> lines;
    for (const auto& [id, group] : byManager) {
        // "conflicts with" is upstream's wording for a group ("conflict with" + "s").
        lines.push_back(fmt::format("conflicts{}:", group.front()->message().substr(8)));
        for (const Conflict* c : group) {
            lines.push_back("- " + c->field());
        }
    }
    return fmt::format("Apply failed with {} conflicts: {}", conflicts.size(),
                       fmt::join(lines, "\n"));
}

Result<ApplyResult> apply(const json::value* live, const json::value& applied,
                          const WriteContext& context, bool force) {
    if (auto st = checkApplied(applied, context); !st) {
        return std::unexpected(st.error());
    }
    const schema::Type* type = context.type;
    const json::value liveObj = live != nullptr ? withoutManagedFields(*live) : json::object();
    Entries entries = live != nullptr ? decodeOrEmpty(managedFieldsOf(*live)) : Entries();
    if (live != nullptr && entries.empty()) {
        // An object nobody manages yet: its fields belong to someone, so appliers conflict.
        recordUpdate(entries, nullptr, liveObj, context, BeforeFirstApply, OperationUpdate);
    }

    const ManagedFieldsEntry key{
        context.manager, std::string(OperationApply), context.apiVersion, context.subresource, "",
        FieldSet()};
    FieldSet lastSet;
    if (const ManagedFieldsEntry* previous = find(entries, key)) {
        lastSet = previous->fields;
    } else {
        entries.push_back(key);
    }
    const FieldSet ignored = resetFields(context);
    {
        ManagedFieldsEntry* mine = find(entries, key);
        mine->apiVersion = context.apiVersion;
        mine->fields =
            fieldsOf(applied, type).recursiveDifference(ignored).difference(strippedFields());
    }

    const json::value merged = prune(mergeApplied(liveObj, applied, type), entries, lastSet, type);
    Comparison changes = compareObjects(&liveObj, merged, type);
    bool changedObject = !changes.same();
    const Comparison owned = std::move(changes).without(ignored);
    const FieldSet changed = owned.modified.unionWith(owned.added);

    std::vector<ManagedFieldsEntry*> others;
    for (ManagedFieldsEntry& e : entries) {
        if (!e.sameManager(key)) {
            others.push_back(&e);
        }
    }
    std::sort(others.begin(), others.end(), [](const auto* a, const auto* b) {
        return managerIdentifier(*a) < managerIdentifier(*b);
    });
    std::vector<Conflict> conflicts;
    for (const ManagedFieldsEntry* e : others) {
        for (Path& path : e->fields.intersectionWith(changed).paths()) {
            conflicts.push_back(
                Conflict{e->manager, e->operation, e->apiVersion, e->subresource, std::move(path)});
        }
    }
    if (!conflicts.empty() && !force) {
        if (context.manager == KubectlManager) {
            const FieldSet allowed = fieldsStillAsLastApplied(liveObj, type);
            std::erase_if(conflicts, [&](const Conflict& c) { return allowed.has(c.path); });
        }
        if (!conflicts.empty()) {
            return ApplyResult{json::value(), std::move(conflicts), false};
        }
    }
    // Forced (or taken over from client-side apply): the changed fields move to this manager.
    for (ManagedFieldsEntry* e : others) {
        e->fields = e->fields.difference(changed).difference(owned.removed);
    }
    dropEmpty(entries);

    if (ManagedFieldsEntry* mine = find(entries, key);
        mine != nullptr && (changedObject || mine->time.empty())) {
        mine->time = formatTime(context.now);
    }
    capUpdateManagers(entries);
    json::value object = changedObject ? merged : liveObj;
    if (context.manager == KubectlManager && refreshLastApplied(object, applied)) {
        changedObject = true;
    }
    return ApplyResult{withManagedFields(std::move(object), entries), {}, changedObject};
}

namespace {

/// The entries an ordinary write starts from: the ones the request sets (`[]` or `[{}]`: none),
/// else, and always for subresources, the old object's.
Entries startingEntries(const json::value* oldObj, const json::value& newObj,
                        const WriteContext& context) {
    const json::value* requested = managedFieldsOf(newObj);
    if (context.subresource.empty() && requested != nullptr && requested->is_array()) {
        const json::array& list = requested->get_array();
        const bool reset = list.empty() || (list.size() == 1 && list[0].is_object() &&
                                            list[0].get_object().empty());
        if (reset) {
            return {};
        }
        if (auto decoded = decodeManagedFields(*requested); decoded && !decoded->empty()) {
            return std::move(*decoded);
        }
    }
    return oldObj != nullptr ? decodeOrEmpty(managedFieldsOf(*oldObj)) : Entries();
}

json::value recordAndStore(const json::value* oldObj, json::value newObj, Entries entries,
                           const WriteContext& context, std::string_view operation) {
    const json::value oldStripped =
        oldObj != nullptr ? withoutManagedFields(*oldObj) : json::value();
    json::value newStripped = withoutManagedFields(std::move(newObj));
    recordUpdate(entries, oldObj != nullptr ? &oldStripped : nullptr, newStripped, context,
                 context.manager, operation);
    capUpdateManagers(entries);
    return withManagedFields(std::move(newStripped), entries);
}

/// A create that starts from no entries, in one walk: the single entry recordUpdate() and
/// withManagedFields() would write, computed straight as FieldsV1 and stored in place.
/// nullopt (with managedFields already removed from `obj`) when the walk cannot tell.
std::optional<json::value> recordCreate(json::value& obj, const WriteContext& context,
                                        std::string_view operation) {
    if (json::object* meta = mutableObject(obj.get_object(), "metadata")) {
        meta->erase("managedFields");
    }
    std::optional<json::object> fields = createdFieldsV1(obj, context.type, resetRoot(context));
    if (!fields) {
        return std::nullopt;
    }
    json::object* meta = ensureObject(obj.get_object(), "metadata");
    if (meta == nullptr) {
        return std::move(obj);
    }
    if (fields->empty()) {
        meta->erase("managedFields");
        return std::move(obj);
    }
    // As encodeManagedFields writes an entry.
    json::object entry;
    entry["manager"] = context.manager;
    entry["operation"] = operation;
    entry["apiVersion"] = context.apiVersion;
    if (std::string time = formatTime(context.now); !time.empty()) {
        entry["time"] = time;
    }
    entry["fieldsType"] = "FieldsV1";
    entry["fieldsV1"] = std::move(*fields);
    if (!context.subresource.empty()) {
        entry["subresource"] = context.subresource;
    }
    json::array entries;
    entries.push_back(std::move(entry));
    (*meta)["managedFields"] = std::move(entries);
    return std::move(obj);
}

} // namespace

json::value update(const json::value* oldObj, json::value&& newObj, const WriteContext& context,
                   std::string_view operation) {
    if (!newObj.is_object()) {
        return std::move(newObj);
    }
    Entries entries = startingEntries(oldObj, newObj, context);
    if (oldObj == nullptr && entries.empty()) {
        if (std::optional<json::value> created = recordCreate(newObj, context, operation)) {
            return std::move(*created);
        }
    }
    return recordAndStore(oldObj, std::move(newObj), std::move(entries), context, operation);
}

json::value update(const json::value* oldObj, const json::value& newObj,
                   const WriteContext& context, std::string_view operation) {
    return update(oldObj, json::value(newObj), context, operation);
}

namespace detail {

json::value updateGeneral(const json::value* oldObj, const json::value& newObj,
                          const WriteContext& context, std::string_view operation) {
    if (!newObj.is_object()) {
        return newObj;
    }
    return recordAndStore(oldObj, newObj, startingEntries(oldObj, newObj, context), context,
                          operation);
}

} // namespace detail

} // namespace pilot::kube::fieldmanager
