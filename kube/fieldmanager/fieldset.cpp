#include "kube/fieldmanager/fieldset.h"

#include "kube/jsonutil.h"

#include <boost/json.hpp>

#include <algorithm>

namespace pilot::kube::fieldmanager {

namespace json = boost::json;

namespace {

int sign(auto a, auto b) {
    return a < b ? -1 : (b < a ? 1 : 0);
}

/// Rank of a JSON kind in upstream value.Compare: numbers, strings, booleans, lists, maps,
/// null.
int kindRank(const json::value& v) {
    if (isNumber(v)) {
        return 0;
    }
    switch (v.kind()) {
    case json::kind::string:
        return 1;
    case json::kind::bool_:
        return 2;
    case json::kind::array:
        return 3;
    case json::kind::object:
        return 4;
    default:
        return 5;
    }
}

int compareJson(const json::value& a, const json::value& b);

int compareNumbers(const json::value& a, const json::value& b) {
    if (a.is_double() || b.is_double()) {
        return sign(a.to_number<double>(), b.to_number<double>());
    }
    if (a.is_int64() && b.is_int64()) {
        return sign(a.get_int64(), b.get_int64());
    }
    if (a.is_uint64() && b.is_uint64()) {
        return sign(a.get_uint64(), b.get_uint64());
    }
    // One signed, one unsigned: a negative signed value is the smaller.
    if (a.is_int64()) {
        return a.get_int64() < 0 ? -1 : sign(static_cast<uint64_t>(a.get_int64()), b.get_uint64());
    }
    return b.get_int64() < 0 ? 1 : sign(a.get_uint64(), static_cast<uint64_t>(b.get_int64()));
}

int compareJson(const json::value& a, const json::value& b) {
    const int ra = kindRank(a);
    const int rb = kindRank(b);
    if (ra != rb) {
        return sign(ra, rb);
    }
    switch (ra) {
    case 0:
        return compareNumbers(a, b);
    case 1:
        return sign(std::string_view(a.get_string()), std::string_view(b.get_string()));
    case 2:
        return sign(a.get_bool(), b.get_bool());
    case 3: {
        const json::array& x = a.get_array();
        const json::array& y = b.get_array();
        for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
            if (const int c = compareJson(x[i], y[i]); c != 0) {
                return c;
            }
        }
        return sign(x.size(), y.size());
    }
    case 4: {
        const std::vector<std::string> xs = sortedKeys(a.get_object());
        const std::vector<std::string> ys = sortedKeys(b.get_object());
        for (size_t i = 0; i < xs.size() && i < ys.size(); ++i) {
            if (const int c = sign(xs[i], ys[i]); c != 0) {
                return c;
            }
            if (const int c = compareJson(a.get_object().at(xs[i]), b.get_object().at(ys[i]));
                c != 0) {
                return c;
            }
        }
        return sign(xs.size(), ys.size());
    }
    default:
        return 0;
    }
}

/// Upstream value.ToString: strings quoted, numbers and booleans bare, lists `[a,b]`, maps
/// `{k=v}`.
std::string valueString(const json::value& v) {
    if (v.is_array()) {
        std::string out = "[";
        for (const json::value& item : v.get_array()) {
            if (out.size() > 1) {
                out += ',';
            }
            out += valueString(item);
        }
        return out + "]";
    }
    if (v.is_object()) {
        std::string out = "{";
        for (const std::string& key : sortedKeys(v.get_object())) {
            if (out.size() > 1) {
                out += ',';
            }
            out += key + "=" + valueString(v.get_object().at(key));
        }
        return out + "}";
    }
    return json::serialize(v);
}

template <typename T>
auto findSorted(std::vector<T>& items, const PathElement& element, auto project) {
    return std::lower_bound(items.begin(), items.end(), element,
                            [&](const T& item, const PathElement& e) { return project(item) < e; });
}

template <typename T>
auto findSorted(const std::vector<T>& items, const PathElement& element, auto project) {
    return std::lower_bound(items.begin(), items.end(), element,
                            [&](const T& item, const PathElement& e) { return project(item) < e; });
}

const PathElement& self(const PathElement& e) {
    return e;
}

const PathElement& childElement(const FieldSet::Child& c) {
    return c.element;
}

} // namespace

// --- PathElement --------------------------------------------------------------------------

PathElement PathElement::ofField(std::string name) {
    PathElement e;
    e.m_kind = Kind::Field;
    e.m_name = std::move(name);
    return e;
}

PathElement PathElement::ofKey(std::vector<KeyField> fields) {
    std::sort(fields.begin(), fields.end(),
              [](const KeyField& a, const KeyField& b) { return a.first < b.first; });
    PathElement e;
    e.m_kind = Kind::Key;
    e.m_key = std::move(fields);
    return e;
}

PathElement PathElement::ofValue(json::value value) {
    PathElement e;
    e.m_kind = Kind::Value;
    e.m_value = std::move(value);
    return e;
}

PathElement PathElement::ofIndex(int64_t index) {
    PathElement e;
    e.m_kind = Kind::Index;
    e.m_index = index;
    return e;
}

int PathElement::compare(const PathElement& other) const {
    if (m_kind != other.m_kind) {
        return sign(static_cast<int>(m_kind), static_cast<int>(other.m_kind));
    }
    switch (m_kind) {
    case Kind::Field:
        return sign(m_name, other.m_name);
    case Kind::Key:
        for (size_t i = 0; i < m_key.size() && i < other.m_key.size(); ++i) {
            if (const int c = sign(m_key[i].first, other.m_key[i].first); c != 0) {
                return c;
            }
            if (const int c = compareJson(m_key[i].second, other.m_key[i].second); c != 0) {
                return c;
            }
        }
        return sign(m_key.size(), other.m_key.size());
    case Kind::Value:
        return compareJson(m_value, other.m_value);
    case Kind::Index:
        return sign(m_index, other.m_index);
    }
    return 0;
}

std::string PathElement::toString() const {
    switch (m_kind) {
    case Kind::Field:
        return "." + m_name;
    case Kind::Key: {
        std::string out = "[";
        for (const auto& [name, value] : m_key) {
            if (out.size() > 1) {
                out += ',';
            }
            out += name + "=" + valueString(value);
        }
        return out + "]";
    }
    case Kind::Value:
        return "[=" + valueString(m_value) + "]";
    case Kind::Index:
        return "[" + std::to_string(m_index) + "]";
    }
    return {};
}

std::string pathString(const Path& path) {
    std::string out;
    for (const PathElement& e : path) {
        out += e.toString();
    }
    return out;
}

// --- FieldSet -----------------------------------------------------------------------------

FieldSet::FieldSet() = default;
FieldSet::FieldSet(const FieldSet& other) = default;
FieldSet::FieldSet(FieldSet&& other) noexcept = default;
FieldSet& FieldSet::operator=(const FieldSet& other) = default;
FieldSet& FieldSet::operator=(FieldSet&& other) noexcept = default;
FieldSet::~FieldSet() = default;

size_t FieldSet::size() const {
    size_t n = m_members.size();
    for (const Child& c : m_children) {
        n += c.set.size();
    }
    return n;
}

void FieldSet::insertMember(const PathElement& element) {
    auto it = findSorted(m_members, element, self);
    if (it == m_members.end() || !(*it == element)) {
        m_members.insert(it, element);
    }
}

FieldSet& FieldSet::child(const PathElement& element) {
    auto it = findSorted(m_children, element, childElement);
    if (it == m_children.end() || !(it->element == element)) {
        it = m_children.insert(it, Child{element, FieldSet()});
    }
    return it->set;
}

void FieldSet::insert(const Path& path) {
    if (path.empty()) {
        return;
    }
    FieldSet* node = this;
    for (size_t i = 0; i + 1 < path.size(); ++i) {
        node = &node->child(path[i]);
    }
    node->insertMember(path.back());
}

bool FieldSet::hasMember(const PathElement& element) const {
    auto it = findSorted(m_members, element, self);
    return it != m_members.end() && *it == element;
}

const FieldSet* FieldSet::childAt(const PathElement& element) const {
    auto it = findSorted(m_children, element, childElement);
    if (it == m_children.end() || !(it->element == element)) {
        return nullptr;
    }
    return &it->set;
}

bool FieldSet::has(const Path& path) const {
    if (path.empty()) {
        return false;
    }
    const FieldSet* node = this;
    for (size_t i = 0; i + 1 < path.size(); ++i) {
        node = node->childAt(path[i]);
        if (node == nullptr) {
            return false;
        }
    }
    return node->hasMember(path.back());
}

void FieldSet::prune() {
    std::erase_if(m_children, [](const Child& c) { return c.set.empty(); });
}

FieldSet FieldSet::unionWith(const FieldSet& other) const {
    FieldSet out = *this;
    for (const PathElement& m : other.m_members) {
        out.insertMember(m);
    }
    for (const Child& c : other.m_children) {
        FieldSet& mine = out.child(c.element);
        mine = mine.unionWith(c.set);
    }
    out.prune();
    return out;
}

FieldSet FieldSet::intersectionWith(const FieldSet& other) const {
    FieldSet out;
    for (const PathElement& m : m_members) {
        if (other.hasMember(m)) {
            out.m_members.push_back(m);
        }
    }
    for (const Child& c : m_children) {
        if (const FieldSet* theirs = other.childAt(c.element)) {
            FieldSet both = c.set.intersectionWith(*theirs);
            if (!both.empty()) {
                out.m_children.push_back(Child{c.element, std::move(both)});
            }
        }
    }
    return out;
}

FieldSet FieldSet::difference(const FieldSet& other) const {
    FieldSet out;
    for (const PathElement& m : m_members) {
        if (!other.hasMember(m)) {
            out.m_members.push_back(m);
        }
    }
    for (const Child& c : m_children) {
        const FieldSet* theirs = other.childAt(c.element);
        FieldSet rest = theirs != nullptr ? c.set.difference(*theirs) : c.set;
        if (!rest.empty()) {
            out.m_children.push_back(Child{c.element, std::move(rest)});
        }
    }
    return out;
}

FieldSet FieldSet::recursiveDifference(const FieldSet& other) const {
    FieldSet out;
    for (const PathElement& m : m_members) {
        if (!other.hasMember(m)) {
            out.m_members.push_back(m);
        }
    }
    for (const Child& c : m_children) {
        if (other.hasMember(c.element)) {
            continue; // everything below a removed path goes with it
        }
        const FieldSet* theirs = other.childAt(c.element);
        FieldSet rest = theirs != nullptr ? c.set.recursiveDifference(*theirs) : c.set;
        if (!rest.empty()) {
            out.m_children.push_back(Child{c.element, std::move(rest)});
        }
    }
    return out;
}

void FieldSet::collect(Path& prefix, std::vector<Path>& out) const {
    for (const PathElement& m : m_members) {
        prefix.push_back(m);
        out.push_back(prefix);
        prefix.pop_back();
    }
    for (const Child& c : m_children) {
        prefix.push_back(c.element);
        c.set.collect(prefix, out);
        prefix.pop_back();
    }
}

std::vector<Path> FieldSet::paths() const {
    std::vector<Path> out;
    Path prefix;
    collect(prefix, out);
    return out;
}

std::string FieldSet::toString() const {
    std::string out;
    for (const Path& p : paths()) {
        out += pathString(p);
        out += '\n';
    }
    return out;
}

bool operator==(const FieldSet& a, const FieldSet& b) {
    if (a.m_members.size() != b.m_members.size() || a.m_children.size() != b.m_children.size()) {
        return false;
    }
    for (size_t i = 0; i < a.m_members.size(); ++i) {
        if (!(a.m_members[i] == b.m_members[i])) {
            return false;
        }
    }
    for (size_t i = 0; i < a.m_children.size(); ++i) {
        if (!(a.m_children[i].element == b.m_children[i].element) ||
            !(a.m_children[i].set == b.m_children[i].set)) {
            return false;
        }
    }
    return true;
}

} // namespace pilot::kube::fieldmanager
