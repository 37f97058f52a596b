#include "nodeagent/image/registryauth.h"

#include "core/base64.h"

#include <boost/json/parse.hpp>
#include <fmt/format.h>

#include <cctype>

namespace pilot::agent::image {

namespace {

bool isTokenChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

class ChallengeParser {
public:
    explicit ChallengeParser(std::string_view text) : m_text(text) {}

    std::vector<AuthChallenge> parse() {
        std::vector<AuthChallenge> out;
        while (true) {
            skipSeparators();
            if (atEnd()) {
                return out;
            }
            std::string scheme = token();
            if (scheme.empty()) {
                return out;
            }
            AuthChallenge challenge{lower(scheme), {}};
            // Parameters until the next token that is not followed by `=` (a new scheme).
            while (true) {
                skipSeparators();
                size_t save = m_pos;
                std::string name = token();
                skipSpaces();
                if (name.empty() || atEnd() || m_text[m_pos] != '=') {
                    m_pos = save;
                    break;
                }
                ++m_pos;
                skipSpaces();
                std::string value = atEnd() || m_text[m_pos] != '"' ? bare() : quoted();
                challenge.params[lower(name)] = value;
            }
            out.push_back(std::move(challenge));
        }
    }

private:
    bool atEnd() const { return m_pos >= m_text.size(); }
    void skipSpaces() {
        while (!atEnd() && (m_text[m_pos] == ' ' || m_text[m_pos] == '\t')) {
            ++m_pos;
        }
    }
    void skipSeparators() {
        while (!atEnd() &&
               (m_text[m_pos] == ' ' || m_text[m_pos] == '\t' || m_text[m_pos] == ',')) {
            ++m_pos;
        }
    }
    std::string token() {
        size_t start = m_pos;
        while (!atEnd() && (isTokenChar(m_text[m_pos]) || m_text[m_pos] == '/')) {
            ++m_pos;
        }
        return std::string(m_text.substr(start, m_pos - start));
    }
    /// An unquoted value: up to the next comma or blank (lenient: scopes contain `:`).
    std::string bare() {
        size_t start = m_pos;
        while (!atEnd() && m_text[m_pos] != ',' && m_text[m_pos] != ' ' && m_text[m_pos] != '\t') {
            ++m_pos;
        }
        return std::string(m_text.substr(start, m_pos - start));
    }
    std::string quoted() {
        ++m_pos; // opening quote
        std::string out;
        while (!atEnd() && m_text[m_pos] != '"') {
            if (m_text[m_pos] == '\\' && m_pos + 1 < m_text.size()) {
                ++m_pos;
            }
            out.push_back(m_text[m_pos++]);
        }
        if (!atEnd()) {
            ++m_pos; // closing quote
        }
        return out;
    }

    std::string_view m_text;
    size_t m_pos = 0;
};

} // namespace

std::string AuthChallenge::param(const std::string& name) const {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
}

std::vector<AuthChallenge> parseAuthChallenges(std::string_view header) {
    return ChallengeParser(header).parse();
}

Result<BearerToken> parseTokenResponse(std::string_view body) {
    boost::system::error_code ec;
    boost::json::value value = boost::json::parse(body, ec);
    if (ec || !value.is_object()) {
        return fail(ErrorCode::Unavailable, "token endpoint: answer is not a JSON object");
    }
    const auto& object = value.as_object();
    BearerToken token;
    for (const char* key : {"token", "access_token"}) {
        if (auto it = object.find(key);
            it != object.end() && it->value().is_string() && !it->value().as_string().empty()) {
            token.token = std::string(it->value().as_string());
            break;
        }
    }
    if (token.token.empty()) {
        return fail(ErrorCode::Unauthorized, "token endpoint: answer carries no token");
    }
    if (auto it = object.find("expires_in"); it != object.end() && it->value().is_number()) {
        boost::system::error_code numberError;
        auto seconds = it->value().to_number<int64_t>(numberError);
        // The Docker token spec: at least 60 seconds whatever the server says.
        if (!numberError && seconds > 60) {
            token.expiresIn = std::chrono::seconds(seconds);
        }
    }
    return token;
}

std::string basicAuthorization(std::string_view username, std::string_view password) {
    return "Basic " + base64Encode(fmt::format("{}:{}", username, password));
}

} // namespace pilot::agent::image
