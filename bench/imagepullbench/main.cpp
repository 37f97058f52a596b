// pilot-imagepullbench: image pull throughput of the agent's ImageManager (download, verify,
// store and unpack in one pass) beside skopeo copying the same image from the same local
// Debian docker-registry, in the same run (docs/budgets.md: >= 150 MB/s for a 100 MB image).

#include "nodeagent/image/imagemanager.h"
#include "tests/unit/agentimage/support/registryprocess.h"
#include "tests/unit/agentimage/support/testimage.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;
using namespace pilot::agent;

namespace {

struct Options {
    int layers = 5;
    int randomMiB = 16; ///< Incompressible part of each layer.
    int textMiB = 16;   ///< Compressible part of each layer.
    int runs = 5;
};

double seconds(std::chrono::steady_clock::duration d) {
    return std::chrono::duration<double>(d).count();
}

double cpuSeconds() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
           (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

std::string randomBytes(size_t size, uint64_t seed) {
    std::mt19937_64 engine(seed);
    std::string out(size, '\0');
    for (size_t i = 0; i + 8 <= size; i += 8) {
        uint64_t value = engine();
        std::memcpy(out.data() + i, &value, 8);
    }
    return out;
}

std::string textBytes(size_t size, uint64_t seed) {
    std::mt19937_64 engine(seed);
    static const char* words[] = {"pod",      "node",      "image",   "layer",
                                  "registry", "container", "runtime", "sandbox",
                                  "network",  "volume",    "kubelet", "overlay"};
    std::string out;
    out.reserve(size + 32);
    while (out.size() < size) {
        out += words[engine() % 12];
        out += (engine() % 9 == 0) ? '\n' : ' ';
        out += std::to_string(engine() % 1000);
        out += ' ';
    }
    out.resize(size);
    return out;
}

int usage() {
    std::fprintf(stderr,
                 "usage: pilot-imagepullbench [--layers N] [--random-mib N] [--text-mib N] "
                 "[--runs N]\n"
                 "Builds an image of N layers (each a random and a text file), pushes it to a\n"
                 "local docker-registry with skopeo, then times pulls by the agent's image\n"
                 "manager (with and without fdatasync of blobs) beside `skopeo copy` to an OCI\n"
                 "layout. Needs docker-registry, skopeo and busybox-static.\n");
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto next = [&]() -> int {
            if (i + 1 >= argc) {
                std::exit(usage());
            }
            return std::atoi(argv[++i]);
        };
        if (arg == "--layers") {
            options.layers = next();
        } else if (arg == "--random-mib") {
            options.randomMiB = next();
        } else if (arg == "--text-mib") {
            options.textMiB = next();
        } else if (arg == "--runs") {
            options.runs = next();
        } else {
            return usage();
        }
    }
    if (!testing::haveProgram("/usr/bin/docker-registry") ||
        !testing::haveProgram("/usr/bin/skopeo")) {
        std::fprintf(stderr, "needs docker-registry and skopeo\n");
        return 1;
    }
    char pattern[] = "/tmp/pilot-pullbench-XXXXXX";
    fs::path dir = ::mkdtemp(pattern);

    testing::ImageSpec spec;
    spec.architecture = image::hostPlatform().architecture;
    spec.layers.push_back(testing::makeLayer(testing::busyboxRootfs("bench\n")));
    for (int i = 0; i < options.layers; ++i) {
        spec.layers.push_back(testing::makeLayer(
            {testing::TarEntry::dir("data"),
             testing::TarEntry::file(fmt::format("data/random-{}.bin", i),
                                     randomBytes(size_t(options.randomMiB) << 20, 1000 + i)),
             testing::TarEntry::file(fmt::format("data/text-{}.txt", i),
                                     textBytes(size_t(options.textMiB) << 20, 2000 + i))}));
    }
    uint64_t compressed = 0;
    uint64_t uncompressed = 0;
    for (const auto& layer : spec.layers) {
        compressed += layer.compressed.size();
        uncompressed += layer.tar.size();
    }
    testing::RegistryProcess registry;
    if (!registry.start()) {
        std::fprintf(stderr, "%s\n", registry.error().c_str());
        return 1;
    }
    testing::writeOciLayout((dir / "layout").string(), "v1", spec);
    if (!registry.push((dir / "layout").string(), "v1", "bench/big:1")) {
        std::fprintf(stderr, "%s\n", registry.error().c_str());
        return 1;
    }
    std::string reference = registry.host() + "/bench/big:1";
    std::printf("image: %zu layers, %.1f MB compressed, %.1f MB uncompressed, %d runs each\n",
                spec.layers.size(), compressed / 1e6, uncompressed / 1e6, options.runs);

    std::vector<double> pullCpu;
    auto timePull = [&](bool sync, bool keep) {
        std::vector<double> times;
        std::vector<double> cpu;
        for (int run = 0; run < options.runs; ++run) {
            fs::path root = dir / fmt::format("images-{}-{}-{}", sync, keep, run);
            image::ImageManagerOptions o;
            o.root = root.string();
            o.syncLayerBlobs = sync;
            o.keepLayerBlobs = keep;
            auto manager = image::ImageManager::open(o);
            if (!manager) {
                std::fprintf(stderr, "%s\n", manager.error().message.c_str());
                std::exit(1);
            }
            ::sync();
            double cpuBefore = cpuSeconds();
            auto start = std::chrono::steady_clock::now();
            auto pulled = (*manager)->pull(reference, {});
            double elapsed = seconds(std::chrono::steady_clock::now() - start);
            cpu.push_back(cpuSeconds() - cpuBefore);
            if (!pulled) {
                std::fprintf(stderr, "pull failed: %s\n", pulled.error().message.c_str());
                std::exit(1);
            }
            times.push_back(elapsed);
            manager->reset();
            fs::remove_all(root);
        }
        pullCpu.push_back(median(cpu));
        return times;
    };
    auto timeSkopeo = [&] {
        std::vector<double> times;
        for (int run = 0; run < options.runs; ++run) {
            fs::path target = dir / fmt::format("skopeo-{}", run);
            ::sync();
            auto start = std::chrono::steady_clock::now();
            std::string output;
            int rc =
                testing::runProgram({"/usr/bin/skopeo", "copy", "--quiet", "--src-tls-verify=false",
                                     "docker://" + reference, "oci:" + target.string() + ":1"},
                                    &output);
            double elapsed = seconds(std::chrono::steady_clock::now() - start);
            if (rc != 0) {
                std::fprintf(stderr, "skopeo failed: %s\n", output.c_str());
                std::exit(1);
            }
            times.push_back(elapsed);
            fs::remove_all(target);
        }
        return times;
    };

    // The transfer alone: every layer blob through the Distribution client into a hasher.
    auto timeFetch = [&] {
        std::vector<double> times;
        image::RegistryClient client(image::RegistryOptions{});
        auto ref = image::parseImageReference(reference);
        for (int run = 0; run < options.runs; ++run) {
            auto session = client.openRepository(*ref, {});
            auto start = std::chrono::steady_clock::now();
            for (const auto& layer : spec.layers) {
                auto digest = image::sha256Of(layer.compressed);
                image::Sha256 hash;
                auto status = session->fetchBlob(digest, [&](const char* data, size_t size) {
                    hash.update(data, size);
                    return pilot::Status{};
                });
                if (!status || hash.finish() != digest) {
                    std::fprintf(stderr, "fetch failed\n");
                    std::exit(1);
                }
            }
            times.push_back(seconds(std::chrono::steady_clock::now() - start));
        }
        return times;
    };

    auto fetch = timeFetch();
    auto skopeo = timeSkopeo();
    auto syncedTimes = timePull(true, true);
    auto defaultTimes = timePull(false, true);
    auto discardTimes = timePull(false, false);
    auto row = [&](const char* what, const std::vector<double>& times) {
        double m = median(times);
        std::string all;
        for (double t : times) {
            all += fmt::format("{}{:.3f}", all.empty() ? "" : " ", t);
        }
        std::printf("%-58s median %.3f s  %6.0f MB/s compressed  %6.0f MB/s unpacked  (%s)\n", what,
                    m, compressed / 1e6 / m, uncompressed / 1e6 / m, all.c_str());
        return m;
    };
    row("pilot fetch only: layers over HTTP into SHA-256, sequential", fetch);
    double anchor = row("skopeo copy docker:// -> oci: (anchor, no unpacking)", skopeo);
    double synced = row("pilot pull: verify + store + unpack, fdatasync layer blobs", syncedTimes);
    double fast = row("pilot pull: verify + store + unpack (default: no fdatasync)", defaultTimes);
    row("pilot pull: verify + unpack, layer blobs not kept", discardTimes);
    std::printf("pilot pull CPU (user+sys, all threads), median: %.3f s synced, %.3f s default, "
                "%.3f s without layer blobs\n",
                pullCpu[0], pullCpu[1], pullCpu[2]);
    std::printf("pilot/skopeo time ratio: %.2f (synced), %.2f (no sync); budget >= 150 MB/s: %s\n",
                synced / anchor, fast / anchor, compressed / 1e6 / fast >= 150 ? "met" : "missed");
    registry.stop();
    fs::remove_all(dir);
    return 0;
}
