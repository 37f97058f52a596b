#include "kube/types/schemaset.h"

#include "kube/types/schemaloader.h"
#include "kube/types/schemayaml.h"

#include <boost/json/parse.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <tuple>

namespace pilot::kube {

using schema::Field;
using schema::Kind;
using schema::Type;

schema::Type& SchemaSet::newType() {
    return m_types.emplace_back();
}

bool SchemaSet::addDefinition(schema::Type& type, const GroupVersionKind& gvk) {
    if (!m_byName.emplace(type.name, &type).second) {
        return false;
    }
    m_definitions.push_back(&type);
    if (!gvk.kind.empty()) {
        m_gvks.emplace(&type, gvk);
    }
    return true;
}

const schema::Type* SchemaSet::find(std::string_view name) const {
    auto it = m_byName.find(std::string(name));
    return it == m_byName.end() ? nullptr : it->second;
}

GroupVersionKind SchemaSet::gvkOf(const schema::Type* type) const {
    auto it = m_gvks.find(type);
    return it == m_gvks.end() ? GroupVersionKind{} : it->second;
}

const schema::Type* SchemaSet::findKind(const GroupVersionKind& gvk) const {
    for (const auto& [type, declared] : m_gvks) {
        if (declared == gvk) {
            return type;
        }
    }
    return nullptr;
}

std::span<const InlineMember> SchemaSet::inlineMembers(const schema::Type* type) const {
    auto it = m_inline.find(type);
    if (it == m_inline.end()) {
        return {};
    }
    return it->second;
}

Result<std::shared_ptr<SchemaSet>> SchemaSet::load(std::span<const SchemaFile> files) {
    std::vector<ParsedSchemaFile> parsed;
    std::vector<std::string> errors;
    parsed.reserve(files.size());
    for (const SchemaFile& f : files) {
        auto root = schemaYamlToJson(f.text, f.name);
        if (!root) {
            errors.push_back(root.error().message);
            continue;
        }
        parsed.push_back({std::string(f.name), std::move(*root)});
    }
    return SchemaLoader::link(parsed, std::move(errors));
}

Result<std::shared_ptr<SchemaSet>> SchemaSet::loadCompiled(std::string_view json) {
    boost::system::error_code ec;
    boost::json::value doc = boost::json::parse(json, ec);
    if (ec || !doc.is_object()) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("compiled schema files: {}", ec ? ec.message() : "not an object"));
    }
    std::vector<ParsedSchemaFile> parsed;
    parsed.reserve(doc.get_object().size());
    for (auto& entry : doc.get_object()) {
        parsed.push_back({std::string(entry.key()), std::move(entry.value())});
    }
    return SchemaLoader::link(parsed, {});
}
Result<std::shared_ptr<const SchemaSet>> SchemaSet::builtin() {
    static std::once_flag once;
    static Result<std::shared_ptr<const SchemaSet>> result =
        fail(ErrorCode::Internal, "not loaded");
    std::call_once(once, [] {
        auto loaded = loadCompiled(embeddedCompiledSchemas());
        if (loaded) {
            result = std::shared_ptr<const SchemaSet>(std::move(*loaded));
        } else {
            result = std::unexpected(loaded.error());
        }
    });
    return result;
}

} // namespace pilot::kube
