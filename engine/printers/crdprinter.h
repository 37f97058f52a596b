#pragma once

#include "engine/printers/tableprinter.h"
#include "kube/jsonpath.h"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::printers {

/// The Table printer of a custom resource: a Name column followed by the CRD's
/// `additionalPrinterColumns` (or a single `Age` date column when it declares none), each cell
/// computed as apiextensions-apiserver does: the first JSONPath match, printed as text for
/// "string" columns, converted for "integer"/"number"/"boolean", turned into an age for "date"
/// columns, and null when the path matches nothing or the value has the wrong type.
class CrdPrinter final : public TablePrinter {
public:
    explicit CrdPrinter(const std::vector<kube::PrinterColumn>& columns);

    [[nodiscard]] const std::vector<ColumnDefinition>& columns() const override {
        return m_columns;
    }
    [[nodiscard]] boost::json::array cells(const boost::json::object& object,
                                           TimePoint now) const override;

private:
    std::vector<ColumnDefinition> m_columns;
    /// One per column after Name; empty when the CRD's path does not parse (cells are null).
    std::vector<std::optional<kube::JsonPath>> m_paths;
};

namespace detail {

/// Text of a value as kubectl's JSONPath printer writes it: strings raw, numbers and booleans
/// in Go formatting, objects and arrays as compact JSON.
[[nodiscard]] std::string jsonPathText(const boost::json::value& value);

} // namespace detail
} // namespace pilot::printers
