#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace pilot::kube::fieldmanager {

/// One step of a field path, named the way structured-merge-diff names it: a member of an
/// object or map (`f:name`), an item of a keyed list named by its key fields
/// (`k:{"name":"web"}`), an item of a set list named by its value (`v:"x"`), or a list position
/// (`i:0`, only for keyed-list items that carry none of their keys).
class PathElement {
public:
    /// Declared in sort order: field names sort before keys, keys before values, values before
    /// indices (upstream PathElement.Compare).
    enum class Kind { Field, Key, Value, Index };
    using KeyField = std::pair<std::string, boost::json::value>;

    [[nodiscard]] static PathElement ofField(std::string name);
    /// The key fields are sorted by name.
    [[nodiscard]] static PathElement ofKey(std::vector<KeyField> fields);
    [[nodiscard]] static PathElement ofValue(boost::json::value value);
    [[nodiscard]] static PathElement ofIndex(int64_t index);

    [[nodiscard]] Kind kind() const { return m_kind; }
    [[nodiscard]] const std::string& name() const { return m_name; }
    [[nodiscard]] const std::vector<KeyField>& keyFields() const { return m_key; }
    [[nodiscard]] const boost::json::value& value() const { return m_value; }
    [[nodiscard]] int64_t index() const { return m_index; }

    /// Total order (negative, zero, positive); numbers compare by value across storage kinds.
    [[nodiscard]] int compare(const PathElement& other) const;
    friend bool operator==(const PathElement& a, const PathElement& b) { return a.compare(b) == 0; }
    friend bool operator<(const PathElement& a, const PathElement& b) { return a.compare(b) < 0; }

    /// The form used in conflict messages: `.name`, `[name="web"]`, `[="x"]`, `[0]`.
    [[nodiscard]] std::string toString() const;

private:
    Kind m_kind = Kind::Field;
    std::string m_name;
    std::vector<KeyField> m_key;
    boost::json::value m_value;
    int64_t m_index = 0;
};

using Path = std::vector<PathElement>;

/// `.spec.template.spec.containers[name="web"].image`, as upstream prints paths in conflicts.
[[nodiscard]] std::string pathString(const Path& path);

/// A set of field paths, stored as a tree the way structured-merge-diff stores it: each node
/// holds its member elements (paths that end here) and its children (paths that go deeper).
/// A path can be both a member and a prefix of other members (a keyed list item owned as a
/// whole and through its fields); FieldsV1 writes that as `".":{}`. Value type; every
/// operation returns a new set and never leaves empty children behind.
class FieldSet {
public:
    struct Child;

    FieldSet();
    FieldSet(const FieldSet& other);
    FieldSet(FieldSet&& other) noexcept;
    FieldSet& operator=(const FieldSet& other);
    FieldSet& operator=(FieldSet&& other) noexcept;
    ~FieldSet();

    [[nodiscard]] bool empty() const { return m_members.empty() && m_children.empty(); }
    /// Number of paths (members at every depth).
    [[nodiscard]] size_t size() const;

    /// Adds a path; an empty path is ignored.
    void insert(const Path& path);
    void insertMember(const PathElement& element);
    /// The child set under `element`, created when absent.
    FieldSet& child(const PathElement& element);

    [[nodiscard]] bool has(const Path& path) const;
    [[nodiscard]] bool hasMember(const PathElement& element) const;
    /// The paths below `element` (relative to it), or nullptr when there are none.
    [[nodiscard]] const FieldSet* childAt(const PathElement& element) const;

    [[nodiscard]] const std::vector<PathElement>& members() const { return m_members; }
    [[nodiscard]] const std::vector<Child>& children() const { return m_children; }

    [[nodiscard]] FieldSet unionWith(const FieldSet& other) const;
    [[nodiscard]] FieldSet intersectionWith(const FieldSet& other) const;
    /// The paths of this set that are not in `other` (path by path; children of a removed
    /// member stay).
    [[nodiscard]] FieldSet difference(const FieldSet& other) const;
    /// The paths of this set that neither are in `other` nor lie below one of its paths.
    [[nodiscard]] FieldSet recursiveDifference(const FieldSet& other) const;

    /// Every path: at each node the members first, then the children, each in element order
    /// (upstream Set.Iterate order).
    [[nodiscard]] std::vector<Path> paths() const;
    /// One path string per line, for test failure messages.
    [[nodiscard]] std::string toString() const;

    friend bool operator==(const FieldSet& a, const FieldSet& b);

private:
    void collect(Path& prefix, std::vector<Path>& out) const;
    void prune();

    std::vector<PathElement> m_members; // sorted, unique
    std::vector<Child> m_children;      // sorted by element, unique, never empty sets
};

struct FieldSet::Child {
    PathElement element;
    FieldSet set;
};

} // namespace pilot::kube::fieldmanager
