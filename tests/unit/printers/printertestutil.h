#pragma once

#include "core/clock.h"
#include "engine/printers/tableprinter.h"
#include "kube/types/typeregistry.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <string>
#include <string_view>

namespace pilot::printers::test {

/// The instant every test row is printed at.
inline TimePoint testNow() {
    return *parseTime("2026-11-21T20:00:00Z");
}

/// A built-in resource entry naming its printer, as the type registry declares it.
inline kube::ResourceType builtinType(std::string plural) {
    kube::ResourceType type;
    type.plural = plural;
    type.printer = std::move(plural);
    return type;
}

/// The cells the named built-in printer computes for an object given as JSON text.
inline boost::json::array cellsFor(const std::string& plural, std::string_view objectJson) {
    auto printer = printerFor(builtinType(plural));
    return printer->cells(boost::json::parse(objectJson).as_object(), testNow());
}

/// One row of a table-driven cell test: printer, object, expected cells (all as JSON text).
struct CellCase {
    std::string label;
    std::string printer;
    std::string object;
    std::string expected;
};

inline std::string caseName(const CellCase& c) {
    return c.label;
}

} // namespace pilot::printers::test
