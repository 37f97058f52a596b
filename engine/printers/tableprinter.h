#pragma once

#include "core/clock.h"
#include "kube/types/typeregistry.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace pilot::printers {

/// One `columnDefinitions` entry of a meta.k8s.io/v1 Table.
struct ColumnDefinition {
    std::string name;
    std::string type;   // "string", "integer", "number", "boolean", "date"
    std::string format; // "name" for the Name column, else usually ""
    std::string description;
    int priority = 0; // > 0: shown only with -o wide
};

/// Computes the server-side Table columns of one resource, as kube-apiserver prints them.
class TablePrinter {
public:
    virtual ~TablePrinter() = default;
    [[nodiscard]] virtual const std::vector<ColumnDefinition>& columns() const = 0;
    /// The cells of one row, preformatted as the real server does (`1/2`, `5m`, `<none>`),
    /// one per column. `now` is used for ages.
    [[nodiscard]] virtual boost::json::array cells(const boost::json::object& object,
                                                   TimePoint now) const = 0;
};

/// The printer for a resource: a built-in printer named by `type.printer`, CRD
/// `printerColumns` (JSONPath cells), or the generic `Name`/`Created At` columns.
[[nodiscard]] std::shared_ptr<const TablePrinter> printerFor(const kube::ResourceType& type);

/// A duration the way kubectl prints ages: `0s`, `45s`, `5m`, `5m30s`, `2d3h`, `400d`.
[[nodiscard]] std::string formatAge(std::chrono::seconds age);

} // namespace pilot::printers
