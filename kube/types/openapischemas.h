#pragma once

#include "kube/schema.h"
#include "kube/types/schemaset.h"
#include "kube/types/typeregistry.h"

#include <boost/json/object.hpp>

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace pilot::kube {

enum class OpenApiDialect { V2, V3 };

/// Renders schema graphs as OpenAPI schema objects and collects every definition a document
/// references (internal to pilot::kubetypes; used by OpenApi). Definitions are named as
/// upstream names them; a custom resource's unnamed root becomes `<reversed group>.<version>.
/// <Kind>` (`com.example.ops.v1.Backup`).
class OpenApiSchemas {
public:
    OpenApiSchemas(OpenApiDialect dialect, std::shared_ptr<const SchemaSet> builtin);

    /// Makes the resource's kind and its `<Kind>List` known, tagged with their GVKs.
    void addResource(const ResourceType& rt);
    /// A `$ref` to the resource's kind / list kind (queued for `render`).
    [[nodiscard]] boost::json::object kindRef(const ResourceType& rt);
    [[nodiscard]] boost::json::object listRef(const ResourceType& rt);
    /// A `$ref` to a built-in definition by GVK or name; a free-form object when unknown.
    [[nodiscard]] boost::json::object gvkRef(const GroupVersionKind& gvk);
    [[nodiscard]] boost::json::object namedRef(std::string_view definition);

    /// Every queued definition and everything reachable from it, sorted by name.
    [[nodiscard]] boost::json::object render();

private:
    std::string nameOf(const schema::Type& type) const;
    boost::json::object refTo(const std::string& name);
    boost::json::object schemaFor(const schema::Type& type);
    boost::json::object definitionBody(const schema::Type& type);
    boost::json::object objectBody(const schema::Type& type);
    boost::json::object property(const schema::Field& field);
    void addConstraints(boost::json::object& out, const schema::Type& type);
    const schema::Type* canonical(const schema::Type& type) const;

    OpenApiDialect m_dialect;
    std::shared_ptr<const SchemaSet> m_builtin;
    std::unordered_map<const schema::Type*, std::string> m_names;
    std::unordered_map<const schema::Type*, std::vector<GroupVersionKind>> m_gvks;
    std::map<std::string, const schema::Type*> m_queued;
    std::map<std::string, boost::json::object> m_rendered;
    /// Synthesized `<Kind>List` nodes.
    std::deque<schema::Type> m_lists;
};

/// `com.example.ops.v1.Backup` for group ops.example.com, version v1, kind Backup.
[[nodiscard]] std::string customDefinitionName(const GroupVersionKind& gvk);

} // namespace pilot::kube
