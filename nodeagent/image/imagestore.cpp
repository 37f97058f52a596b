#include "nodeagent/image/imagestore.h"

#include "core/log.h"
#include "core/random.h"
#include "nodeagent/image/imagereference.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace pilot::agent::image {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

int64_t toMillis(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::chrono::system_clock::time_point fromMillis(int64_t ms) {
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}

json::array toArray(const std::vector<std::string>& items) {
    json::array out;
    for (const auto& item : items) {
        out.emplace_back(item);
    }
    return out;
}

std::vector<std::string> fromArray(const json::object& object, std::string_view key) {
    std::vector<std::string> out;
    if (auto* value = object.if_contains(key); value != nullptr && value->is_array()) {
        for (const auto& item : value->as_array()) {
            if (item.is_string()) {
                out.emplace_back(item.as_string());
            }
        }
    }
    return out;
}

std::string toJson(const ImageRecord& record) {
    json::object object;
    object["id"] = record.id;
    object["repoTags"] = toArray(record.repoTags);
    object["repoDigests"] = toArray(record.repoDigests);
    object["manifestDigest"] = record.manifestDigest;
    object["diffIds"] = toArray(record.diffIds);
    object["blobs"] = toArray(record.blobs);
    object["size"] = record.size;
    object["pulledAt"] = toMillis(record.pulledAt);
    object["lastUsed"] = toMillis(record.lastUsed);
    return json::serialize(object);
}

std::optional<ImageRecord> fromJson(std::string_view text) {
    boost::system::error_code ec;
    auto value = json::parse(text, ec);
    if (ec || !value.is_object()) {
        return std::nullopt;
    }
    const auto& object = value.as_object();
    ImageRecord record;
    auto str = [&](std::string_view key) {
        auto* v = object.if_contains(key);
        return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    auto num = [&](std::string_view key) -> int64_t {
        auto* v = object.if_contains(key);
        if (v == nullptr || !v->is_number()) {
            return 0;
        }
        boost::system::error_code numberError;
        return v->to_number<int64_t>(numberError);
    };
    record.id = str("id");
    if (record.id.empty()) {
        return std::nullopt;
    }
    record.repoTags = fromArray(object, "repoTags");
    record.repoDigests = fromArray(object, "repoDigests");
    record.manifestDigest = str("manifestDigest");
    record.diffIds = fromArray(object, "diffIds");
    record.blobs = fromArray(object, "blobs");
    record.size = static_cast<uint64_t>(num("size"));
    record.pulledAt = fromMillis(num("pulledAt"));
    record.lastUsed = fromMillis(num("lastUsed"));
    return record;
}

std::string hexOf(const std::string& id) {
    size_t colon = id.find(':');
    return colon == std::string::npos ? id : id.substr(colon + 1);
}

void addUnique(std::vector<std::string>& list, const std::string& item) {
    if (std::find(list.begin(), list.end(), item) == list.end()) {
        list.push_back(item);
    }
}

} // namespace

ImageStore::ImageStore(std::string root) : m_root(std::move(root)) {}

Result<std::unique_ptr<ImageStore>> ImageStore::open(std::string root) {
    std::error_code ec;
    fs::create_directories(root + "/meta", ec);
    if (ec) {
        return fail(ErrorCode::Internal, fmt::format("image store {}: {}", root, ec.message()));
    }
    std::unique_ptr<ImageStore> store(new ImageStore(root));
    for (const auto& entry : fs::directory_iterator(root + "/meta", ec)) {
        std::string name = entry.path().filename().string();
        if (!name.ends_with(".json")) {
            std::error_code ignored;
            fs::remove(entry.path(), ignored); // An interrupted atomic write.
            continue;
        }
        std::ifstream in(entry.path());
        std::stringstream text;
        text << in.rdbuf();
        auto record = fromJson(text.str());
        if (!record) {
            log::warn("image", "ignoring unreadable image record {}", entry.path().string());
            continue;
        }
        store->m_images[record->id] = std::move(*record);
    }
    return store;
}

Status ImageStore::save(const ImageRecord& record) const {
    std::string target = fmt::format("{}/meta/{}.json", m_root, hexOf(record.id));
    std::string temp = fmt::format("{}/meta/.{}.tmp", m_root, randomHex(8));
    std::string text = toJson(record);
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return fail(ErrorCode::Internal,
                    fmt::format("cannot write {}: {}", temp, std::strerror(errno)));
    }
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
              ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || ::rename(temp.c_str(), target.c_str()) != 0) {
        ::unlink(temp.c_str());
        return fail(ErrorCode::Internal, fmt::format("cannot write {}", target));
    }
    return {};
}

const ImageRecord* ImageStore::findLocked(std::string_view imageOrId) const {
    std::string key(imageOrId);
    if (auto it = m_images.find(key); it != m_images.end()) {
        return &it->second;
    }
    // A bare hex ID or unique prefix (as `crictl rmi` accepts).
    std::string_view hex = imageOrId;
    if (hex.starts_with("sha256:")) {
        hex.remove_prefix(7);
    }
    if (hex.size() >= 12 && hex.find_first_not_of("0123456789abcdef") == std::string_view::npos) {
        const ImageRecord* match = nullptr;
        for (const auto& [id, record] : m_images) {
            if (hexOf(id).starts_with(hex)) {
                if (match != nullptr) {
                    return nullptr; // Ambiguous.
                }
                match = &record;
            }
        }
        if (match != nullptr) {
            return match;
        }
    }
    auto ref = parseImageReference(imageOrId);
    if (!ref) {
        return nullptr;
    }
    for (const auto& [id, record] : m_images) {
        if (!ref->digest.empty()) {
            if (std::find(record.repoDigests.begin(), record.repoDigests.end(),
                          ref->withDigest(ref->digest)) != record.repoDigests.end()) {
                return &record;
            }
            continue;
        }
        if (std::find(record.repoTags.begin(), record.repoTags.end(), ref->tagged()) !=
            record.repoTags.end()) {
            return &record;
        }
    }
    return nullptr;
}

std::optional<ImageRecord> ImageStore::find(std::string_view imageOrId) const {
    std::lock_guard lock(m_mutex);
    const ImageRecord* record = findLocked(imageOrId);
    if (record == nullptr) {
        return std::nullopt;
    }
    return *record;
}

std::vector<ImageRecord> ImageStore::list() const {
    std::lock_guard lock(m_mutex);
    std::vector<ImageRecord> out;
    for (const auto& [id, record] : m_images) {
        out.push_back(record);
    }
    return out;
}

Result<ImageRecord> ImageStore::put(const ImageRecord& incoming) {
    std::lock_guard lock(m_mutex);
    ImageRecord merged = incoming;
    if (auto it = m_images.find(incoming.id); it != m_images.end()) {
        merged = it->second;
        for (const auto& tag : incoming.repoTags) {
            addUnique(merged.repoTags, tag);
        }
        for (const auto& digest : incoming.repoDigests) {
            addUnique(merged.repoDigests, digest);
        }
        for (const auto& blob : incoming.blobs) {
            addUnique(merged.blobs, blob);
        }
        merged.manifestDigest = incoming.manifestDigest;
        merged.diffIds = incoming.diffIds;
        merged.size = incoming.size;
        merged.pulledAt = incoming.pulledAt;
        merged.lastUsed = std::max(merged.lastUsed, incoming.lastUsed);
    }
    // A tag names one image: take it away from the previous one.
    for (auto& [id, other] : m_images) {
        if (id == merged.id) {
            continue;
        }
        bool changed = false;
        for (const auto& tag : merged.repoTags) {
            auto found = std::find(other.repoTags.begin(), other.repoTags.end(), tag);
            if (found != other.repoTags.end()) {
                other.repoTags.erase(found);
                changed = true;
            }
        }
        if (changed) {
            if (auto status = save(other); !status) {
                return std::unexpected(status.error());
            }
        }
    }
    if (auto status = save(merged); !status) {
        return std::unexpected(status.error());
    }
    m_images[merged.id] = merged;
    return merged;
}

Status ImageStore::remove(const std::string& id) {
    std::lock_guard lock(m_mutex);
    m_images.erase(id);
    std::string target = fmt::format("{}/meta/{}.json", m_root, hexOf(id));
    if (::unlink(target.c_str()) != 0 && errno != ENOENT) {
        return fail(ErrorCode::Internal,
                    fmt::format("cannot remove {}: {}", target, std::strerror(errno)));
    }
    return {};
}

void ImageStore::touch(const std::string& id, std::chrono::system_clock::time_point when) {
    std::lock_guard lock(m_mutex);
    auto it = m_images.find(id);
    if (it == m_images.end()) {
        return;
    }
    it->second.lastUsed = when;
    (void)save(it->second);
}

} // namespace pilot::agent::image
