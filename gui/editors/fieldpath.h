#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <QList>
#include <QString>

#include <variant>

namespace pilot::gui {

/// A path to one field of a Kubernetes object, as the API prints it in `Status` causes and as the
/// forms address the fields they edit: `spec.template.spec.containers[0].image`,
/// `metadata.labels[app.kubernetes.io/name]`, `.spec.replicas` (server-side apply conflicts).
/// Each step is a member name or an array index. `[x]` is an index when `x` is a number and a
/// member name otherwise; a numeric bracket on a map (`data[123]`) still finds the member, because
/// lookups fall back to the name when the value is an object. Value type.
class FieldPath {
public:
    using Step = std::variant<QString, int>;

    FieldPath() = default;
    FieldPath(std::initializer_list<Step> steps) : m_steps(steps) {}

    /// Parses the API's notation; never fails (malformed brackets become member names).
    [[nodiscard]] static FieldPath parse(const QString& text);
    /// The API's notation: names joined with `.`, indices and names holding `.` or `/` in
    /// brackets.
    [[nodiscard]] QString toString() const;

    [[nodiscard]] const QList<Step>& steps() const { return m_steps; }
    [[nodiscard]] bool isEmpty() const { return m_steps.isEmpty(); }
    [[nodiscard]] qsizetype size() const { return m_steps.size(); }
    [[nodiscard]] FieldPath parent() const;
    /// This path followed by `step` / `other`.
    [[nodiscard]] FieldPath operator/(const Step& step) const;
    [[nodiscard]] FieldPath operator/(const FieldPath& other) const;
    friend bool operator==(const FieldPath&, const FieldPath&) = default;

    /// The value at this path, or nullptr when a step is missing or has the wrong type.
    [[nodiscard]] const boost::json::value* find(const boost::json::value& root) const;
    [[nodiscard]] const boost::json::value* find(const boost::json::object& root) const;
    /// The value at this path, creating missing (or null) objects on the way; an index one past
    /// the end appends. Returns nullptr when an existing step has another type (the object is
    /// then left unchanged) or an index is further out.
    boost::json::value* ensure(boost::json::object& root) const;
    /// Removes the value at this path; then removes parent objects the removal left empty, up to
    /// (not including) the first `keep` steps. Returns whether something was removed.
    bool remove(boost::json::object& root, qsizetype keep = 0) const;

private:
    QList<Step> m_steps;
};

/// The string at `path`, or `fallback` when absent or not a string.
[[nodiscard]] QString fieldString(const boost::json::object& root, const FieldPath& path,
                                  const QString& fallback = {});
/// Converts between std::string (JSON, UTF-8) and QString.
[[nodiscard]] QString toQString(std::string_view text);
[[nodiscard]] std::string toStdString(const QString& text);

} // namespace pilot::gui
