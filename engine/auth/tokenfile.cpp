#include "engine/auth/tokenfile.h"

#include <fmt/format.h>

namespace pilot::auth {

namespace {

/// Splits CSV text into records the way Go's encoding/csv does with FieldsPerRecord = -1: quoted
/// fields may hold commas, doubled quotes and line breaks; a quote inside an unquoted field or
/// text after a closing quote is an error.
class CsvReader {
public:
    CsvReader(std::string_view text, std::string_view origin) : m_text(text), m_origin(origin) {}

    /// The next record; an empty vector at the end of input.
    Result<std::vector<std::string>> next() {
        skipBlankLines();
        std::vector<std::string> record;
        if (m_pos >= m_text.size()) {
            return record;
        }
        m_recordLine = m_line;
        for (;;) {
            auto field = readField();
            if (!field) {
                return std::unexpected(field.error());
            }
            record.push_back(std::move(*field));
            if (m_pos < m_text.size() && m_text[m_pos] == ',') {
                ++m_pos;
                continue;
            }
            consumeLineEnd();
            return record;
        }
    }

    [[nodiscard]] int recordLine() const { return m_recordLine; }

private:
    void skipBlankLines() {
        while (m_pos < m_text.size()) {
            if (m_text[m_pos] == '\n') {
                ++m_pos;
                ++m_line;
            } else if (m_text.substr(m_pos, 2) == "\r\n") {
                m_pos += 2;
                ++m_line;
            } else {
                return;
            }
        }
    }

    bool atLineEnd() const {
        return m_pos >= m_text.size() || m_text[m_pos] == '\n' || m_text.substr(m_pos, 2) == "\r\n";
    }

    void consumeLineEnd() {
        if (m_pos < m_text.size()) {
            m_pos += m_text[m_pos] == '\r' ? 2 : 1;
            ++m_line;
        }
    }

    Result<std::string> readField() {
        std::string field;
        if (m_pos < m_text.size() && m_text[m_pos] == '"') {
            ++m_pos;
            for (;;) {
                if (m_pos >= m_text.size()) {
                    return error("quoted field is not closed");
                }
                char c = m_text[m_pos++];
                if (c == '"') {
                    if (m_pos < m_text.size() && m_text[m_pos] == '"') {
                        field += '"';
                        ++m_pos;
                        continue;
                    }
                    if (!atLineEnd() && m_text[m_pos] != ',') {
                        return error("extraneous text after a quoted field");
                    }
                    return field;
                }
                if (c == '\r' && m_pos < m_text.size() && m_text[m_pos] == '\n') {
                    continue; // Go normalises CRLF inside quoted fields to LF
                }
                if (c == '\n') {
                    ++m_line;
                }
                field += c;
            }
        }
        while (!atLineEnd() && m_text[m_pos] != ',') {
            if (m_text[m_pos] == '"') {
                return error("bare \" in a non-quoted field");
            }
            field += m_text[m_pos++];
        }
        return field;
    }

    std::unexpected<Error> error(std::string_view what) const {
        return fail(ErrorCode::InvalidArgument, fmt::format("{}:{}: {}", m_origin, m_line, what));
    }

    std::string_view m_text;
    std::string_view m_origin;
    size_t m_pos = 0;
    int m_line = 1;
    int m_recordLine = 1;
};

std::vector<std::string> splitGroups(std::string_view text) {
    std::vector<std::string> groups;
    size_t start = 0;
    while (start <= text.size()) {
        size_t comma = text.find(',', start);
        if (comma == std::string_view::npos) {
            comma = text.size();
        }
        if (comma > start) {
            groups.emplace_back(text.substr(start, comma - start));
        }
        start = comma + 1;
    }
    return groups;
}

} // namespace

Result<std::vector<StaticToken>> parseTokenFile(std::string_view content, std::string_view origin) {
    std::vector<StaticToken> tokens;
    CsvReader reader(content, origin);
    for (;;) {
        auto record = reader.next();
        if (!record) {
            return std::unexpected(record.error());
        }
        if (record->empty()) {
            return tokens;
        }
        if (record->size() < 3) {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("{}:{}: need at least 3 fields (token, user name, user uid), "
                                    "found {}",
                                    origin, reader.recordLine(), record->size()));
        }
        if ((*record)[0].empty()) {
            continue;
        }
        StaticToken token;
        token.token = std::move((*record)[0]);
        token.user.name = std::move((*record)[1]);
        token.user.uid = std::move((*record)[2]);
        if (record->size() >= 4) {
            token.user.groups = splitGroups((*record)[3]);
        }
        tokens.push_back(std::move(token));
    }
}

} // namespace pilot::auth
