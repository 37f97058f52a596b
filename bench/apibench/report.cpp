#include "bench/apibench/report.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <cmath>

namespace pilot::bench {

namespace json = boost::json;

namespace {

std::string formatValue(double value) {
    if (std::isnan(value)) {
        return "n/a";
    }
    double magnitude = std::fabs(value);
    if (magnitude >= 1000 || (magnitude == std::floor(magnitude) && magnitude < 1e15)) {
        return fmt::format("{:.0f}", value);
    }
    if (magnitude >= 10) {
        return fmt::format("{:.1f}", value);
    }
    return fmt::format("{:.2f}", value);
}

std::string verdict(const std::optional<bool>& met) {
    if (!met) {
        return "";
    }
    return *met ? "  [met]" : "  [MISSED]";
}

} // namespace

std::optional<bool> atMost(double value, double limit) {
    if (std::isnan(value)) {
        return std::nullopt;
    }
    return value <= limit;
}

std::optional<bool> atLeast(double value, double limit) {
    if (std::isnan(value)) {
        return std::nullopt;
    }
    return value >= limit;
}

void Report::section(std::string title) {
    m_entries.push_back({Entry::Kind::Section, std::move(title), {}});
}

void Report::add(Figure figure) {
    m_entries.push_back({Entry::Kind::Figure, {}, std::move(figure)});
}

void Report::note(std::string text) {
    m_entries.push_back({Entry::Kind::Note, std::move(text), {}});
}

void Report::setInfo(std::string key, std::string value) {
    m_info.emplace_back(std::move(key), std::move(value));
}

std::string Report::text() const {
    std::string out;
    for (const Entry& entry : m_entries) {
        switch (entry.kind) {
        case Entry::Kind::Section:
            out += fmt::format("\n== {}\n", entry.text);
            break;
        case Entry::Kind::Note:
            out += fmt::format("   note: {}\n", entry.text);
            break;
        case Entry::Kind::Figure: {
            const Figure& f = entry.figure;
            out += fmt::format("   {:<34} {:>12} {:<6}", f.label, formatValue(f.value), f.unit);
            if (!f.anchor.empty()) {
                out += fmt::format(" | anchor: {}", f.anchor);
            }
            if (!f.budget.empty()) {
                out += fmt::format(" | budget: {}{}", f.budget, verdict(f.met));
            }
            out += '\n';
            break;
        }
        }
    }
    return out;
}

std::string Report::json() const {
    json::object info;
    for (const auto& [key, value] : m_info) {
        info[key] = value;
    }
    json::object figures;
    json::array notes;
    for (const Entry& entry : m_entries) {
        if (entry.kind == Entry::Kind::Note) {
            notes.emplace_back(entry.text);
        }
        if (entry.kind != Entry::Kind::Figure) {
            continue;
        }
        const Figure& f = entry.figure;
        json::object item{
            {"value", std::isnan(f.value) ? json::value(nullptr) : json::value(f.value)},
            {"unit", f.unit},
            {"label", f.label}};
        if (!f.anchor.empty()) {
            item["anchor"] = f.anchor;
        }
        if (!f.budget.empty()) {
            item["budget"] = f.budget;
        }
        if (f.met) {
            item["budget_met"] = *f.met;
        }
        figures[f.key] = std::move(item);
    }
    return json::serialize(json::object{{"info", std::move(info)},
                                        {"figures", std::move(figures)},
                                        {"notes", std::move(notes)}}) +
           "\n";
}

bool Report::allBudgetsMet() const {
    for (const Entry& entry : m_entries) {
        if (entry.kind == Entry::Kind::Figure && entry.figure.met == false) {
            return false;
        }
    }
    return true;
}

} // namespace pilot::bench
