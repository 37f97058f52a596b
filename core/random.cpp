#include "core/random.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include <sys/random.h>

namespace pilot {
namespace {

void fillFromKernel(uint8_t* data, size_t size) {
    size_t done = 0;
    while (done < size) {
        ssize_t n = getrandom(data + done, size - done, 0);
        if (n > 0) {
            done += static_cast<size_t>(n);
        }
    }
}

/// Bytes from the kernel's CSPRNG, fetched a block at a time per thread: one getrandom() call
/// per object created cost as much as the rest of its uid.
void fillRandom(uint8_t* data, size_t size) {
    constexpr size_t Block = 512;
    struct Pool {
        std::array<uint8_t, Block> bytes{};
        size_t used = Block;
    };
    thread_local Pool pool;
    if (size > Block) {
        fillFromKernel(data, size);
        return;
    }
    while (size > 0) {
        if (pool.used == Block) {
            fillFromKernel(pool.bytes.data(), Block);
            pool.used = 0;
        }
        const size_t n = std::min(size, Block - pool.used);
        std::copy_n(pool.bytes.data() + pool.used, n, data);
        // Handed-out bytes are not kept around.
        std::fill_n(pool.bytes.data() + pool.used, n, uint8_t{0});
        pool.used += n;
        data += n;
        size -= n;
    }
}

constexpr char HexDigits[] = "0123456789abcdef";

} // namespace

std::string newUuid() {
    std::array<uint8_t, 16> b{};
    fillRandom(b.data(), b.size());
    b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);
    b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);
    std::string out;
    out.reserve(36);
    for (size_t i = 0; i < b.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            out.push_back('-');
        }
        out.push_back(HexDigits[b[i] >> 4]);
        out.push_back(HexDigits[b[i] & 0xf]);
    }
    return out;
}

std::string randomNameSuffix(size_t n) {
    static constexpr std::string_view Alphabet = "bcdfghjklmnpqrstvwxz2456789";
    std::vector<uint8_t> raw(n);
    fillRandom(raw.data(), raw.size());
    std::string out;
    out.reserve(n);
    for (uint8_t v : raw) {
        out.push_back(Alphabet[v % Alphabet.size()]);
    }
    return out;
}

std::string randomHex(size_t bytes) {
    std::vector<uint8_t> raw(bytes);
    fillRandom(raw.data(), raw.size());
    std::string out;
    out.reserve(bytes * 2);
    for (uint8_t v : raw) {
        out.push_back(HexDigits[v >> 4]);
        out.push_back(HexDigits[v & 0xf]);
    }
    return out;
}

} // namespace pilot
