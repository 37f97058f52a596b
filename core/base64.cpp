#include "core/base64.h"

#include <array>
#include <cstdint>

namespace pilot {
namespace {

constexpr std::string_view Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> decodeTable() {
    std::array<int8_t, 256> table{};
    table.fill(-1);
    for (size_t i = 0; i < Alphabet.size(); ++i) {
        table[static_cast<uint8_t>(Alphabet[i])] = static_cast<int8_t>(i);
    }
    return table;
}

constexpr std::array<int8_t, 256> DecodeTable = decodeTable();

} // namespace

std::string base64Encode(std::string_view data) {
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 3 <= data.size(); i += 3) {
        uint32_t n = static_cast<uint32_t>(static_cast<uint8_t>(data[i])) << 16 |
                     static_cast<uint32_t>(static_cast<uint8_t>(data[i + 1])) << 8 |
                     static_cast<uint8_t>(data[i + 2]);
        out += Alphabet[n >> 18 & 63];
        out += Alphabet[n >> 12 & 63];
        out += Alphabet[n >> 6 & 63];
        out += Alphabet[n & 63];
    }
    size_t rest = data.size() - i;
    if (rest > 0) {
        uint32_t n = static_cast<uint32_t>(static_cast<uint8_t>(data[i])) << 16;
        if (rest == 2) {
            n |= static_cast<uint32_t>(static_cast<uint8_t>(data[i + 1])) << 8;
        }
        out += Alphabet[n >> 18 & 63];
        out += Alphabet[n >> 12 & 63];
        out += rest == 2 ? Alphabet[n >> 6 & 63] : '=';
        out += '=';
    }
    return out;
}

std::optional<std::string> base64Decode(std::string_view text) {
    std::string out;
    out.reserve(text.size() / 4 * 3);
    uint32_t buffer = 0;
    int bits = 0;
    bool padding = false;
    for (char c : text) {
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            continue;
        }
        if (c == '=') {
            padding = true;
            continue;
        }
        int value = DecodeTable[static_cast<uint8_t>(c)];
        if (value < 0 || padding) {
            return std::nullopt;
        }
        buffer = buffer << 6 | static_cast<uint32_t>(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>(buffer >> bits & 0xff);
        }
    }
    if (bits >= 6) {
        return std::nullopt; // a lone trailing character cannot encode a byte
    }
    return out;
}

} // namespace pilot
