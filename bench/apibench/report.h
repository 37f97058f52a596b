#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pilot::bench {

/// One measured figure, printed beside its anchor and budget.
struct Figure {
    std::string key;   ///< stable name in the JSON file, e.g. "create.engine_per_s"
    std::string label; ///< what the text report says
    double value = 0;
    std::string unit;
    std::string anchor;      ///< the peer's figure from this run or a published one
    std::string budget;      ///< from docs/budgets.md; empty if none
    std::optional<bool> met; ///< budget verdict when one applies
};

/// Budget verdicts.
[[nodiscard]] std::optional<bool> atMost(double value, double limit);
[[nodiscard]] std::optional<bool> atLeast(double value, double limit);

/// The benchmark's findings in order: section titles, figures and notes (errors, context).
class Report {
public:
    void section(std::string title);
    void add(Figure figure);
    void note(std::string text);
    /// Context for the JSON file (engine path, options, ...).
    void setInfo(std::string key, std::string value);

    [[nodiscard]] std::string text() const;
    [[nodiscard]] std::string json() const;
    [[nodiscard]] bool allBudgetsMet() const;

private:
    struct Entry {
        enum class Kind { Section, Figure, Note } kind;
        std::string text;
        Figure figure;
    };
    std::vector<Entry> m_entries;
    std::vector<std::pair<std::string, std::string>> m_info;
};

} // namespace pilot::bench
