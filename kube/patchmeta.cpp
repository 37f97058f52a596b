#include "kube/patchmeta.h"

namespace pilot::kube {

bool hasPatchStrategy(std::string_view strategies, std::string_view wanted) {
    size_t start = 0;
    while (start <= strategies.size()) {
        const size_t comma = strategies.find(',', start);
        const std::string_view part = strategies.substr(
            start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        if (part == wanted) {
            return true;
        }
        if (comma == std::string_view::npos) {
            break;
        }
        start = comma + 1;
    }
    return false;
}

PatchMeta lookupPatchMeta(const schema::Type* parent, std::string_view key) {
    PatchMeta meta;
    if (parent == nullptr) {
        return meta;
    }
    if (parent->kind == schema::Kind::Map) {
        meta.type = parent->values;
        return meta;
    }
    if (parent->kind != schema::Kind::Object) {
        return meta;
    }
    const schema::Field* field = parent->field(key);
    if (field == nullptr) {
        return meta;
    }
    meta.type = field->type;
    meta.mergeList = hasPatchStrategy(field->patchStrategy, "merge");
    meta.replaceMap = hasPatchStrategy(field->patchStrategy, "replace");
    meta.mergeKey = field->patchMergeKey;
    meta.field = field;
    return meta;
}

} // namespace pilot::kube
