#include "kube/fieldmanager/managedfields.h"

#include "core/clock.h"
#include "kube/fieldmanager/fieldsv1.h"
#include "kube/jsonutil.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <tuple>

namespace pilot::kube::fieldmanager {

namespace json = boost::json;

namespace {

int64_t unixSeconds(const std::string& time) {
    if (time.empty()) {
        return 0;
    }
    auto parsed = parseTime(time);
    if (!parsed) {
        return 0;
    }
    return std::chrono::duration_cast<std::chrono::seconds>(parsed->time_since_epoch()).count();
}

std::string_view keyedApiVersion(const ManagedFieldsEntry& e) {
    return e.operation == OperationApply ? std::string_view() : std::string_view(e.apiVersion);
}

} // namespace

bool ManagedFieldsEntry::sameManager(const ManagedFieldsEntry& other) const {
    return manager == other.manager && operation == other.operation &&
           subresource == other.subresource && keyedApiVersion(*this) == keyedApiVersion(other);
}

std::string managerIdentifier(const ManagedFieldsEntry& entry) {
    json::object id;
    if (!entry.manager.empty()) {
        id["manager"] = entry.manager;
    }
    if (!entry.operation.empty()) {
        id["operation"] = entry.operation;
    }
    if (const std::string_view v = keyedApiVersion(entry); !v.empty()) {
        id["apiVersion"] = v;
    }
    if (!entry.subresource.empty()) {
        id["subresource"] = entry.subresource;
    }
    return json::serialize(id);
}

Result<std::vector<ManagedFieldsEntry>> decodeManagedFields(const json::value& managedFields) {
    std::vector<ManagedFieldsEntry> out;
    if (managedFields.is_null()) {
        return out;
    }
    if (!managedFields.is_array()) {
        return fail(ErrorCode::InvalidArgument, "metadata.managedFields must be a list");
    }
    size_t index = 0;
    for (const json::value& item : managedFields.get_array()) {
        if (!item.is_object()) {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("managed fields entry {} is not an object", index));
        }
        const json::object& o = item.get_object();
        ManagedFieldsEntry entry;
        entry.manager = stringAt(o, "manager");
        entry.operation = stringAt(o, "operation");
        entry.apiVersion = stringAt(o, "apiVersion");
        entry.subresource = stringAt(o, "subresource");
        entry.time = stringAt(o, "time");
        if (entry.operation != OperationApply && entry.operation != OperationUpdate) {
            return fail(ErrorCode::InvalidArgument, "operation must be `Apply` or `Update`");
        }
        if (entry.apiVersion.empty()) {
            return fail(ErrorCode::InvalidArgument, "apiVersion must not be empty");
        }
        const std::string fieldsType = stringAt(o, "fieldsType");
        if (fieldsType.empty()) {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("missing fieldsType in managed fields entry {}", index));
        }
        if (fieldsType != "FieldsV1") {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("invalid fieldsType {:?} in managed fields entry {}",
                                    fieldsType, index));
        }
        if (const json::value* fields = o.if_contains("fieldsV1"); fields && !fields->is_null()) {
            auto set = fromFieldsV1(*fields);
            if (!set) {
                return fail(ErrorCode::InvalidArgument,
                            fmt::format("error decoding versioned set from managed fields "
                                        "entry {}: {}",
                                        index, set.error().message));
            }
            entry.fields = std::move(*set);
        }
        std::erase_if(out, [&](const ManagedFieldsEntry& e) { return e.sameManager(entry); });
        out.push_back(std::move(entry));
        ++index;
    }
    return out;
}

json::array encodeManagedFields(std::vector<ManagedFieldsEntry> entries) {
    std::sort(entries.begin(), entries.end(),
              [](const ManagedFieldsEntry& a, const ManagedFieldsEntry& b) {
                  return std::forward_as_tuple(a.operation, unixSeconds(a.time), a.manager,
                                               a.apiVersion, a.subresource) <
                         std::forward_as_tuple(b.operation, unixSeconds(b.time), b.manager,
                                               b.apiVersion, b.subresource);
              });
    json::array out;
    for (const ManagedFieldsEntry& e : entries) {
        json::object o;
        o["manager"] = e.manager;
        o["operation"] = e.operation;
        o["apiVersion"] = e.apiVersion;
        if (!e.time.empty()) {
            o["time"] = e.time;
        }
        o["fieldsType"] = "FieldsV1";
        o["fieldsV1"] = toFieldsV1(e.fields);
        if (!e.subresource.empty()) {
            o["subresource"] = e.subresource;
        }
        out.push_back(std::move(o));
    }
    return out;
}

} // namespace pilot::kube::fieldmanager
