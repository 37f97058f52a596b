#include "engine/scheduler/nodeselector.h"

#include "kube/jsonutil.h"

#include <charconv>

namespace pilot::scheduler {

namespace json = boost::json;

namespace {

bool isInteger(std::string_view text) {
    int64_t value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc() && ptr == text.data() + text.size();
}

/// One NodeSelectorRequirement; nullopt when invalid (unknown operator, wrong value count).
std::optional<kube::LabelRequirement> requirementOf(const json::value& value, bool field) {
    const json::object* o = value.if_object();
    if (o == nullptr) {
        return std::nullopt;
    }
    kube::LabelRequirement r;
    r.key = kube::stringAt(*o, "key");
    r.values = kube::stringsAt(*o, "values");
    std::string op = kube::stringAt(*o, "operator");
    if (field) {
        if (r.key != "metadata.name" || r.values.size() != 1) {
            return std::nullopt;
        }
        if (op == "In") {
            r.op = kube::LabelOp::In;
        } else if (op == "NotIn") {
            r.op = kube::LabelOp::NotIn;
        } else {
            return std::nullopt;
        }
        return r;
    }
    if (op == "In" || op == "NotIn") {
        if (r.values.empty()) {
            return std::nullopt;
        }
        r.op = op == "In" ? kube::LabelOp::In : kube::LabelOp::NotIn;
    } else if (op == "Exists" || op == "DoesNotExist") {
        if (!r.values.empty()) {
            return std::nullopt;
        }
        r.op = op == "Exists" ? kube::LabelOp::Exists : kube::LabelOp::DoesNotExist;
    } else if (op == "Gt" || op == "Lt") {
        if (r.values.size() != 1 || !isInteger(r.values.front())) {
            return std::nullopt;
        }
        r.op = op == "Gt" ? kube::LabelOp::Gt : kube::LabelOp::Lt;
    } else {
        return std::nullopt;
    }
    return r;
}

} // namespace

bool NodeSelectorTerm::matches(const json::object& nodeLabels, std::string_view nodeName) const {
    if (!valid) {
        return false;
    }
    for (const kube::LabelRequirement& r : expressions) {
        if (!r.matches(&nodeLabels)) {
            return false;
        }
    }
    for (const kube::LabelRequirement& r : fields) {
        bool equal = !r.values.empty() && r.values.front() == nodeName;
        if ((r.op == kube::LabelOp::In) != equal) {
            return false;
        }
    }
    return true;
}

bool NodeSelector::matches(const json::object& nodeLabels, std::string_view nodeName) const {
    for (const NodeSelectorTerm& term : terms) {
        if (term.matches(nodeLabels, nodeName)) {
            return true;
        }
    }
    return false;
}

NodeSelectorTerm nodeSelectorTermOf(const json::object& term) {
    NodeSelectorTerm out;
    out.valid = true;
    if (const json::array* expressions = kube::arrayAt(term, "matchExpressions")) {
        for (const json::value& e : *expressions) {
            auto r = requirementOf(e, false);
            if (!r) {
                out.valid = false;
                continue;
            }
            out.expressions.push_back(std::move(*r));
        }
    }
    if (const json::array* fields = kube::arrayAt(term, "matchFields")) {
        for (const json::value& e : *fields) {
            auto r = requirementOf(e, true);
            if (!r) {
                out.valid = false;
                continue;
            }
            out.fields.push_back(std::move(*r));
        }
    }
    if (out.expressions.empty() && out.fields.empty()) {
        out.valid = false;
    }
    return out;
}

NodeSelector nodeSelectorOf(const json::object& selector) {
    NodeSelector out;
    if (const json::array* terms = kube::arrayAt(selector, "nodeSelectorTerms")) {
        for (const json::value& t : *terms) {
            if (const json::object* o = t.if_object()) {
                out.terms.push_back(nodeSelectorTermOf(*o));
            }
        }
    }
    return out;
}

} // namespace pilot::scheduler
