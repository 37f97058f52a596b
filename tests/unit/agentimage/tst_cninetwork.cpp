#include "nodeagent/network/cninetwork.h"
#include "nodeagent/network/netns.h"
#include "tests/unit/agentimage/support/nettest.h"
#include "tests/unit/agentimage/support/registryprocess.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

namespace pilot::agent::network {
namespace {

namespace fs = std::filesystem;

/// Runs `argv` inside a network namespace (setns in the child), returns its pid.
pid_t runInNamespace(const std::string& netns, const std::vector<std::string>& argv) {
    pid_t pid = ::fork();
    if (pid == 0) {
        int fd = ::open(netns.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) {
            ::_exit(126);
        }
        int devnull = ::open("/dev/null", O_RDWR);
        ::dup2(devnull, 0);
        ::dup2(devnull, 1);
        ::dup2(devnull, 2);
        std::vector<char*> args;
        for (const auto& arg : argv) {
            args.push_back(const_cast<char*>(arg.c_str()));
        }
        args.push_back(nullptr);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    return pid;
}

class CniIntegration : public ::testing::Test {
protected:
    void SetUp() override {
        if (::geteuid() != 0) {
            GTEST_SKIP() << "CNI plugins and network namespaces need root";
        }
        if (!fs::exists("/usr/lib/cni/bridge") || !fs::exists("/bin/busybox")) {
            GTEST_SKIP() << "needs containernetworking-plugins and busybox-static";
        }
        char pattern[] = "/tmp/pilot-cni-XXXXXX";
        m_dir = ::mkdtemp(pattern);
        fs::create_directories(m_dir / "www");
        std::ofstream(m_dir / "www/index.html") << "hello from the pod\n";
    }
    void TearDown() override {
        for (pid_t pid : m_children) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
        for (auto& [network, id] : m_attached) {
            (void)network->tearDown(id);
        }
        for (const auto& ns : m_namespaces) {
            (void)removeNetworkNamespace(ns);
        }
        for (const auto& bridge : m_bridges) {
            (void)testing::runProgram({"/usr/sbin/ip", "link", "delete", bridge});
        }
        std::error_code ignored;
        if (!m_dir.empty()) {
            fs::remove_all(m_dir, ignored);
        }
    }

    /// The fixture owns the networks so TearDown can still detach pods from them.
    CniNetwork* open(const std::string& nodeName) {
        NetworkOptions options;
        options.dataDir = (m_dir / nodeName / "network").string();
        options.nodeName = nodeName + "-" + m_dir.filename().string();
        options.netnsDir = (m_dir / "netns").string();
        auto network = CniNetwork::open(options);
        EXPECT_TRUE(network) << network.error().message;
        if (!network) {
            return nullptr;
        }
        m_bridges.push_back((*network)->plan().bridge);
        m_networks.push_back(std::move(*network));
        return m_networks.back().get();
    }

    fs::path m_dir;
    std::vector<std::unique_ptr<CniNetwork>> m_networks;
    std::vector<pid_t> m_children;
    std::vector<std::pair<CniNetwork*, std::string>> m_attached;
    std::vector<std::string> m_namespaces;
    std::vector<std::string> m_bridges;
};

TEST_F(CniIntegration, AddGivesAReachablePodIpWithHostPortsAndDelRemovesIt) {
    auto network = open("n1");
    ASSERT_TRUE(network);
    std::string podId = "0123456789abcdef0123456789abcdef";
    auto netns = network->createNamespace(podId);
    ASSERT_TRUE(netns) << netns.error().message;
    m_namespaces.push_back(*netns);
    EXPECT_TRUE(isNetworkNamespace(*netns));

    PodAttachment pod{podId,     *netns,  "web",
                      "default", "uid-1", {{"TCP", 8080, 18080 + (::getpid() % 1000), ""}}};
    auto status = network->setUp(pod);
    ASSERT_TRUE(status) << status.error().message;
    m_attached.emplace_back(network, podId);
    EXPECT_EQ(status->interfaceName, "eth0");
    EXPECT_EQ(status->gateway, network->plan().gateway);
    EXPECT_TRUE(
        status->ip.starts_with(network->plan().subnet.substr(0, network->plan().subnet.rfind('.'))))
        << status->ip << " not in " << network->plan().subnet;

    m_children.push_back(runInNamespace(
        *netns, {"/bin/busybox", "httpd", "-f", "-p", "8080", "-h", (m_dir / "www").string()}));
    auto page = testing::httpGetWithin(status->ip, 8080, "/index.html", std::chrono::seconds(10));
    ASSERT_TRUE(page) << "pod IP " << status->ip << " not reachable from the host";
    EXPECT_NE(page->find("hello from the pod"), std::string::npos);

    // The host port forwards to the pod (portmap DNAT of locally generated traffic).
    auto viaHostPort =
        testing::httpGet(network->plan().gateway, pod.ports[0].hostPort, "/index.html");
    ASSERT_TRUE(viaHostPort) << "hostPort " << pod.ports[0].hostPort << " not forwarded";
    EXPECT_NE(viaHostPort->find("hello from the pod"), std::string::npos);

    auto checked = network->check(podId);
    EXPECT_TRUE(checked) << "CHECK of a healthy attachment: " << checked.error().message;
    auto cached = network->podStatus(podId);
    ASSERT_TRUE(cached);
    EXPECT_EQ(cached->ip, status->ip);

    ASSERT_TRUE(network->tearDown(podId));
    m_attached.clear();
    EXPECT_FALSE(testing::httpGet(status->ip, 8080, "/", std::chrono::milliseconds(500)))
        << "the pod is unreachable after DEL";
    EXPECT_FALSE(testing::httpGet(network->plan().gateway, pod.ports[0].hostPort, "/",
                                  std::chrono::milliseconds(500)))
        << "the host port is released";
    EXPECT_EQ(network->podStatus(podId).error().code, ErrorCode::NotFound);
    EXPECT_TRUE(network->tearDown(podId)) << "DEL is idempotent";
    ASSERT_TRUE(removeNetworkNamespace(*netns));
    EXPECT_FALSE(fs::exists(*netns));
    m_namespaces.clear();
}

TEST_F(CniIntegration, TwoAgentsOnOneMachineDoNotCollide) {
    auto first = open("agent-a");
    auto second = open("agent-b");
    ASSERT_TRUE(first && second);
    EXPECT_NE(first->plan().bridge, second->plan().bridge);
    EXPECT_NE(first->plan().subnet, second->plan().subnet);

    std::vector<std::string> ips;
    for (auto* network : {first, second}) {
        std::string podId = "pod-" + network->plan().name;
        auto netns = network->createNamespace(podId);
        ASSERT_TRUE(netns) << netns.error().message;
        m_namespaces.push_back(*netns);
        auto status = network->setUp({podId, *netns, "p", "default", "u", {}});
        ASSERT_TRUE(status) << status.error().message;
        m_attached.emplace_back(network, podId);
        ips.push_back(status->ip);
        m_children.push_back(runInNamespace(
            *netns, {"/bin/busybox", "httpd", "-f", "-p", "80", "-h", (m_dir / "www").string()}));
    }
    EXPECT_NE(ips[0], ips[1]);
    for (const auto& ip : ips) {
        EXPECT_TRUE(testing::httpGetWithin(ip, 80, "/index.html", std::chrono::seconds(10))) << ip;
    }
    // A restarted agent keeps its subnet.
    auto reopened = open("agent-a");
    ASSERT_TRUE(reopened);
    m_bridges.pop_back();
    EXPECT_EQ(reopened->plan().subnet, first->plan().subnet);
}

} // namespace
} // namespace pilot::agent::network
