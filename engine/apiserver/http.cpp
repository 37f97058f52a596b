#include "engine/apiserver/http.h"

#include <boost/algorithm/string/predicate.hpp>

#include <condition_variable>
#include <mutex>

namespace pilot::apiserver {

const std::string* Request::header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
        if (boost::algorithm::iequals(k, name)) {
            return &v;
        }
    }
    return nullptr;
}

HandlerResult awaitResult(HandlerResult result) {
    while (result.deferred) {
        std::mutex mutex;
        std::condition_variable resumed;
        Continuation next;
        bool ready = false;
        std::function<void(Resume)> deferred = std::move(result.deferred);
        deferred([&](Continuation continuation) {
            std::lock_guard lock(mutex);
            next = std::move(continuation);
            ready = true;
            resumed.notify_one();
        });
        {
            std::unique_lock lock(mutex);
            resumed.wait(lock, [&] { return ready; });
        }
        result = next();
    }
    return result;
}

std::optional<bool> parseBool(std::string_view text) {
    if (text == "1" || text == "t" || text == "T" || text == "TRUE" || text == "true" ||
        text == "True") {
        return true;
    }
    if (text == "0" || text == "f" || text == "F" || text == "FALSE" || text == "false" ||
        text == "False") {
        return false;
    }
    return std::nullopt;
}

namespace {
int hexValue(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}
} // namespace

std::string percentDecode(std::string_view text, bool decodePlus) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '%' && i + 2 < text.size()) {
            int hi = hexValue(text[i + 1]);
            int lo = hexValue(text[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(decodePlus && c == '+' ? ' ' : c);
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> parseQuery(std::string_view text) {
    std::vector<std::pair<std::string, std::string>> out;
    while (!text.empty()) {
        size_t amp = text.find('&');
        std::string_view part = text.substr(0, amp);
        if (!part.empty()) {
            size_t eq = part.find('=');
            std::string key = percentDecode(part.substr(0, eq), true);
            std::string value = eq == std::string_view::npos
                                    ? std::string()
                                    : percentDecode(part.substr(eq + 1), true);
            out.emplace_back(std::move(key), std::move(value));
        }
        text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    }
    return out;
}

} // namespace pilot::apiserver
