#include "engine/printers/tableprinter.h"

#include "engine/printers/crdprinter.h"
#include "engine/printers/printutil.h"

#include <fmt/format.h>

namespace pilot::printers {
namespace json = boost::json;

namespace {

/// The columns kube-apiserver's default table convertor uses for kinds without a printer:
/// the name and the creation time as an RFC 3339 date.
class GenericPrinter final : public TablePrinter {
public:
    GenericPrinter() {
        m_columns.push_back(detail::nameColumn());
        m_columns.push_back(detail::column("Created At", "date", detail::AgeDescription));
    }

    [[nodiscard]] const std::vector<ColumnDefinition>& columns() const override {
        return m_columns;
    }

    [[nodiscard]] json::array cells(const json::object& object, TimePoint) const override {
        json::array cells;
        cells.emplace_back(detail::str(object, {"metadata", "name"}));
        const json::value* created = detail::find(object, {"metadata", "creationTimestamp"});
        if (std::optional<TimePoint> t = detail::timeOf(created)) {
            cells.emplace_back(formatTime(*t));
        } else {
            cells.emplace_back("0001-01-01T00:00:00Z");
        }
        return cells;
    }

private:
    std::vector<ColumnDefinition> m_columns;
};

const detail::PrinterMap& builtinPrinters() {
    static const detail::PrinterMap printers = [] {
        detail::PrinterMap map;
        detail::addPodPrinter(map);
        detail::addWorkloadPrinters(map);
        detail::addCorePrinters(map);
        detail::addClusterPrinters(map);
        return map;
    }();
    return printers;
}

} // namespace

std::shared_ptr<const TablePrinter> printerFor(const kube::ResourceType& type) {
    const detail::PrinterMap& builtins = builtinPrinters();
    if (!type.printer.empty()) {
        if (auto it = builtins.find(type.printer); it != builtins.end()) {
            return it->second;
        }
    }
    if (type.custom) {
        return std::make_shared<CrdPrinter>(type.printerColumns);
    }
    if (!type.printerColumns.empty()) {
        return std::make_shared<CrdPrinter>(type.printerColumns);
    }
    if (type.printer.empty()) {
        // A built-in entry that does not name its printer still gets the upstream columns.
        if (auto it = builtins.find(type.plural); it != builtins.end()) {
            return it->second;
        }
    }
    static const std::shared_ptr<const TablePrinter> generic = std::make_shared<GenericPrinter>();
    return generic;
}

std::string formatAge(std::chrono::seconds age) {
    // duration.HumanDuration: about two significant figures.
    int64_t seconds = age.count();
    if (seconds < -1) {
        return "<invalid>";
    }
    if (seconds < 0) {
        return "0s";
    }
    if (seconds < 60 * 2) {
        return fmt::format("{}s", seconds);
    }
    int64_t minutes = seconds / 60;
    if (minutes < 10) {
        int64_t s = seconds % 60;
        return s == 0 ? fmt::format("{}m", minutes) : fmt::format("{}m{}s", minutes, s);
    }
    if (minutes < 60 * 3) {
        return fmt::format("{}m", minutes);
    }
    int64_t hours = seconds / 3600;
    if (hours < 8) {
        int64_t m = minutes % 60;
        return m == 0 ? fmt::format("{}h", hours) : fmt::format("{}h{}m", hours, m);
    }
    if (hours < 48) {
        return fmt::format("{}h", hours);
    }
    if (hours < 24 * 8) {
        int64_t h = hours % 24;
        return h == 0 ? fmt::format("{}d", hours / 24) : fmt::format("{}d{}h", hours / 24, h);
    }
    if (hours < 24 * 365 * 2) {
        return fmt::format("{}d", hours / 24);
    }
    if (hours < 24 * 365 * 8) {
        int64_t days = (hours / 24) % 365;
        return days == 0 ? fmt::format("{}y", hours / 24 / 365)
                         : fmt::format("{}y{}d", hours / 24 / 365, days);
    }
    return fmt::format("{}y", hours / 24 / 365);
}

} // namespace pilot::printers
