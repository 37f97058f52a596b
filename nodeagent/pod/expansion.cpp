#include "nodeagent/pod/expansion.h"

namespace pilot::agent {

std::string expandVariables(std::string_view input, const VariableLookup& lookup) {
    std::string out;
    size_t checkpoint = 0;
    for (size_t cursor = 0; cursor < input.size(); ++cursor) {
        if (input[cursor] != '$' || cursor + 1 >= input.size()) {
            continue;
        }
        out.append(input.substr(checkpoint, cursor - checkpoint));
        std::string_view rest = input.substr(cursor + 1);
        size_t advance = 1;
        if (rest[0] == '$') {
            out.push_back('$'); // Escaped operator.
        } else if (rest[0] == '(') {
            size_t close = rest.find(')', 1);
            if (close == std::string_view::npos) {
                out.append("$("); // Incomplete reference: kept.
            } else {
                std::string_view name = rest.substr(1, close - 1);
                auto value = lookup(name);
                if (value) {
                    out.append(*value);
                } else {
                    out.append("$(").append(name).append(")");
                }
                advance = close + 1;
            }
        } else {
            out.push_back('$');
            out.push_back(rest[0]);
        }
        cursor += advance;
        checkpoint = cursor + 1;
    }
    if (checkpoint < input.size()) {
        out.append(input.substr(checkpoint));
    }
    return out;
}

VariableLookup lookupIn(const std::vector<std::pair<std::string, std::string>>& env) {
    return [&env](std::string_view name) -> std::optional<std::string> {
        for (auto it = env.rbegin(); it != env.rend(); ++it) {
            if (it->first == name) {
                return it->second;
            }
        }
        return std::nullopt;
    };
}

} // namespace pilot::agent
