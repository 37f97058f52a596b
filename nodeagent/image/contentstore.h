#pragma once

#include "core/error.h"
#include "nodeagent/image/digest.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::agent::image {

/// Content-addressed blobs under `ROOT/blobs/sha256/<hex>`, shared by every image. A blob
/// appears only complete and verified: writers stream into `ROOT/ingest/` while hashing and
/// rename into place on commit. Safe for concurrent writers of the same digest (the last rename
/// wins with identical bytes).
class ContentStore {
public:
    /// Creates the folders if needed.
    [[nodiscard]] static Result<std::unique_ptr<ContentStore>> open(std::string root);

    /// Streams one blob into the store.
    class Writer {
    public:
        ~Writer();
        Writer(const Writer&) = delete;
        Writer& operator=(const Writer&) = delete;

        [[nodiscard]] Status write(const char* data, size_t size);
        /// Checks size and digest, flushes, and renames the blob into place. InvalidArgument
        /// (naming both digests) on a mismatch; the partial file is removed either way.
        [[nodiscard]] Status commit(const Digest& expected, int64_t expectedSize);
        [[nodiscard]] uint64_t written() const { return m_written; }

    private:
        friend class ContentStore;
        Writer(ContentStore& store, int fd, std::string tempPath, bool sync);
        ContentStore& m_store;
        int m_fd = -1;
        bool m_sync = true;
        std::string m_tempPath;
        uint64_t m_written = 0;
        Sha256 m_hash;
    };

    /// A writer; `sync` adds an fdatasync before the blob appears.
    [[nodiscard]] Result<std::unique_ptr<Writer>> openWriter(bool sync = true);
    /// Writes a small blob already in memory (manifests, configs) after checking its digest,
    /// flushed to disk before it appears.
    [[nodiscard]] Status put(const Digest& digest, std::string_view data);
    /// Reads a small blob whole, verifying its digest. NotFound when absent.
    [[nodiscard]] Result<std::string> read(const Digest& digest, size_t limit) const;

    [[nodiscard]] bool has(const Digest& digest) const;
    [[nodiscard]] std::string path(const Digest& digest) const;
    [[nodiscard]] Result<uint64_t> size(const Digest& digest) const;
    [[nodiscard]] Status remove(const Digest& digest);
    [[nodiscard]] std::vector<Digest> list() const;
    [[nodiscard]] const std::string& root() const { return m_root; }

private:
    explicit ContentStore(std::string root);
    std::string m_root;
};

} // namespace pilot::agent::image
