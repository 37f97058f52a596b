#include "kube/types/schemaloader.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <map>
#include <set>
#include <unordered_map>

namespace pilot::kube {

using boost::json::array;
using boost::json::object;
using boost::json::value;
using schema::Field;
using schema::Kind;
using schema::Type;

namespace {

/// "apps/v1 Deployment" -> {apps, v1, Deployment}; "v1 Pod" -> {"", v1, Pod}.
std::optional<GroupVersionKind> parseGvk(std::string_view text) {
    auto space = text.find(' ');
    if (space == std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view apiVersion = text.substr(0, space);
    std::string_view kind = text.substr(space + 1);
    if (apiVersion.empty() || kind.empty() || kind.find(' ') != std::string_view::npos) {
        return std::nullopt;
    }
    GroupVersionKind gvk;
    gvk.kind = std::string(kind);
    if (auto slash = apiVersion.find('/'); slash != std::string_view::npos) {
        gvk.group = std::string(apiVersion.substr(0, slash));
        gvk.version = std::string(apiVersion.substr(slash + 1));
    } else {
        gvk.version = std::string(apiVersion);
    }
    return gvk;
}

std::optional<Kind> kindFromName(std::string_view name) {
    static const std::map<std::string_view, Kind> kinds = {
        {"string", Kind::String},
        {"integer", Kind::Integer},
        {"number", Kind::Number},
        {"boolean", Kind::Boolean},
        {"object", Kind::Object},
        {"map", Kind::Map},
        {"array", Kind::Array},
        {"intOrString", Kind::IntOrString},
        {"quantity", Kind::Quantity},
        {"time", Kind::Time},
        {"microTime", Kind::MicroTime},
        {"bytes", Kind::Bytes},
        {"any", Kind::Any},
    };
    auto it = kinds.find(name);
    if (it == kinds.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::string defaultFormat(Kind kind) {
    switch (kind) {
    case Kind::Integer:
        return "int64";
    case Kind::Number:
        return "double";
    case Kind::Time:
    case Kind::MicroTime:
        return "date-time";
    case Kind::Bytes:
        return "byte";
    case Kind::IntOrString:
        return "int-or-string";
    default:
        return {};
    }
}

const value* get(const object& o, std::string_view key) {
    return o.if_contains(key);
}

} // namespace

std::string SchemaLoader::where(const Context& ctx) {
    if (ctx.property.empty()) {
        return fmt::format("{}: {}", ctx.file, ctx.definition);
    }
    return fmt::format("{}: {}: property {}", ctx.file, ctx.definition, ctx.property);
}

std::string SchemaLoader::text(const value& v, const Context& ctx, std::string_view key) {
    if (const auto* s = v.if_string()) {
        return std::string(*s);
    }
    error(fmt::format("{}: {} must be a string", where(ctx), key));
    return {};
}

bool SchemaLoader::flag(const value& v, const Context& ctx, std::string_view key) {
    if (const auto* s = v.if_string()) {
        if (*s == "true" || *s == "True" || *s == "TRUE") {
            return true;
        }
        if (*s == "false" || *s == "False" || *s == "FALSE") {
            return false;
        }
    }
    if (const auto* b = v.if_bool()) {
        return *b;
    }
    error(fmt::format("{}: {} must be true or false", where(ctx), key));
    return false;
}

int64_t SchemaLoader::integer(const value& v, const Context& ctx, std::string_view key) {
    if (const auto* s = v.if_string()) {
        int64_t out = 0;
        auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), out);
        if (ec == std::errc() && end == s->data() + s->size() && !s->empty()) {
            return out;
        }
    }
    if (const auto* i = v.if_int64()) {
        return *i;
    }
    error(fmt::format("{}: {} must be an integer", where(ctx), key));
    return 0;
}

double SchemaLoader::number(const value& v, const Context& ctx, std::string_view key) {
    if (const auto* s = v.if_string()) {
        std::string copy(*s);
        char* end = nullptr;
        double out = std::strtod(copy.c_str(), &end);
        if (!copy.empty() && end == copy.c_str() + copy.size()) {
            return out;
        }
    }
    if (v.is_number()) {
        return v.to_number<double>();
    }
    error(fmt::format("{}: {} must be a number", where(ctx), key));
    return 0;
}

std::vector<std::string> SchemaLoader::texts(const value& v, const Context& ctx,
                                             std::string_view key) {
    std::vector<std::string> out;
    if (const auto* a = v.if_array()) {
        out.reserve(a->size());
        for (const value& item : *a) {
            out.push_back(text(item, ctx, key));
        }
        return out;
    }
    if (v.is_string()) {
        out.push_back(text(v, ctx, key));
        return out;
    }
    error(fmt::format("{}: {} must be a list of strings", where(ctx), key));
    return out;
}

const object* SchemaLoader::mapping(const value& v, const Context& ctx, std::string_view what) {
    if (const auto* o = v.if_object()) {
        return o;
    }
    error(fmt::format("{}: {} must be a mapping", where(ctx), what));
    return nullptr;
}

void SchemaLoader::declare(std::string_view file, const value& root) {
    Context ctx{file, "(file)", {}};
    const object* top = root.is_null() ? nullptr : mapping(root, ctx, "the top level");
    if (top == nullptr) {
        return;
    }
    for (const auto& entry : *top) {
        if (entry.key() != "definitions" && entry.key() != "resources") {
            error(fmt::format("{}: unknown top-level key \"{}\"", file,
                              std::string_view(entry.key())));
        }
    }
    const value* defs = get(*top, "definitions");
    if (defs == nullptr || defs->is_null()) {
        return;
    }
    const object* defMap = mapping(*defs, ctx, "definitions");
    if (defMap == nullptr) {
        return;
    }
    for (const auto& entry : *defMap) {
        std::string name(entry.key());
        if (auto it = m_definedIn.find(name); it != m_definedIn.end()) {
            error(fmt::format("{}: {}: duplicate definition (already defined in {})", file, name,
                              it->second));
            continue;
        }
        m_definedIn.emplace(name, file);
        Type& type = m_set.newType();
        type.name = name;
        type.kind = Kind::Object;
        GroupVersionKind gvk;
        if (const auto* body = entry.value().if_object()) {
            if (const value* g = get(*body, "gvk")) {
                auto parsed = g->is_string() ? parseGvk(g->get_string()) : std::nullopt;
                if (!parsed) {
                    error(fmt::format("{}: {}: gvk must be \"<apiVersion> <Kind>\"", file, name));
                } else {
                    gvk = *parsed;
                }
            }
        }
        m_set.addDefinition(type, gvk);
    }
}

const Type* SchemaLoader::sharedScalar(Kind kind, const std::string& format) {
    auto key = std::make_pair(kind, format);
    if (auto it = m_scalars.find(key); it != m_scalars.end()) {
        return it->second;
    }
    Type& type = m_set.newType();
    type.kind = kind;
    type.format = format;
    if (kind == Kind::Object) {
        type.preserveUnknownFields = true; // `{type: object}` is a free-form object
    }
    m_scalars.emplace(key, &type);
    return &type;
}

void SchemaLoader::applyTypeKeys(Type& type, const object& node, const Context& ctx) {
    for (const auto& entry : node) {
        std::string_view key = entry.key();
        const value& v = entry.value();
        if (key == "enum") {
            type.enumValues = texts(v, ctx, key);
        } else if (key == "minimum") {
            type.minimum = number(v, ctx, key);
        } else if (key == "maximum") {
            type.maximum = number(v, ctx, key);
        } else if (key == "minLength") {
            type.minLength = integer(v, ctx, key);
        } else if (key == "maxLength") {
            type.maxLength = integer(v, ctx, key);
        } else if (key == "minItems") {
            type.minItems = integer(v, ctx, key);
        } else if (key == "maxItems") {
            type.maxItems = integer(v, ctx, key);
        } else if (key == "pattern") {
            type.pattern = text(v, ctx, key);
        } else if (key == "preserveUnknownFields") {
            type.preserveUnknownFields = flag(v, ctx, key);
        } else if (key == "embeddedResource") {
            type.embeddedResource = flag(v, ctx, key);
        } else if (key == "items" && type.kind == Kind::Array) {
            type.items = typeSpec(v, ctx, false);
        } else if (key == "values" && type.kind == Kind::Map) {
            type.values = typeSpec(v, ctx, false);
        } else if (key == "properties" && type.kind == Kind::Object) {
            fillObject(type, v, ctx);
        }
    }
    if (type.kind == Kind::Array && type.items == nullptr) {
        error(where(ctx) + ": array without items");
        type.items = sharedScalar(Kind::Any, {});
    }
    if (type.kind == Kind::Map && type.values == nullptr) {
        error(where(ctx) + ": map without values");
        type.values = sharedScalar(Kind::Any, {});
    }
    if (type.kind == Kind::Object && get(node, "properties") == nullptr &&
        get(node, "preserveUnknownFields") == nullptr) {
        type.preserveUnknownFields = true; // `{type: object}` is a free-form object
    }
}

const Type* SchemaLoader::typeSpec(const value& node, const Context& ctx, bool allowFieldKeys) {
    static const std::set<std::string_view> typeKeys = {"ref",
                                                        "type",
                                                        "format",
                                                        "items",
                                                        "values",
                                                        "enum",
                                                        "minimum",
                                                        "maximum",
                                                        "minLength",
                                                        "maxLength",
                                                        "minItems",
                                                        "maxItems",
                                                        "pattern",
                                                        "properties",
                                                        "preserveUnknownFields",
                                                        "embeddedResource",
                                                        "description"};
    static const std::set<std::string_view> plainKeys = {"ref", "type", "format", "description"};
    static const std::set<std::string_view> fieldKeys = {
        "proto",         "pointer",  "required",   "patchStrategy",
        "patchMergeKey", "listType", "listMapKeys"};
    const object* spec = node.if_object();
    if (spec == nullptr) {
        error(where(ctx) + ": expected a mapping with `ref` or `type`");
        return sharedScalar(Kind::Any, {});
    }
    bool plain = true; // only type/format: the node may be shared
    for (const auto& entry : *spec) {
        std::string_view key = entry.key();
        if (typeKeys.contains(key)) {
            plain = plain && plainKeys.contains(key);
        } else if (!allowFieldKeys || !fieldKeys.contains(key)) {
            error(fmt::format("{}: unknown key \"{}\"", where(ctx), key));
        }
    }
    if (const value* ref = get(*spec, "ref")) {
        if (get(*spec, "type") != nullptr) {
            error(where(ctx) + ": both ref and type");
        }
        std::string name = text(*ref, ctx, "ref");
        const Type* target = m_set.find(name);
        if (target == nullptr) {
            error(fmt::format("{}: unresolved ref {}", where(ctx), name));
            return sharedScalar(Kind::Any, {});
        }
        return target;
    }
    const value* typeNode = get(*spec, "type");
    if (typeNode == nullptr) {
        error(where(ctx) + ": needs `ref` or `type`");
        return sharedScalar(Kind::Any, {});
    }
    std::string kindName = text(*typeNode, ctx, "type");
    auto kind = kindFromName(kindName);
    if (!kind) {
        error(fmt::format("{}: unknown type \"{}\"", where(ctx), kindName));
        return sharedScalar(Kind::Any, {});
    }
    const value* formatNode = get(*spec, "format");
    std::string format = formatNode ? text(*formatNode, ctx, "format") : defaultFormat(*kind);
    if (plain && *kind != Kind::Array && *kind != Kind::Map) {
        return sharedScalar(*kind, format);
    }
    Type& type = m_set.newType();
    type.kind = *kind;
    type.format = format;
    applyTypeKeys(type, *spec, ctx);
    return &type;
}

void SchemaLoader::fillObject(Type& type, const value& properties, const Context& ctx) {
    const object* props = mapping(properties, ctx, "properties");
    if (props == nullptr) {
        return;
    }
    type.properties.reserve(props->size());
    for (const auto& entry : *props) {
        Field field;
        field.name = std::string(entry.key());
        Context fieldCtx = ctx;
        fieldCtx.property = field.name;
        field.type = typeSpec(entry.value(), fieldCtx, true);
        const object* spec = entry.value().if_object();
        if (spec == nullptr) {
            continue;
        }
        for (const auto& kv : *spec) {
            std::string_view key = kv.key();
            const value& v = kv.value();
            if (key == "proto") {
                field.protoNumber = static_cast<int>(integer(v, fieldCtx, key));
            } else if (key == "required") {
                field.required = flag(v, fieldCtx, key);
            } else if (key == "description") {
                field.description = text(v, fieldCtx, key);
            } else if (key == "patchStrategy") {
                field.patchStrategy = text(v, fieldCtx, key);
            } else if (key == "patchMergeKey") {
                field.patchMergeKey = text(v, fieldCtx, key);
            } else if (key == "listType") {
                field.listType = text(v, fieldCtx, key);
            } else if (key == "listMapKeys") {
                field.listMapKeys = texts(v, fieldCtx, key);
            } else if (key == "pointer" && flag(v, fieldCtx, key)) {
                m_pointers.emplace(&type, field.name);
            }
        }
        type.properties.push_back(std::move(field));
    }
}

void SchemaLoader::fill(std::string_view file, const value& root) {
    static const std::set<std::string_view> defKeys = {
        "description", "gvk",      "properties", "inline",          "preserveUnknownFields",
        "type",        "format",   "items",      "values",          "enum",
        "required",    "minimum",  "maximum",    "minLength",       "maxLength",
        "minItems",    "maxItems", "pattern",    "embeddedResource"};
    const object* top = root.if_object();
    const value* defs = top ? get(*top, "definitions") : nullptr;
    const object* defMap = defs ? defs->if_object() : nullptr;
    if (defMap == nullptr) {
        return;
    }
    for (const auto& entry : *defMap) {
        std::string name(entry.key());
        Context ctx{file, name, {}};
        auto it = m_definedIn.find(name);
        if (it == m_definedIn.end() || it->second != file) {
            continue; // a duplicate, already reported
        }
        auto* type = const_cast<Type*>(m_set.find(name));
        const object* body = mapping(entry.value(), ctx, "a definition");
        if (body == nullptr) {
            continue;
        }
        for (const auto& kv : *body) {
            if (!defKeys.contains(kv.key())) {
                error(
                    fmt::format("{}: unknown key \"{}\"", where(ctx), std::string_view(kv.key())));
            }
        }
        if (const value* d = get(*body, "description")) {
            type->description = text(*d, ctx, "description");
        }
        if (const value* t = get(*body, "type")) {
            std::string kindName = text(*t, ctx, "type");
            auto kind = kindFromName(kindName);
            if (!kind) {
                error(fmt::format("{}: unknown type \"{}\"", where(ctx), kindName));
                continue;
            }
            type->kind = *kind;
            const value* f = get(*body, "format");
            type->format = f ? text(*f, ctx, "format") : defaultFormat(*kind);
        }
        applyTypeKeys(*type, *body, ctx);
        if (const value* req = get(*body, "required")) {
            for (const std::string& fieldName : texts(*req, ctx, "required")) {
                auto f = std::ranges::find(type->properties, fieldName, &Field::name);
                if (f == type->properties.end()) {
                    error(fmt::format("{}: required names unknown property {}", where(ctx),
                                      fieldName));
                } else {
                    f->required = true;
                }
            }
        }
        if (const value* inl = get(*body, "inline")) {
            const array* members = inl->if_array();
            if (members == nullptr) {
                error(where(ctx) + ": inline must be a list");
                continue;
            }
            for (const value& member : *members) {
                const object* m = mapping(member, ctx, "an inline entry");
                const value* ref = m ? get(*m, "ref") : nullptr;
                const value* proto = m ? get(*m, "proto") : nullptr;
                if (ref == nullptr || proto == nullptr) {
                    error(where(ctx) + ": inline entries need ref and proto");
                    continue;
                }
                std::string refName = text(*ref, ctx, "ref");
                const Type* target = m_set.find(refName);
                if (target == nullptr) {
                    error(fmt::format("{}: unresolved inline ref {}", where(ctx), refName));
                    continue;
                }
                m_inlines.push_back(
                    {type, target, static_cast<int>(integer(*proto, ctx, "proto"))});
            }
        }
    }
}

void SchemaLoader::expand(Type* type, std::set<const Type*>& done, std::set<const Type*>& active) {
    if (done.contains(type)) {
        return;
    }
    if (active.contains(type)) {
        error(fmt::format("{}: inline cycle", type->name));
        return;
    }
    active.insert(type);
    for (const PendingInline& p : m_inlines) {
        if (p.owner != type) {
            continue;
        }
        expand(const_cast<Type*>(p.member), done, active);
        for (const Field& f : p.member->properties) {
            if (type->field(f.name) != nullptr) {
                error(fmt::format("{}: inlined property {} from {} clashes", type->name, f.name,
                                  p.member->name));
                continue;
            }
            Field copy = f;
            copy.protoNumber = 0; // travels inside the embedded message
            type->properties.push_back(std::move(copy));
            if (m_pointers.contains({p.member, f.name})) {
                m_pointers.emplace(type, f.name);
            }
        }
        m_set.m_inline[type].push_back({p.protoNumber, p.member});
    }
    active.erase(type);
    done.insert(type);
}

void SchemaLoader::expandInlines() {
    std::set<const Type*> done;
    std::set<const Type*> active;
    for (const PendingInline& p : m_inlines) {
        expand(p.owner, done, active);
    }
}

void SchemaLoader::readSubresources(ResourceType& rt, const value& list, const Context& ctx) {
    const array* subs = list.if_array();
    if (subs == nullptr) {
        error(where(ctx) + ": subresources must be a list");
        return;
    }
    for (const value& item : *subs) {
        const object* s = mapping(item, ctx, "a subresource");
        if (s == nullptr) {
            continue;
        }
        Subresource sub;
        sub.responseKind = rt.gvk;
        sub.verbs = {"get", "patch", "update"};
        for (const auto& kv : *s) {
            std::string_view key = kv.key();
            if (key == "name") {
                sub.name = text(kv.value(), ctx, key);
            } else if (key == "kind") {
                auto parsed = parseGvk(text(kv.value(), ctx, key));
                if (!parsed) {
                    error(where(ctx) + ": subresource kind must be \"<apiVersion> <Kind>\"");
                } else {
                    sub.responseKind = *parsed;
                }
            } else if (key == "verbs") {
                sub.verbs = texts(kv.value(), ctx, key);
            } else {
                error(fmt::format("{}: subresource: unknown key \"{}\"", where(ctx), key));
            }
        }
        if (sub.name.empty()) {
            error(where(ctx) + ": subresource without name");
            continue;
        }
        rt.hasStatusSubresource = rt.hasStatusSubresource || sub.name == "status";
        rt.subresources.push_back(std::move(sub));
    }
}

void SchemaLoader::readChangeCounters(ResourceType& rt, const value& list, const Context& ctx) {
    const array* counters = list.if_array();
    if (counters == nullptr) {
        error(where(ctx) + ": changeCounters must be a list");
        return;
    }
    for (const value& item : *counters) {
        const object* c = mapping(item, ctx, "a change counter");
        if (c == nullptr) {
            continue;
        }
        ChangeCounter counter;
        for (const auto& kv : *c) {
            std::string_view key = kv.key();
            if (key == "annotation") {
                counter.annotation = text(kv.value(), ctx, key);
            } else if (key == "path") {
                counter.path = text(kv.value(), ctx, key);
            } else {
                error(fmt::format("{}: change counter: unknown key \"{}\"", where(ctx), key));
            }
        }
        if (counter.annotation.empty() || counter.path.empty()) {
            error(where(ctx) + ": a change counter needs an annotation and a path");
            continue;
        }
        rt.changeCounters.push_back(std::move(counter));
    }
}

void SchemaLoader::readResources(std::string_view file, const value& root) {
    const object* top = root.if_object();
    const value* list = top ? get(*top, "resources") : nullptr;
    if (list == nullptr || list->is_null()) {
        return;
    }
    const array* entries = list->if_array();
    if (entries == nullptr) {
        error(fmt::format("{}: resources must be a list", file));
        return;
    }
    for (const value& item : *entries) {
        const object* node = item.if_object();
        if (node == nullptr) {
            error(fmt::format("{}: resources entries must be mappings", file));
            continue;
        }
        ResourceType rt;
        std::string label = "resource";
        if (const value* p = get(*node, "plural"); p && p->is_string()) {
            label = fmt::format("resource {}", std::string_view(p->get_string()));
        }
        Context ctx{file, label, {}};
        std::string apiVersion;
        std::string kind;
        std::string schemaName;
        std::string storagePrefix;
        bool stored = true;
        rt.verbs = {"create", "delete", "deletecollection", "get",
                    "list",   "patch",  "update",           "watch"};
        for (const auto& kv : *node) {
            std::string_view key = kv.key();
            const value& v = kv.value();
            if (key == "apiVersion") {
                apiVersion = text(v, ctx, key);
            } else if (key == "kind") {
                kind = text(v, ctx, key);
            } else if (key == "plural") {
                rt.plural = text(v, ctx, key);
            } else if (key == "singular") {
                rt.singular = text(v, ctx, key);
            } else if (key == "namespaced") {
                rt.namespaced = flag(v, ctx, key);
            } else if (key == "shortNames") {
                rt.shortNames = texts(v, ctx, key);
            } else if (key == "categories") {
                rt.categories = texts(v, ctx, key);
            } else if (key == "schema") {
                schemaName = text(v, ctx, key);
            } else if (key == "subresources") {
                // read below, once the gvk is known
            } else if (key == "fieldSelectors") {
                rt.fieldSelectors = texts(v, ctx, key);
            } else if (key == "printer") {
                rt.printer = text(v, ctx, key);
            } else if (key == "statusOnCreate") {
                rt.statusOnCreate = flag(v, ctx, key);
            } else if (key == "statusWriteKeeps") {
                rt.statusWriteKeeps = texts(v, ctx, key);
            } else if (key == "tracksGeneration") {
                rt.tracksGeneration = flag(v, ctx, key);
            } else if (key == "changeCounters") {
                readChangeCounters(rt, v, ctx);
            } else if (key == "verbs") {
                rt.verbs = texts(v, ctx, key);
            } else if (key == "preferred") {
                rt.preferred = flag(v, ctx, key);
            } else if (key == "storagePrefix") {
                storagePrefix = text(v, ctx, key);
            } else if (key == "stored") {
                stored = flag(v, ctx, key);
            } else {
                error(fmt::format("{}: unknown key \"{}\"", where(ctx), key));
            }
        }
        auto gvk = parseGvk(apiVersion + " " + kind);
        if (!gvk || rt.plural.empty() || schemaName.empty()) {
            error(where(ctx) + ": apiVersion, kind, plural and schema are required");
            continue;
        }
        rt.gvk = *gvk;
        if (rt.singular.empty()) {
            rt.singular = rt.gvk.kind;
            std::ranges::transform(rt.singular, rt.singular.begin(),
                                   [](unsigned char c) { return std::tolower(c); });
        }
        rt.schema = m_set.find(schemaName);
        if (rt.schema == nullptr) {
            error(fmt::format("{}: unresolved schema {}", where(ctx), schemaName));
            continue;
        }
        if (const value* subs = get(*node, "subresources")) {
            readSubresources(rt, *subs, ctx);
        }
        rt.storagePrefix =
            storagePrefix.empty()
                ? fmt::format("/registry/{}/{}", rt.gvk.group.empty() ? "core" : rt.gvk.group,
                              rt.plural)
                : storagePrefix;
        // Kept in another entry's form: a non-preferred version of the same group-resource, or
        // a resource stored under another one's prefix.
        rt.storageVersion = rt.preferred && storagePrefix.empty() && stored;
        rt.stored = stored;
        rt.schemaSet = &m_set;
        m_set.m_resources.push_back(std::move(rt));
    }
}

void SchemaLoader::finish() {
    for (const auto& [type, name] : m_pointers) {
        if (const Field* f = type->field(name)) {
            m_set.m_pointerFields.insert(f);
        }
    }
}

Result<std::shared_ptr<SchemaSet>> SchemaLoader::link(std::span<const ParsedSchemaFile> files,
                                                      std::vector<std::string> parseErrors) {
    auto set = std::make_shared<SchemaSet>();
    SchemaLoader loader(*set);
    loader.m_errors = std::move(parseErrors);
    for (const ParsedSchemaFile& f : files) {
        loader.declare(f.name, f.root);
    }
    for (const ParsedSchemaFile& f : files) {
        loader.fill(f.name, f.root);
    }
    loader.expandInlines();
    for (const ParsedSchemaFile& f : files) {
        loader.readResources(f.name, f.root);
    }
    loader.finish();
    if (!loader.m_errors.empty()) {
        const auto& errors = loader.m_errors;
        std::string message = fmt::format("schema files: {} error(s): ", errors.size());
        for (size_t i = 0; i < errors.size() && i < 20; ++i) {
            message += (i == 0 ? "" : "; ") + errors[i];
        }
        return fail(ErrorCode::InvalidArgument, std::move(message));
    }
    return set;
}

} // namespace pilot::kube
