#include "nodeagent/image/imagemanager.h"

#include "core/log.h"
#include "core/random.h"
#include "nodeagent/image/layerunpacker.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <filesystem>
#include <thread>
#include <unistd.h>

namespace pilot::agent::image {

namespace fs = std::filesystem;

namespace {

constexpr size_t MaxConfigBytes = 16 * 1024 * 1024;
constexpr int LayerAttempts = 3;
/// Layers at least this big are received and unpacked on two threads.
constexpr int64_t PipelineThreshold = 4 << 20;

void addUnique(std::vector<std::string>& list, const std::string& item) {
    if (std::find(list.begin(), list.end(), item) == list.end()) {
        list.push_back(item);
    }
}

bool retryable(const Error& error) {
    return error.code == ErrorCode::Unavailable || error.code == ErrorCode::Timeout;
}

/// Verifies a fetched manifest against the digest it was asked by (or announced with).
Status checkDigest(std::string_view what, const Digest& actual, std::string_view expected) {
    if (expected.empty()) {
        return {};
    }
    auto want = parseDigest(expected);
    if (!want) {
        return {}; // A header with another algorithm: nothing to compare.
    }
    if (*want != actual) {
        return fail(
            ErrorCode::InvalidArgument,
            fmt::format("{}: content digest {} does not match {}", what, actual.str(), expected));
    }
    return {};
}

/// Reads a file in large chunks, hashing what it hands out.
class FileSource {
public:
    explicit FileSource(const std::string& path)
        : m_fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC)), m_buffer(1 << 20) {}
    ~FileSource() {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
    }
    FileSource(const FileSource&) = delete;
    FileSource& operator=(const FileSource&) = delete;

    bool ok() const { return m_fd >= 0; }
    Result<std::string_view> next() {
        while (true) {
            ssize_t n = ::read(m_fd, m_buffer.data(), m_buffer.size());
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n < 0) {
                return fail(ErrorCode::Internal, std::string("read: ") + std::strerror(errno));
            }
            m_hash.update(m_buffer.data(), static_cast<size_t>(n));
            return std::string_view(m_buffer.data(), static_cast<size_t>(n));
        }
    }
    Digest digest() { return m_hash.finish(); }

private:
    int m_fd;
    std::vector<char> m_buffer;
    Sha256 m_hash;
};

/// Hands chunks from the receiving thread to the unpacking one, holding at most a few MiB.
class ChunkPipe {
public:
    /// Queues a copy of `chunk` (an empty one marks the end); false once the reader is gone.
    bool push(std::string_view chunk) {
        std::unique_lock lock(m_mutex);
        m_space.wait(lock, [&] { return m_readerGone || m_queued < MaxQueued; });
        if (m_readerGone) {
            return false;
        }
        m_chunks.emplace_back(chunk);
        m_queued += chunk.size();
        m_ready.notify_one();
        return true;
    }
    void fail(Error error) {
        std::lock_guard lock(m_mutex);
        m_error = std::move(error);
        m_ready.notify_one();
    }
    /// The next chunk for the unpacker; empty at the end. Valid until the next call.
    Result<std::string_view> pop() {
        std::unique_lock lock(m_mutex);
        m_ready.wait(lock, [&] { return !m_chunks.empty() || m_error; });
        if (m_chunks.empty()) {
            return std::unexpected(*m_error);
        }
        m_current = std::move(m_chunks.front());
        m_chunks.pop_front();
        m_queued -= m_current.size();
        m_space.notify_one();
        return std::string_view(m_current);
    }
    void closeReader() {
        std::lock_guard lock(m_mutex);
        m_readerGone = true;
        m_space.notify_one();
    }

private:
    static constexpr size_t MaxQueued = 8 << 20;
    std::mutex m_mutex;
    std::condition_variable m_ready;
    std::condition_variable m_space;
    std::deque<std::string> m_chunks;
    std::string m_current;
    size_t m_queued = 0;
    bool m_readerGone = false;
    std::optional<Error> m_error;
};

} // namespace

ImageManager::ImageManager(ImageManagerOptions options) : m_options(std::move(options)) {}

ImageManager::~ImageManager() = default;

Result<std::unique_ptr<ImageManager>> ImageManager::open(ImageManagerOptions options) {
    std::unique_ptr<ImageManager> manager(new ImageManager(std::move(options)));
    const std::string& root = manager->m_options.root;
    auto content = ContentStore::open(root);
    if (!content) {
        return std::unexpected(content.error());
    }
    manager->m_content = std::move(*content);
    auto store = ImageStore::open(root);
    if (!store) {
        return std::unexpected(store.error());
    }
    manager->m_store = std::move(*store);
    std::error_code ec;
    fs::create_directories(root + "/layers", ec);
    if (ec) {
        return fail(ErrorCode::Internal, fmt::format("image store {}: {}", root, ec.message()));
    }
    for (const auto& entry : fs::directory_iterator(root + "/layers", ec)) {
        if (entry.path().filename().string().starts_with(".tmp-")) {
            std::error_code ignored;
            fs::remove_all(entry.path(), ignored); // An unpack interrupted by a crash.
        }
    }
    manager->m_client = std::make_unique<RegistryClient>(manager->m_options.registry);
    return manager;
}

std::string ImageManager::layerDirectory(std::string_view diffId) const {
    std::string_view hex = diffId;
    if (size_t colon = hex.find(':'); colon != std::string_view::npos) {
        hex = hex.substr(colon + 1);
    }
    return fmt::format("{}/layers/{}", m_options.root, hex);
}

std::vector<std::string> ImageManager::layerDirectories(const ImageRecord& image) const {
    std::vector<std::string> out;
    for (const auto& diffId : image.diffIds) {
        out.push_back(layerDirectory(diffId));
    }
    return out;
}

std::optional<ImageRecord> ImageManager::find(std::string_view imageOrId) const {
    return m_store->find(imageOrId);
}

std::vector<ImageRecord> ImageManager::list() const {
    return m_store->list();
}

Result<ImageConfig> ImageManager::config(const ImageRecord& image) const {
    auto digest = parseDigest(image.id);
    if (!digest) {
        return std::unexpected(digest.error());
    }
    auto blob = m_content->read(*digest, MaxConfigBytes);
    if (!blob) {
        return std::unexpected(blob.error());
    }
    return parseImageConfig(*blob);
}

void ImageManager::markUsed(const std::string& id) {
    m_store->touch(id, std::chrono::system_clock::now());
}

Result<std::string> ImageManager::fetchSmallBlob(RepositorySession& session,
                                                 const Descriptor& descriptor) {
    if (m_content->has(descriptor.digest)) {
        auto blob = m_content->read(descriptor.digest, MaxConfigBytes);
        if (blob) {
            return blob;
        }
        (void)m_content->remove(descriptor.digest); // Corrupt on disk: fetch again.
    }
    if (descriptor.size > static_cast<int64_t>(MaxConfigBytes)) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("blob {} is {} bytes, more than a configuration may be",
                                descriptor.digest.str(), descriptor.size));
    }
    std::string body;
    auto status =
        session.fetchBlob(descriptor.digest, [&](const char* data, size_t size) -> Status {
            if (body.size() + size > MaxConfigBytes) {
                return fail(ErrorCode::InvalidArgument,
                            "blob " + descriptor.digest.str() + " larger than announced");
            }
            body.append(data, size);
            return {};
        });
    if (!status) {
        return std::unexpected(status.error());
    }
    if (auto ok = m_content->put(descriptor.digest, body); !ok) {
        return std::unexpected(ok.error());
    }
    return body;
}

Status ImageManager::fetchLayer(RepositorySession& session, const Descriptor& layer,
                                const Digest& diffId) {
    std::string final = layerDirectory(diffId.str());
    std::string temp = fmt::format("{}/layers/.tmp-{}", m_options.root, randomHex(8));
    std::error_code ec;
    fs::create_directory(temp, ec);
    if (ec) {
        return fail(ErrorCode::Internal, fmt::format("cannot create {}: {}", temp, ec.message()));
    }
    auto cleanup = [&] {
        std::error_code ignored;
        fs::remove_all(temp, ignored);
    };
    std::string directory = fs::canonical(temp, ec).string();
    if (ec) {
        cleanup();
        return fail(ErrorCode::Internal, fmt::format("cannot resolve {}: {}", temp, ec.message()));
    }
    Result<UnpackStats> stats;
    if (m_content->has(layer.digest)) {
        // The blob is here (the layer was removed by GC while another image kept the blob, or
        // a crash hit between commit and rename): unpack from disk, verifying it again.
        FileSource file(m_content->path(layer.digest));
        if (!file.ok()) {
            cleanup();
            return fail(ErrorCode::Internal, "cannot open blob " + layer.digest.str());
        }
        stats = unpackLayer([&] { return file.next(); }, directory);
        if (stats && file.digest() != layer.digest) {
            (void)m_content->remove(layer.digest);
            stats = fail(ErrorCode::Unavailable,
                         "blob " + layer.digest.str() + " was corrupt on disk; fetching it again");
        }
    } else {
        Result<std::unique_ptr<ContentStore::Writer>> writer;
        if (m_options.keepLayerBlobs) {
            writer = m_content->openWriter(m_options.syncLayerBlobs);
            if (!writer) {
                cleanup();
                return std::unexpected(writer.error());
            }
        }
        Sha256 blobHash; // Without a blob file the stream is verified here.
        uint64_t blobSize = 0;
        // One pass over the data, in two stages on two threads: this one receives each chunk,
        // hashes it and writes it to the blob file; the unpacker decompresses, hashes again
        // (diff ID) and writes the files. Small layers skip the hand-over.
        auto fetched = session.fetchBlobWith(layer.digest, [&](HttpConnection& body) -> Status {
            auto receive = [&]() -> Result<std::string_view> {
                auto chunk = body.nextChunk();
                if (!chunk) {
                    return chunk;
                }
                if (!m_options.keepLayerBlobs) {
                    blobHash.update(chunk->data(), chunk->size());
                    blobSize += chunk->size();
                } else if (auto written = (*writer)->write(chunk->data(), chunk->size());
                           !written) {
                    return std::unexpected(written.error());
                }
                return chunk;
            };
            if (layer.size < PipelineThreshold) {
                stats = unpackLayer(receive, directory);
            } else {
                ChunkPipe pipe;
                std::thread unpacker([&] {
                    stats = unpackLayer([&] { return pipe.pop(); }, directory);
                    pipe.closeReader();
                });
                while (true) {
                    auto chunk = receive();
                    if (!chunk) {
                        pipe.fail(chunk.error());
                        break;
                    }
                    if (!pipe.push(*chunk) || chunk->empty()) {
                        break; // The unpacker stopped early (its error is in stats), or done.
                    }
                }
                unpacker.join();
            }
            if (!stats) {
                return std::unexpected(stats.error());
            }
            if (m_options.keepLayerBlobs) {
                return (*writer)->commit(layer.digest, layer.size);
            }
            Digest actual = blobHash.finish();
            if (blobSize != static_cast<uint64_t>(layer.size) || actual != layer.digest) {
                return fail(ErrorCode::InvalidArgument,
                            fmt::format("blob {}: content digest is {} ({} bytes; corrupt or "
                                        "tampered download)",
                                        layer.digest.str(), actual.str(), blobSize));
            }
            return {};
        });
        if (!fetched) {
            stats = std::unexpected(fetched.error());
        }
    }
    if (!stats) {
        cleanup();
        return std::unexpected(stats.error());
    }
    if (stats->diffId != diffId) {
        cleanup();
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("layer {}: uncompressed digest {} does not match the image "
                                "configuration's diff ID {}",
                                layer.digest.str(), stats->diffId.str(), diffId.str()));
    }
    if (::rename(temp.c_str(), final.c_str()) != 0) {
        int err = errno;
        cleanup();
        if (err != EEXIST && err != ENOTEMPTY) {
            return fail(ErrorCode::Internal,
                        fmt::format("cannot store layer {}: {}", final, std::strerror(err)));
        }
    }
    return {};
}

Status ImageManager::ensureLayer(RepositorySession& session, const Descriptor& layer,
                                 const Digest& diffId) {
    std::string final = layerDirectory(diffId.str());
    std::promise<Status> promise;
    std::shared_future<Status> waitFor;
    {
        std::lock_guard lock(m_inflightMutex);
        std::error_code ec;
        if (fs::is_directory(final, ec)) {
            return {};
        }
        if (auto it = m_inflight.find(diffId.hex); it != m_inflight.end()) {
            waitFor = it->second;
        } else {
            m_inflight.emplace(diffId.hex, promise.get_future().share());
        }
    }
    if (waitFor.valid()) {
        Status other = waitFor.get();
        if (other) {
            return other;
        }
        // The other pull failed (perhaps for its own credentials): try ourselves.
        return ensureLayer(session, layer, diffId);
    }
    Status status;
    for (int attempt = 1; attempt <= LayerAttempts; ++attempt) {
        status = fetchLayer(session, layer, diffId);
        if (status || !retryable(status.error())) {
            break;
        }
        log::warn("image", "layer {} attempt {} failed: {}", layer.digest.str(), attempt,
                  status.error().message);
    }
    promise.set_value(status);
    {
        std::lock_guard lock(m_inflightMutex);
        m_inflight.erase(diffId.hex);
    }
    return status;
}

Result<ImageRecord> ImageManager::pull(std::string_view image,
                                       const std::vector<RegistryCredential>& credentials) {
    auto ref = parseImageReference(image);
    if (!ref) {
        return std::unexpected(ref.error());
    }
    std::shared_lock gcLock(m_gcMutex);
    auto started = std::chrono::steady_clock::now();
    auto session = m_client->openRepository(*ref, credentialsFor(credentials, *ref));
    auto withImage = [&](const Error& error) {
        return std::unexpected(Error{error.code, ref->str() + ": " + error.message});
    };

    auto top = session->fetchManifest(ref->manifestReference());
    if (!top) {
        return withImage(top.error());
    }
    Digest topDigest = sha256Of(top->body);
    if (auto ok = checkDigest("manifest", topDigest, ref->digest); !ok) {
        return withImage(ok.error());
    }
    if (auto ok = checkDigest("manifest", topDigest, top->headerDigest); !ok) {
        return withImage(ok.error());
    }
    std::vector<std::string> blobs;
    if (auto ok = m_content->put(topDigest, top->body); !ok) {
        return withImage(ok.error());
    }
    blobs.push_back(topDigest.str());
    auto kind = classifyManifest(top->mediaType, top->body);
    if (!kind) {
        return withImage(kind.error());
    }
    std::string manifestBody = std::move(top->body);
    std::string manifestType = top->mediaType;
    Digest manifestDigest = topDigest;
    if (*kind == ManifestKind::Index) {
        auto index = parseImageIndex(manifestBody);
        if (!index) {
            return withImage(index.error());
        }
        auto chosen = selectManifest(*index, m_options.platform);
        if (!chosen) {
            return withImage(chosen.error());
        }
        auto platformManifest = session->fetchManifest(chosen->digest.str());
        if (!platformManifest) {
            return withImage(platformManifest.error());
        }
        manifestDigest = sha256Of(platformManifest->body);
        if (auto ok = checkDigest("platform manifest", manifestDigest, chosen->digest.str()); !ok) {
            return withImage(ok.error());
        }
        auto platformKind = classifyManifest(platformManifest->mediaType, platformManifest->body);
        if (!platformKind || *platformKind != ManifestKind::Image) {
            return withImage(
                Error{ErrorCode::InvalidArgument,
                      "index entry " + chosen->digest.str() + " is not an image manifest"});
        }
        if (auto ok = m_content->put(manifestDigest, platformManifest->body); !ok) {
            return withImage(ok.error());
        }
        blobs.push_back(manifestDigest.str());
        manifestBody = std::move(platformManifest->body);
        manifestType = platformManifest->mediaType;
    }
    auto manifest = parseImageManifest(manifestBody);
    if (!manifest) {
        return withImage(manifest.error());
    }
    if (manifest->config.mediaType != mediatype::OciConfig &&
        manifest->config.mediaType != mediatype::DockerConfig) {
        return withImage(Error{ErrorCode::InvalidArgument,
                               fmt::format("not a container image (config media type \"{}\")",
                                           manifest->config.mediaType)});
    }
    for (const Descriptor& layer : manifest->layers) {
        if (auto compression = layerCompression(layer.mediaType); !compression) {
            return withImage(compression.error());
        }
    }
    auto configBody = fetchSmallBlob(*session, manifest->config);
    if (!configBody) {
        return withImage(configBody.error());
    }
    auto config = parseImageConfig(*configBody);
    if (!config) {
        return withImage(config.error());
    }
    if (config->diffIds.size() != manifest->layers.size()) {
        return withImage(Error{ErrorCode::InvalidArgument,
                               fmt::format("manifest lists {} layers, configuration {} diff IDs",
                                           manifest->layers.size(), config->diffIds.size())});
    }
    blobs.push_back(manifest->config.digest.str());

    // Layers in parallel, a bounded number at a time.
    std::atomic<size_t> next{0};
    std::mutex errorMutex;
    std::optional<Error> firstError;
    auto worker = [&] {
        while (true) {
            size_t i = next.fetch_add(1);
            if (i >= manifest->layers.size()) {
                return;
            }
            {
                std::lock_guard lock(errorMutex);
                if (firstError) {
                    return;
                }
            }
            auto status = ensureLayer(*session, manifest->layers[i], config->diffIds[i]);
            if (!status) {
                std::lock_guard lock(errorMutex);
                if (!firstError) {
                    firstError = status.error();
                }
            }
        }
    };
    size_t threads =
        std::min<size_t>(std::max(1, m_options.maxConcurrentDownloads), manifest->layers.size());
    std::vector<std::thread> pool;
    for (size_t t = 1; t < threads; ++t) {
        pool.emplace_back(worker);
    }
    worker();
    for (auto& thread : pool) {
        thread.join();
    }
    if (firstError) {
        return withImage(*firstError);
    }

    ImageRecord record;
    record.id = manifest->config.digest.str();
    if (!ref->tag.empty()) {
        record.repoTags.push_back(ref->tagged());
    }
    record.repoDigests.push_back(ref->withDigest(topDigest.str()));
    record.manifestDigest = manifestDigest.str();
    record.size = static_cast<uint64_t>(manifest->config.size);
    for (size_t i = 0; i < manifest->layers.size(); ++i) {
        record.diffIds.push_back(config->diffIds[i].str());
        addUnique(blobs, manifest->layers[i].digest.str());
        record.size += static_cast<uint64_t>(manifest->layers[i].size);
    }
    record.blobs = std::move(blobs);
    record.pulledAt = std::chrono::system_clock::now();
    record.lastUsed = record.pulledAt;
    auto stored = m_store->put(record);
    if (!stored) {
        return withImage(stored.error());
    }
    auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
    log::info("image", "pulled {} ({}, {} bytes) from {} in {:.3f} s", ref->str(), record.id,
              record.size, session->endpointUrl(), elapsed.count());
    return stored;
}

Status ImageManager::remove(std::string_view imageOrId) {
    std::unique_lock gcLock(m_gcMutex);
    auto record = m_store->find(imageOrId);
    if (!record) {
        return fail(ErrorCode::NotFound, fmt::format("image \"{}\" not found", imageOrId));
    }
    if (auto status = m_store->remove(record->id); !status) {
        return status;
    }
    pruneLocked();
    return {};
}

Result<GcResult> ImageManager::garbageCollect(const std::set<std::string>& inUse,
                                              uint64_t bytesToFree, std::chrono::seconds minAge) {
    std::unique_lock gcLock(m_gcMutex);
    auto now = std::chrono::system_clock::now();
    std::vector<ImageRecord> candidates;
    for (auto& record : m_store->list()) {
        if (inUse.contains(record.id)) {
            continue;
        }
        if (now - std::max(record.lastUsed, record.pulledAt) < minAge) {
            continue;
        }
        candidates.push_back(std::move(record));
    }
    std::sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
        return std::max(a.lastUsed, a.pulledAt) < std::max(b.lastUsed, b.pulledAt);
    });
    GcResult result;
    for (const auto& record : candidates) {
        if (bytesToFree > 0 && result.freedBytes >= bytesToFree) {
            break;
        }
        if (auto status = m_store->remove(record.id); !status) {
            return std::unexpected(status.error());
        }
        result.removedImages.push_back(record.id);
        result.freedBytes += record.size;
    }
    if (!result.removedImages.empty()) {
        pruneLocked();
    }
    return result;
}

void ImageManager::pruneLocked() {
    std::set<std::string> liveLayers;
    std::set<std::string> liveBlobs;
    for (const auto& record : m_store->list()) {
        for (const auto& diffId : record.diffIds) {
            liveLayers.insert(layerDirectory(diffId));
        }
        liveBlobs.insert(record.blobs.begin(), record.blobs.end());
        liveBlobs.insert(record.id);
    }
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(m_options.root + "/layers", ec)) {
        std::string path = entry.path().string();
        if (!liveLayers.contains(path)) {
            std::error_code removeError;
            fs::remove_all(entry.path(), removeError);
            if (removeError) {
                log::warn("image", "cannot remove layer {}: {}", path, removeError.message());
            }
        }
    }
    for (const Digest& blob : m_content->list()) {
        if (!liveBlobs.contains(blob.str())) {
            (void)m_content->remove(blob);
        }
    }
}

ImageInfo toImageInfo(const ImageRecord& record) {
    ImageInfo info;
    info.id = record.id;
    info.repoTags = record.repoTags;
    info.repoDigests = record.repoDigests;
    info.sizeBytes = record.size;
    return info;
}

} // namespace pilot::agent::image
