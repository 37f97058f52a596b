#pragma once

#include "core/error.h"
#include "kube/schema.h"
#include "kube/types/schemaset.h"

#include <boost/json/value.hpp>

#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pilot::kube {

/// One schema file parsed into a JSON tree whose scalars are all strings (see schemayaml.h).
struct ParsedSchemaFile {
    std::string name;
    boost::json::value root;
};

/// Builds a SchemaSet from parsed schema files in two passes (internal to pilot::kubetypes): first
/// every definition name gets an empty node (so refs resolve regardless of file order), then the
/// nodes are filled in.
class SchemaLoader {
public:
    explicit SchemaLoader(SchemaSet& set) : m_set(set) {}

    static Result<std::shared_ptr<SchemaSet>> link(std::span<const ParsedSchemaFile> files,
                                                   std::vector<std::string> parseErrors);

    void declare(std::string_view file, const boost::json::value& root);
    void fill(std::string_view file, const boost::json::value& root);
    void readResources(std::string_view file, const boost::json::value& root);
    void expandInlines();
    void finish();

    void error(std::string message) { m_errors.push_back(std::move(message)); }
    [[nodiscard]] const std::vector<std::string>& errors() const { return m_errors; }

private:
    struct Context {
        std::string_view file;
        std::string_view definition;
        std::string_view property;
    };

    static std::string where(const Context& ctx);

    // Scalar readers: report a wrong shape and return a neutral value.
    std::string text(const boost::json::value& v, const Context& ctx, std::string_view key);
    bool flag(const boost::json::value& v, const Context& ctx, std::string_view key);
    int64_t integer(const boost::json::value& v, const Context& ctx, std::string_view key);
    double number(const boost::json::value& v, const Context& ctx, std::string_view key);
    std::vector<std::string> texts(const boost::json::value& v, const Context& ctx,
                                   std::string_view key);
    const boost::json::object* mapping(const boost::json::value& v, const Context& ctx,
                                       std::string_view what);

    const schema::Type* typeSpec(const boost::json::value& node, const Context& ctx,
                                 bool allowFieldKeys);
    void applyTypeKeys(schema::Type& type, const boost::json::object& node, const Context& ctx);
    void fillObject(schema::Type& type, const boost::json::value& properties, const Context& ctx);
    const schema::Type* sharedScalar(schema::Kind kind, const std::string& format);
    void expand(schema::Type* type, std::set<const schema::Type*>& done,
                std::set<const schema::Type*>& active);
    void readSubresources(ResourceType& rt, const boost::json::value& list, const Context& ctx);
    void readChangeCounters(ResourceType& rt, const boost::json::value& list, const Context& ctx);

    struct PendingInline {
        schema::Type* owner = nullptr;
        const schema::Type* member = nullptr;
        int protoNumber = 0;
    };

    SchemaSet& m_set;
    std::vector<std::string> m_errors;
    std::unordered_map<std::string, std::string_view> m_definedIn; // definition -> file
    std::map<std::pair<schema::Kind, std::string>, const schema::Type*> m_scalars;
    std::vector<PendingInline> m_inlines;
    std::set<std::pair<const schema::Type*, std::string>> m_pointers;
};

} // namespace pilot::kube
