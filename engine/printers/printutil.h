#pragma once

// Helpers shared by the built-in printers: reading fields out of JSON objects the way Go's
// zero values behave, and the small formatting routines kube-apiserver's printers use
// (ages, label maps, label selectors, container name/image lists). Private to pilot::printers.

#include "engine/printers/tableprinter.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace pilot::printers::detail {

using Path = std::initializer_list<std::string_view>;

/// The value at `path` below `object`, or nullptr when any step is missing or not an object.
[[nodiscard]] const boost::json::value* find(const boost::json::object& object, Path path);
[[nodiscard]] const boost::json::object* findObject(const boost::json::object& object, Path path);
[[nodiscard]] const boost::json::array* findArray(const boost::json::object& object, Path path);

/// The string at `path`, or `fallback` when absent or not a string (Go's "" zero value).
[[nodiscard]] std::string str(const boost::json::object& object, Path path,
                              std::string_view fallback = "");
/// The integer at `path` (any JSON number kind), or `fallback`.
[[nodiscard]] int64_t integer(const boost::json::object& object, Path path, int64_t fallback = 0);
[[nodiscard]] std::optional<int64_t> optInteger(const boost::json::object& object, Path path);
[[nodiscard]] bool boolean(const boost::json::object& object, Path path, bool fallback = false);
/// Number of members of the object (or elements of the array) at `path`; 0 when absent.
[[nodiscard]] int64_t count(const boost::json::object& object, Path path);

/// Integer value of any JSON number kind.
[[nodiscard]] std::optional<int64_t> asInteger(const boost::json::value& value);

/// `translateTimestampSince`: the age of an RFC 3339 timestamp value at `now`, `<unknown>` for
/// a missing or zero (`0001-01-01T00:00:00Z`) time.
[[nodiscard]] std::string since(const boost::json::value* timestamp, TimePoint now);
/// The age of `metadata.creationTimestamp`.
[[nodiscard]] std::string age(const boost::json::object& object, TimePoint now);
/// Parses a timestamp value; nullopt for missing, zero or malformed times.
[[nodiscard]] std::optional<TimePoint> timeOf(const boost::json::value* timestamp);

/// `labels.FormatLabels`: `k=v,k2=v2` sorted by key; `<none>` when empty.
[[nodiscard]] std::string formatLabels(const boost::json::object* labels);
/// `LabelSelectorAsSelector(...).String()`: requirements sorted by key; "" for a missing or
/// empty selector; nullopt when the selector is invalid.
[[nodiscard]] std::optional<std::string> selectorString(const boost::json::object* selector);
/// `metav1.FormatLabelSelector`: like selectorString, `<none>` when empty, `<error>` when
/// invalid.
[[nodiscard]] std::string formatLabelSelector(const boost::json::object* selector);

/// `layoutContainerCells`: comma-joined container names and images.
[[nodiscard]] std::pair<std::string, std::string>
containerCells(const boost::json::array* containers);

/// The canonical text of a resource.Quantity value ("1024Mi" -> "1Gi"); "0" when absent.
[[nodiscard]] std::string quantityText(const boost::json::value* value);

/// The text of an IntOrString value as Go's `intstr.String()` prints it.
[[nodiscard]] std::string intOrString(const boost::json::value* value);

/// Join helper.
[[nodiscard]] std::string join(const std::vector<std::string>& parts, std::string_view separator);

// Column descriptions reused by many printers.
inline constexpr std::string_view NameDescription =
    "Name must be unique within a namespace. It is required when creating resources and cannot "
    "be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/"
    "names#names";
inline constexpr std::string_view AgeDescription =
    "CreationTimestamp is a timestamp representing the server time when this object was "
    "created. It is represented in RFC3339 form and is in UTC.";
inline constexpr std::string_view ContainersDescription =
    "Names of each container in the template.";
inline constexpr std::string_view ImagesDescription =
    "Images referenced by each container in the template.";

/// A column definition; `format` is "name" only for the Name column.
[[nodiscard]] ColumnDefinition column(std::string_view name, std::string_view type,
                                      std::string_view description, int priority = 0);
[[nodiscard]] ColumnDefinition nameColumn();
[[nodiscard]] ColumnDefinition ageColumn();

/// A printer made of a fixed column list and a function computing one row's cells.
class FunctionPrinter final : public TablePrinter {
public:
    using CellFunction = boost::json::array (*)(const boost::json::object&, TimePoint);

    FunctionPrinter(std::vector<ColumnDefinition> columns, CellFunction cells)
        : m_columns(std::move(columns)), m_cells(cells) {}

    [[nodiscard]] const std::vector<ColumnDefinition>& columns() const override {
        return m_columns;
    }
    [[nodiscard]] boost::json::array cells(const boost::json::object& object,
                                           TimePoint now) const override {
        return m_cells(object, now);
    }

private:
    std::vector<ColumnDefinition> m_columns;
    CellFunction m_cells;
};

using PrinterMap = std::map<std::string, std::shared_ptr<const TablePrinter>, std::less<>>;

/// Registration hooks, one per source file, called once to build the built-in printer table.
void addPodPrinter(PrinterMap& printers);
void addWorkloadPrinters(PrinterMap& printers);
void addCorePrinters(PrinterMap& printers);
void addClusterPrinters(PrinterMap& printers);

/// Adds a FunctionPrinter under `name`.
void addPrinter(PrinterMap& printers, std::string_view name, std::vector<ColumnDefinition> columns,
                FunctionPrinter::CellFunction cells);

} // namespace pilot::printers::detail
