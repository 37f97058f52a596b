#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

/// The protobuf wire format at its lowest level: tags, varints, fixed64 and length-delimited
/// fields. Shared by the schema-driven Kubernetes codec (protobuf.h) and by tools that walk a
/// few fields of a message without decoding it whole.
namespace pilot::kube::protowire {

enum WireType : int {
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    Fixed32 = 5,
};

[[nodiscard]] inline std::string_view wireName(int wire) {
    switch (wire) {
    case Varint:
        return "varint";
    case Fixed64:
        return "fixed64";
    case LengthDelimited:
        return "length-delimited";
    case 3:
        return "start-group";
    case 4:
        return "end-group";
    case Fixed32:
        return "fixed32";
    default:
        return "invalid";
    }
}

/// Bounds-checked reader over one message. On a malformed input it records an error and every
/// later read fails too, so callers check `ok()` after a batch of reads.
class Reader {
public:
    explicit Reader(std::string_view data) : m_data(data) {}

    [[nodiscard]] bool atEnd() const { return m_pos >= m_data.size() || !m_error.empty(); }
    [[nodiscard]] bool ok() const { return m_error.empty(); }
    [[nodiscard]] const std::string& error() const { return m_error; }

    uint64_t varint() {
        uint64_t result = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (m_pos >= m_data.size()) {
                fail("truncated varint");
                return 0;
            }
            auto byte = static_cast<uint8_t>(m_data[m_pos++]);
            if (shift == 63 && byte > 1) {
                fail("varint overflows 64 bits");
                return 0;
            }
            result |= static_cast<uint64_t>(byte & 0x7F) << shift;
            if ((byte & 0x80) == 0) {
                return result;
            }
        }
        fail("varint longer than 10 bytes");
        return 0;
    }

    std::string_view bytes() {
        uint64_t length = varint();
        if (!ok()) {
            return {};
        }
        if (length > m_data.size() - m_pos) {
            fail(fmt::format("length {} runs past the end of the message ({} bytes left)", length,
                             m_data.size() - m_pos));
            return {};
        }
        std::string_view out = m_data.substr(m_pos, length);
        m_pos += length;
        return out;
    }

    uint64_t fixed64() {
        if (m_data.size() - m_pos < 8) {
            fail("truncated fixed64");
            return 0;
        }
        uint64_t out = 0;
        for (int i = 7; i >= 0; --i) {
            out = (out << 8) | static_cast<uint8_t>(m_data[m_pos + i]);
        }
        m_pos += 8;
        return out;
    }

    /// Reads a tag; false at the end of the message or on error.
    bool tag(int& number, int& wire) {
        if (atEnd()) {
            return false;
        }
        uint64_t key = varint();
        if (!ok()) {
            return false;
        }
        wire = static_cast<int>(key & 7);
        uint64_t n = key >> 3;
        if (n == 0 || n > 536870911) {
            fail(fmt::format("invalid field number {}", n));
            return false;
        }
        number = static_cast<int>(n);
        return true;
    }

    void skip(int wire) {
        switch (wire) {
        case Varint:
            varint();
            return;
        case Fixed64:
            fixed64();
            return;
        case LengthDelimited:
            bytes();
            return;
        case Fixed32:
            if (m_data.size() - m_pos < 4) {
                fail("truncated fixed32");
                return;
            }
            m_pos += 4;
            return;
        default:
            fail(fmt::format("unsupported wire type {} ({})", wire, wireName(wire)));
            return;
        }
    }

    /// The first length-delimited field numbered `number` at this level, skipping the others;
    /// empty (and not an error) when there is none.
    std::string_view find(int number) {
        int n = 0;
        int wire = 0;
        while (tag(n, wire)) {
            if (n == number && wire == LengthDelimited) {
                return bytes();
            }
            skip(wire);
        }
        return {};
    }

    void fail(std::string message) {
        if (m_error.empty()) {
            m_error = std::move(message);
        }
    }

private:
    std::string_view m_data;
    size_t m_pos = 0;
    std::string m_error;
};

/// The first error met while walking a message, and the dotted path of the field it was met at
/// (`spec.template.spec.containers`): shared by the schema-driven encoder and decoder.
class FieldTrail {
public:
    [[nodiscard]] std::string errorMessage() const {
        return m_path.empty() ? fmt::format("protobuf: {}", m_error)
                              : fmt::format("protobuf: {}: {}", m_path, m_error);
    }

protected:
    /// Records `message` unless an error is recorded already; always false.
    bool fail(std::string message) {
        if (m_error.empty()) {
            m_error = std::move(message);
        }
        return false;
    }
    /// Steps into `field`; returns the mark `leave` steps back to.
    size_t enter(std::string_view field) {
        size_t mark = m_path.size();
        if (!m_path.empty()) {
            m_path += '.';
        }
        m_path += field;
        return mark;
    }
    void leave(size_t mark) { m_path.resize(mark); }

private:
    std::string m_path;
    std::string m_error;
};

/// The length at the front of a length-prefixed frame (4 bytes, big-endian), as protobuf watch
/// streams frame their events. `header` holds at least 4 bytes.
[[nodiscard]] inline uint32_t frameLength(std::string_view header) {
    uint32_t length = 0;
    for (int i = 0; i < 4; ++i) {
        length = length << 8 | static_cast<uint8_t>(header[i]);
    }
    return length;
}

/// Cuts the next whole frame off the front of `stream`; nullopt (and `stream` untouched) when
/// `stream` does not hold one whole frame yet.
[[nodiscard]] inline std::optional<std::string_view> nextFrame(std::string_view& stream) {
    if (stream.size() < 4 || stream.size() - 4 < frameLength(stream)) {
        return std::nullopt;
    }
    std::string_view frame = stream.substr(4, frameLength(stream));
    stream.remove_prefix(4 + frame.size());
    return frame;
}

/// Appends wire-format fields to a string.
inline void putVarint(std::string& out, uint64_t v) {
    while (v >= 0x80) {
        out += static_cast<char>((v & 0x7F) | 0x80);
        v >>= 7;
    }
    out += static_cast<char>(v);
}

inline void putTag(std::string& out, int number, int wire) {
    putVarint(out, static_cast<uint64_t>(number) << 3 | static_cast<uint64_t>(wire));
}

inline void putVarintField(std::string& out, int number, uint64_t v) {
    putTag(out, number, Varint);
    putVarint(out, v);
}

inline void putBytesField(std::string& out, int number, std::string_view bytes) {
    putTag(out, number, LengthDelimited);
    putVarint(out, bytes.size());
    out.append(bytes);
}

inline void putFixed64Field(std::string& out, int number, uint64_t v) {
    putTag(out, number, Fixed64);
    for (int i = 0; i < 8; ++i) {
        out += static_cast<char>((v >> (8 * i)) & 0xFF);
    }
}

/// A length-delimited field whose contents are appended after it is opened: `open` writes the
/// tag and reserves one length byte, `close` writes the length, moving the contents when the
/// length needs more than one byte. Nested messages are written in place, not built apart.
class Nested {
public:
    Nested(std::string& out, int number) : m_out(out) {
        putTag(out, number, LengthDelimited);
        m_lengthAt = out.size();
        out += '\0';
    }
    Nested(const Nested&) = delete;
    Nested& operator=(const Nested&) = delete;
    ~Nested() { close(); }

    /// Writes the length; the contents end at the string's end. Idempotent.
    void close() {
        if (m_closed) {
            return;
        }
        m_closed = true;
        const size_t start = m_lengthAt + 1;
        const size_t length = m_out.size() - start;
        std::string prefix;
        putVarint(prefix, length);
        if (prefix.size() > 1) {
            m_out.insert(start, prefix.size() - 1, '\0');
        }
        std::memcpy(m_out.data() + m_lengthAt, prefix.data(), prefix.size());
    }

private:
    std::string& m_out;
    size_t m_lengthAt = 0;
    bool m_closed = false;
};

} // namespace pilot::kube::protowire
