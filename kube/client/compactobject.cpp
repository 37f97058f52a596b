#include "kube/client/compactobject.h"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <new>
#include <vector>

namespace pilot::kube {
namespace json = boost::json;

namespace {

constexpr std::size_t alignUp(std::size_t offset, std::size_t alignment) {
    return (offset + alignment - 1) & ~(alignment - 1);
}

/// Hands out memory from one block allocated up front (the exact size a measuring copy
/// needed) while the cached copy is built, and frees nothing of that block until it is
/// destroyed with the last object using it. Once sealed, it is the heap: boost::json gives a
/// copy of a value the memory resource of its source, so a controller copying a cached object
/// (on any thread) allocates through this resource, and those allocations must be ordinary,
/// thread-safe and freed with the copy.
class BlockResource final : public json::memory_resource {
public:
    /// `self` receives the resource's address (make_shared_resource wraps it out of reach).
    BlockResource(std::size_t size, BlockResource*& self)
        : m_block(static_cast<std::byte*>(::operator new(size == 0 ? 1 : size, Alignment))),
          m_size(size) {
        self = this;
    }
    ~BlockResource() override { ::operator delete(m_block, Alignment); }
    BlockResource(const BlockResource&) = delete;
    BlockResource& operator=(const BlockResource&) = delete;

    /// Called once the cached copy is complete, before the object is shared.
    void seal() { m_sealed = true; }

private:
    static constexpr std::align_val_t Alignment{alignof(std::max_align_t)};

    void* do_allocate(std::size_t bytes, std::size_t alignment) override {
        if (!m_sealed && alignment <= alignof(std::max_align_t)) {
            std::size_t at = alignUp(m_used, alignment);
            if (at + bytes <= m_size) {
                m_used = at + bytes;
                return m_block + at;
            }
        }
        return ::operator new(bytes == 0 ? 1 : bytes, Alignment);
    }
    void do_deallocate(void* p, std::size_t, std::size_t) override {
        auto* at = static_cast<std::byte*>(p);
        if (at >= m_block && at < m_block + m_size) {
            return; // part of the block: freed with it
        }
        ::operator delete(p, Alignment);
    }
    [[nodiscard]] bool do_is_equal(const json::memory_resource& other) const noexcept override {
        return this == &other;
    }

    std::byte* m_block;
    std::size_t m_size;
    std::size_t m_used = 0;
    bool m_sealed = false;
};

/// Counts what a copy would take from a BlockResource (the same bump arithmetic from an
/// aligned start) while the memory itself comes from a scratch monotonic resource.
class MeasuringResource final : public json::memory_resource {
public:
    explicit MeasuringResource(json::monotonic_resource& scratch) : m_scratch(scratch) {}
    [[nodiscard]] std::size_t needed() const { return m_needed; }

private:
    void* do_allocate(std::size_t bytes, std::size_t alignment) override {
        m_needed = alignUp(m_needed, alignment) + bytes;
        return m_scratch.allocate(bytes, alignment);
    }
    void do_deallocate(void*, std::size_t, std::size_t) override {}
    [[nodiscard]] bool do_is_equal(const json::memory_resource& other) const noexcept override {
        return this == &other;
    }

    json::monotonic_resource& m_scratch;
    std::size_t m_needed = 0;
};

/// The copy itself; deterministic, so the measuring and the final copy allocate alike.
json::object copyInto(const json::object& source, const json::storage_ptr& storage,
                      const CompactOptions& options) {
    json::object out(storage);
    out.reserve(source.size());
    for (const json::key_value_pair& field : source) {
        if (options.dropManagedFields && field.key() == "metadata" && field.value().is_object()) {
            const json::object& metadata = field.value().get_object();
            json::object trimmed(storage);
            trimmed.reserve(metadata.size());
            for (const json::key_value_pair& m : metadata) {
                if (m.key() != "managedFields") {
                    trimmed.emplace(m.key(), json::value(m.value(), storage));
                }
            }
            out.emplace(field.key(), std::move(trimmed));
        } else {
            out.emplace(field.key(), json::value(field.value(), storage));
        }
    }
    return out;
}

} // namespace

std::shared_ptr<const json::object> compactObject(const json::object& source,
                                                  const CompactOptions& options) {
    std::size_t needed = 0;
    {
        thread_local std::vector<unsigned char> scratchBuffer(64 * 1024);
        json::monotonic_resource scratch(scratchBuffer.data(), scratchBuffer.size());
        MeasuringResource measuring(scratch);
        // Built and dropped in this scope, before the resources go.
        (void)copyInto(source, json::storage_ptr(&measuring), options);
        needed = measuring.needed();
    }
    BlockResource* block = nullptr;
    json::storage_ptr storage = json::make_shared_resource<BlockResource>(needed, block);
    auto copy = std::make_shared<const json::object>(copyInto(source, storage, options));
    block->seal();
    return copy;
}

} // namespace pilot::kube
