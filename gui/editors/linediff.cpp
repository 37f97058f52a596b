#include "gui/editors/linediff.h"

#include <dtl/dtl.hpp>

#include <string>
#include <vector>

namespace pilot::gui {

namespace {

constexpr size_t HugeInput = 50000;

QStringList splitLines(const QString& text) {
    if (text.isEmpty()) {
        return {};
    }
    QStringList lines = text.split(QLatin1Char('\n'));
    if (text.endsWith(QLatin1Char('\n'))) {
        lines.removeLast();
    }
    return lines;
}

} // namespace

QList<DiffRow> diffLines(const QString& left, const QString& right) {
    const QStringList a = splitLines(left);
    const QStringList b = splitLines(right);
    // dtl compares elements with ==; diffing line indices into a dictionary keeps it cheap.
    std::vector<std::u16string> va;
    std::vector<std::u16string> vb;
    va.reserve(size_t(a.size()));
    vb.reserve(size_t(b.size()));
    for (const QString& line : a) {
        va.emplace_back(reinterpret_cast<const char16_t*>(line.utf16()), size_t(line.size()));
    }
    for (const QString& line : b) {
        vb.emplace_back(reinterpret_cast<const char16_t*>(line.utf16()), size_t(line.size()));
    }
    dtl::Diff<std::u16string, std::vector<std::u16string>> diff(va, vb);
    if (va.size() + vb.size() > HugeInput) {
        diff.onHuge(); // bounded memory, possibly a longer edit script
    }
    diff.compose();

    QList<DiffRow> rows;
    QList<int> removed; // 0-based indices into a
    QList<int> added;   // 0-based indices into b
    auto flush = [&] {
        const qsizetype n = qMax(removed.size(), added.size());
        for (qsizetype i = 0; i < n; ++i) {
            DiffRow row;
            if (i < removed.size()) {
                row.leftLine = removed.at(i) + 1;
                row.left = a.at(removed.at(i));
            }
            if (i < added.size()) {
                row.rightLine = added.at(i) + 1;
                row.right = b.at(added.at(i));
            }
            row.kind = row.leftLine && row.rightLine ? DiffRow::Kind::Changed
                       : row.leftLine                ? DiffRow::Kind::Removed
                                                     : DiffRow::Kind::Added;
            rows.append(row);
        }
        removed.clear();
        added.clear();
    };
    int ia = 0;
    int ib = 0;
    for (const auto& [element, info] : diff.getSes().getSequence()) {
        switch (info.type) {
        case dtl::SES_DELETE:
            removed.append(ia++);
            break;
        case dtl::SES_ADD:
            added.append(ib++);
            break;
        default: {
            flush();
            DiffRow row;
            row.kind = DiffRow::Kind::Equal;
            row.leftLine = ++ia;
            row.rightLine = ++ib;
            row.left = a.at(ia - 1);
            row.right = b.at(ib - 1);
            rows.append(row);
            break;
        }
        }
    }
    flush();
    return rows;
}

void diffChars(const QString& left, const QString& right, QList<CharRange>& leftRanges,
               QList<CharRange>& rightRanges) {
    leftRanges.clear();
    rightRanges.clear();
    const std::u16string a(reinterpret_cast<const char16_t*>(left.utf16()), size_t(left.size()));
    const std::u16string b(reinterpret_cast<const char16_t*>(right.utf16()), size_t(right.size()));
    dtl::Diff<char16_t, std::u16string> diff(a, b);
    if (a.size() + b.size() > HugeInput) {
        diff.onHuge();
    }
    diff.compose();
    int ia = 0;
    int ib = 0;
    auto extend = [](QList<CharRange>& ranges, int at) {
        if (!ranges.isEmpty() && ranges.last().start + ranges.last().length == at) {
            ++ranges.last().length;
        } else {
            ranges.append({at, 1});
        }
    };
    for (const auto& [element, info] : diff.getSes().getSequence()) {
        switch (info.type) {
        case dtl::SES_DELETE:
            extend(leftRanges, ia++);
            break;
        case dtl::SES_ADD:
            extend(rightRanges, ib++);
            break;
        default:
            ++ia;
            ++ib;
            break;
        }
    }
}

DiffSummary summarize(const QList<DiffRow>& rows) {
    DiffSummary s;
    for (const DiffRow& row : rows) {
        switch (row.kind) {
        case DiffRow::Kind::Changed:
            ++s.changed;
            break;
        case DiffRow::Kind::Removed:
            ++s.removed;
            break;
        case DiffRow::Kind::Added:
            ++s.added;
            break;
        case DiffRow::Kind::Equal:
            break;
        }
    }
    return s;
}

} // namespace pilot::gui
