#pragma once

#include "nodeagent/runtime/runtime.h"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pilot::agent::test {

/// A runtime that does nothing and succeeds: tests derive from it and override only what the
/// code under test uses (exec for probes, the image store for image GC).
class NullRuntime : public Runtime {
public:
    std::string_view kind() const override { return "fake"; }
    std::string version() const override { return "fake://0"; }
    Result<ImageInfo> pullImage(const std::string&,
                                const std::vector<RegistryCredential>&) override {
        return ImageInfo{};
    }
    std::optional<ImageInfo> imageStatus(const std::string&) override { return std::nullopt; }
    Result<std::vector<ImageInfo>> listImages() override { return std::vector<ImageInfo>{}; }
    Status removeImage(const std::string&) override { return {}; }
    Result<SandboxStatus> runSandbox(const SandboxConfig&) override { return SandboxStatus{}; }
    Status stopSandbox(const std::string&) override { return {}; }
    Status removeSandbox(const std::string&) override { return {}; }
    Result<std::vector<SandboxStatus>> listSandboxes() override {
        return std::vector<SandboxStatus>{};
    }
    Result<std::string> createContainer(const std::string&, const ContainerConfig&) override {
        return std::string("c");
    }
    Status startContainer(const std::string&) override { return {}; }
    Status stopContainer(const std::string&, std::chrono::seconds) override { return {}; }
    Status removeContainer(const std::string&) override { return {}; }
    Result<ContainerStatus> containerStatus(const std::string&) override {
        return ContainerStatus{};
    }
    Result<std::vector<ContainerStatus>> listContainers() override {
        return std::vector<ContainerStatus>{};
    }
    Result<ExecResult> execSync(const std::string&, const std::vector<std::string>&,
                                std::chrono::milliseconds) override {
        return ExecResult{};
    }
    Result<std::unique_ptr<ExecSession>> exec(const std::string&, ExecOptions) override {
        return fail(ErrorCode::Internal, "no");
    }
    Result<ContainerStats> containerStats(const std::string&) override { return ContainerStats{}; }
    void setEventHandler(std::function<void(const ContainerEvent&)>) override {}
};

} // namespace pilot::agent::test
