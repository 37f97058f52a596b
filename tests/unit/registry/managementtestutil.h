#pragma once

#include "engine/registry/distribution/registryhttp.h"
#include "engine/registry/management/registrymanagement.h"
#include "tests/unit/registry/registrytestutil.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::registry::test {

/// The response to a dispatched request, its body (when the handler takes one) written at once.
inline RegistryResponse complete(Dispatch dispatch, std::string_view body) {
    if (!dispatch.body) {
        return std::move(dispatch.response);
    }
    EXPECT_TRUE(dispatch.body->write(body));
    return dispatch.body->finish();
}

/// Holds a GC run or retention execution at its `pauseAt`-th cancellation point until
/// `release` (install `observer()` with the job's setCheckpointObserver). Released when
/// destroyed, so a failed test never leaves the job thread waiting.
class CheckpointGate {
public:
    explicit CheckpointGate(int pauseAt) : m_state(std::make_shared<State>()) {
        m_state->pauseAt = pauseAt;
    }
    ~CheckpointGate() { release(); }
    CheckpointGate(const CheckpointGate&) = delete;
    CheckpointGate& operator=(const CheckpointGate&) = delete;

    [[nodiscard]] std::function<void(int64_t)> observer() const {
        return [state = m_state](int64_t) {
            std::unique_lock lock(state->mutex);
            if (++state->calls != state->pauseAt) {
                return;
            }
            state->paused = true;
            state->changed.notify_all();
            state->changed.wait(lock, [&] { return state->released; });
        };
    }
    /// Whether the job reached the pause point (waits up to 30 s).
    [[nodiscard]] bool waitPaused() const {
        std::unique_lock lock(m_state->mutex);
        return m_state->changed.wait_for(lock, std::chrono::seconds(30),
                                         [&] { return m_state->paused; });
    }
    void release() const {
        std::lock_guard lock(m_state->mutex);
        m_state->released = true;
        m_state->changed.notify_all();
    }

private:
    struct State {
        std::mutex mutex;
        std::condition_variable changed;
        int pauseAt = 0;
        int calls = 0;
        bool paused = false;
        bool released = false;
    };
    std::shared_ptr<State> m_state;
};

/// Storage plus the management layer on a manual clock, without the background thread (tests
/// call `tick` and `waitForJobs`).
class ManagementFixture : public ::testing::Test {
protected:
    void SetUp() override {
        storage = openStorage(dir.str(), &clock);
        ASSERT_TRUE(storage);
        management::ManagementOptions options;
        options.background = false;
        auto opened = management::RegistryManagement::open(*storage, options, &clock);
        ASSERT_TRUE(opened.has_value()) << opened.error().message;
        mgmt = std::move(*opened);
    }
    void TearDown() override { mgmt.reset(); }

    struct Image {
        Digest manifest;
        std::vector<Digest> blobs;
        size_t bytes = 0; ///< config + layer + manifest
    };

    /// Pushes a one-layer image (layer of `layerSize` bytes) tagged `tag` (none when empty).
    Image pushImage(const std::string& repository, const std::string& seed, const std::string& tag,
                    size_t layerSize = 64) {
        std::string config = "config " + seed;
        std::string layer = "layer " + seed;
        layer.resize(std::max(layer.size(), layerSize), '.');
        Digest c = pushBlob(*storage, repository, config);
        Digest l = pushBlob(*storage, repository, layer);
        std::string bytes = imageManifest(c, config.size(), {{l, layer.size()}});
        auto document = parseManifest(bytes, mediatype::OciManifest);
        EXPECT_TRUE(document.has_value());
        Digest digest = Digest::sha256(bytes);
        std::optional<std::string_view> tagged;
        if (!tag.empty()) {
            tagged = tag;
        }
        auto put = storage->manifests().put(repository, bytes, digest, *document, tagged);
        EXPECT_TRUE(put.has_value()) << (put ? "" : put.error().message);
        return {digest, {c, l}, config.size() + layer.size() + bytes.size()};
    }

    TempDir dir;
    ManualClock clock{std::chrono::system_clock::now()};
    std::unique_ptr<RegistryStorage> storage;
    std::unique_ptr<management::RegistryManagement> mgmt;
};

} // namespace pilot::registry::test
