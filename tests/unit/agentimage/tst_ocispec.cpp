#include "nodeagent/runtime/runc/ocispec.h"
#include "nodeagent/runtime/runc/sandboxfiles.h"

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <algorithm>

namespace pilot::agent::runc {
namespace {

namespace json = boost::json;

constexpr const char* Passwd = "root:x:0:0:root:/root:/bin/sh\n"
                               "# a comment\n"
                               "www:x:1000:1001:web:/home/www:/bin/sh\n"
                               "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
constexpr const char* Group = "root:x:0:\nwww:x:1001:\nstaff:x:50:www,other\naudio:x:29:other\n"
                              "video:x:44:www\n";

struct UserCase {
    const char* name;
    const char* imageUser;
    std::optional<int64_t> runAsUser;
    std::optional<int64_t> runAsGroup;
    std::vector<int64_t> supplemental;
    uint32_t uid;
    uint32_t gid;
    std::vector<uint32_t> additional;
    const char* home;
};

class UserTable : public ::testing::TestWithParam<UserCase> {};

TEST_P(UserTable, ResolvesLikeContainerd) {
    const UserCase& c = GetParam();
    auto user = resolveUser(c.imageUser, c.runAsUser, c.runAsGroup, c.supplemental, Passwd, Group);
    ASSERT_TRUE(user) << user.error().message;
    EXPECT_EQ(user->uid, c.uid);
    EXPECT_EQ(user->gid, c.gid);
    EXPECT_EQ(user->additionalGids, c.additional);
    EXPECT_EQ(user->home, c.home);
}

INSTANTIATE_TEST_SUITE_P(
    Users, UserTable,
    ::testing::Values(
        UserCase{"default", "", {}, {}, {}, 0, 0, {}, "/root"},
        UserCase{"name", "www", {}, {}, {}, 1000, 1001, {50, 44}, "/home/www"},
        UserCase{"uid in passwd", "1000", {}, {}, {}, 1000, 1001, {50, 44}, "/home/www"},
        UserCase{"uid not in passwd", "4242", {}, {}, {}, 4242, 0, {}, "/"},
        UserCase{"uid and group name", "1000:staff", {}, {}, {}, 1000, 50, {44}, "/home/www"},
        UserCase{"name and gid", "www:7", {}, {}, {}, 1000, 7, {50, 44}, "/home/www"},
        UserCase{"runAsUser wins", "www", 65534, {}, {}, 65534, 65534, {}, "/nonexistent"},
        UserCase{"runAsGroup wins", "www:staff", {}, 3000, {}, 1000, 3000, {50, 44}, "/home/www"},
        UserCase{"supplemental groups",
                 "",
                 1000,
                 2000,
                 {4000, 50},
                 1000,
                 2000,
                 {50, 44, 4000},
                 "/home/www"}),
    [](const auto& testParam) {
        std::string name = testParam.param.name;
        std::replace(name.begin(), name.end(), ' ', '_');
        return name;
    });

TEST(Users, UnknownNamesAreErrors) {
    auto user = resolveUser("ghost", {}, {}, {}, Passwd, Group);
    ASSERT_FALSE(user);
    EXPECT_EQ(user.error().message,
              "unable to find user ghost: no matching entries in passwd file");
    auto group = resolveUser("www:ghosts", {}, {}, {}, Passwd, Group);
    ASSERT_FALSE(group);
    EXPECT_EQ(group.error().message,
              "unable to find group ghosts: no matching entries in group file");
    EXPECT_TRUE(resolveUser("0", {}, {}, {}, "", "")) << "numeric users need no passwd file";
}

struct ArgsCase {
    std::vector<std::string> entrypoint;
    std::vector<std::string> cmd;
    std::vector<std::string> command;
    std::vector<std::string> args;
    std::vector<std::string> expected;
};

class ArgsTable : public ::testing::TestWithParam<ArgsCase> {};

TEST_P(ArgsTable, FollowKubernetesRules) {
    const ArgsCase& c = GetParam();
    image::ImageConfig image;
    image.entrypoint = c.entrypoint;
    image.cmd = c.cmd;
    ContainerConfig container;
    container.name = "app";
    container.command = c.command;
    container.args = c.args;
    auto args = containerArgs(container, image);
    if (c.expected.empty()) {
        ASSERT_FALSE(args);
        EXPECT_NE(args.error().message.find("no command specified"), std::string::npos);
        return;
    }
    ASSERT_TRUE(args) << args.error().message;
    EXPECT_EQ(*args, c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Kubernetes, ArgsTable,
    ::testing::Values(
        // https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/
        ArgsCase{{"/ep-1"}, {"foo", "bar"}, {}, {}, {"/ep-1", "foo", "bar"}},
        ArgsCase{{"/ep-1"}, {"foo", "bar"}, {"/ep-2"}, {}, {"/ep-2"}},
        ArgsCase{{"/ep-1"}, {"foo", "bar"}, {}, {"zoo", "boo"}, {"/ep-1", "zoo", "boo"}},
        ArgsCase{{"/ep-1"}, {"foo", "bar"}, {"/ep-2"}, {"zoo", "boo"}, {"/ep-2", "zoo", "boo"}},
        ArgsCase{{}, {"sh"}, {}, {}, {"sh"}}, ArgsCase{{}, {"sh"}, {}, {"echo"}, {"echo"}},
        ArgsCase{{}, {}, {}, {}, {}}));

TEST(Env, MergesInContainerdsOrder) {
    auto env = mergeEnv({"PATH=/usr/bin", "A=image", "B=image", "HOSTNAME=img", "EMPTY"},
                        {{"B", "pod"}, {"C", "pod"}, {"A", "x=y"}}, "web-1");
    EXPECT_EQ(env, (std::vector<std::string>{"HOSTNAME=img", "PATH=/usr/bin", "A=x=y", "B=pod",
                                             "EMPTY=", "C=pod"}));
    auto withoutPath = mergeEnv({}, {}, "h");
    EXPECT_EQ(withoutPath.front(),
              "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    EXPECT_EQ(withoutPath.back(), "HOSTNAME=h");
}

TEST(Capabilities, DefaultsAddDropAndAll) {
    auto defaults = capabilitySet({}, {}, false);
    EXPECT_EQ(defaults.size(), 14u);
    EXPECT_NE(std::find(defaults.begin(), defaults.end(), "CAP_NET_RAW"), defaults.end());
    EXPECT_EQ(std::find(defaults.begin(), defaults.end(), "CAP_NET_ADMIN"), defaults.end());

    auto added = capabilitySet({"NET_ADMIN", "cap_sys_time", "NOT_A_CAP"}, {"NET_RAW"}, false);
    EXPECT_NE(std::find(added.begin(), added.end(), "CAP_NET_ADMIN"), added.end());
    EXPECT_NE(std::find(added.begin(), added.end(), "CAP_SYS_TIME"), added.end());
    EXPECT_EQ(std::find(added.begin(), added.end(), "CAP_NET_RAW"), added.end());
    EXPECT_EQ(added.size(), 15u);

    EXPECT_EQ(capabilitySet({"NET_BIND_SERVICE"}, {"ALL"}, false),
              std::vector<std::string>{"CAP_NET_BIND_SERVICE"});
    EXPECT_TRUE(capabilitySet({}, {"all"}, false).empty());
    auto all = capabilitySet({"ALL"}, {"SYS_ADMIN"}, false);
    EXPECT_EQ(all.size(), 40u);
    EXPECT_EQ(capabilitySet({}, {"ALL"}, true).size(), 41u) << "privileged gets everything";
}

const json::object* findMount(const json::object& spec, std::string_view destination) {
    for (const auto& m : spec.at("mounts").as_array()) {
        if (m.as_object().at("destination").as_string() == destination) {
            return &m.as_object();
        }
    }
    return nullptr;
}

bool hasNamespace(const json::object& spec, std::string_view type, std::string_view path = {}) {
    for (const auto& ns : spec.at("linux").as_object().at("namespaces").as_array()) {
        const auto& o = ns.as_object();
        if (o.at("type").as_string() == type) {
            return path.empty() || (o.contains("path") && o.at("path").as_string() == path);
        }
    }
    return false;
}

SpecContext context() {
    SpecContext c;
    c.user = {1000, 1001, {50}, "/home/www"};
    c.args = {"httpd", "-f"};
    c.env = {"PATH=/bin"};
    c.workingDir = "/srv";
    c.hostname = "web";
    c.netnsPath = "/run/netns/pilot-1";
    c.hostsPath = "/s/hosts";
    c.resolvPath = "/s/resolv.conf";
    c.hostnamePath = "/s/hostname";
    c.shmPath = "/s/shm";
    c.cgroupsPath = "/pilothouse/abc";
    c.openFilesLimit = 4096;
    return c;
}

TEST(OciSpec, PodContainer) {
    ContainerConfig container;
    container.name = "web";
    container.mounts = {{"/var/lib/pods/x/vol/a/b", "/data/nested/", false},
                        {"/var/lib/pods/x/vol/a", "/data", true}};
    container.resources = {250, 500, 64 * 1024 * 1024};
    auto spec = buildOciSpec(container, context());
    ASSERT_TRUE(spec) << spec.error().message;
    const auto& process = spec->at("process").as_object();
    EXPECT_EQ(process.at("user").as_object().at("uid").to_number<int64_t>(), 1000);
    EXPECT_EQ(process.at("user").as_object().at("gid").to_number<int64_t>(), 1001);
    EXPECT_EQ(process.at("cwd").as_string(), "/srv");
    EXPECT_EQ(process.at("args").as_array().size(), 2u);
    EXPECT_EQ(process.at("capabilities").as_object().at("bounding").as_array().size(), 14u);
    EXPECT_EQ(process.at("rlimits").as_array()[0].as_object().at("hard").to_number<int64_t>(),
              4096);
    EXPECT_EQ(spec->at("hostname").as_string(), "web");
    EXPECT_EQ(spec->at("root").as_object().at("path").as_string(), "rootfs");
    EXPECT_FALSE(spec->at("root").as_object().at("readonly").as_bool());

    EXPECT_TRUE(hasNamespace(*spec, "network", "/run/netns/pilot-1"));
    EXPECT_TRUE(hasNamespace(*spec, "uts"));
    EXPECT_TRUE(hasNamespace(*spec, "pid"));
    EXPECT_TRUE(hasNamespace(*spec, "mount"));
    EXPECT_FALSE(hasNamespace(*spec, "cgroup")) << "v1 host";

    for (const char* destination :
         {"/proc", "/dev", "/dev/pts", "/dev/mqueue", "/sys", "/sys/fs/cgroup", "/etc/hosts",
          "/etc/resolv.conf", "/etc/hostname"}) {
        EXPECT_NE(findMount(*spec, destination), nullptr) << destination;
    }
    EXPECT_EQ(findMount(*spec, "/dev/shm")->at("source").as_string(), "/s/shm");
    // Volumes: parents before children, read-only honoured, trailing slash dropped.
    const auto& mounts = spec->at("mounts").as_array();
    auto position = [&](std::string_view destination) {
        for (size_t i = 0; i < mounts.size(); ++i) {
            if (mounts[i].as_object().at("destination").as_string() == destination) {
                return i;
            }
        }
        return mounts.size();
    };
    EXPECT_LT(position("/data"), position("/data/nested"));
    ASSERT_LT(position("/data/nested"), mounts.size());
    auto options = json::serialize(findMount(*spec, "/data")->at("options"));
    EXPECT_NE(options.find("\"ro\""), std::string::npos) << options;
    EXPECT_NE(options.find("rbind"), std::string::npos);

    const auto& linux = spec->at("linux").as_object();
    EXPECT_EQ(linux.at("cgroupsPath").as_string(), "/pilothouse/abc");
    const auto& resources = linux.at("resources").as_object();
    EXPECT_EQ(resources.at("memory").as_object().at("limit").to_number<int64_t>(),
              64 * 1024 * 1024);
    EXPECT_EQ(resources.at("cpu").as_object().at("shares").to_number<int64_t>(), 256);
    EXPECT_EQ(resources.at("cpu").as_object().at("quota").to_number<int64_t>(), 50000);
    EXPECT_EQ(resources.at("cpu").as_object().at("period").to_number<int64_t>(), 100000);
    EXPECT_FALSE(resources.at("devices").as_array()[0].as_object().at("allow").as_bool());
    EXPECT_FALSE(linux.at("maskedPaths").as_array().empty());
    EXPECT_FALSE(linux.at("readonlyPaths").as_array().empty());
}

TEST(OciSpec, HostNetworkPrivilegedReadOnlyWithoutCgroups) {
    ContainerConfig container;
    container.privileged = true;
    container.readOnlyRootFilesystem = true;
    container.mounts = {{"/my/hosts", "/etc/hosts", false}};
    SpecContext c = context();
    c.hostNetwork = true;
    c.cgroupsPath.clear();
    c.cgroupV2 = true;
    c.shmPath.clear();
    c.openFilesLimit = 0;
    auto spec = buildOciSpec(container, c);
    ASSERT_TRUE(spec);
    EXPECT_FALSE(hasNamespace(*spec, "network"));
    EXPECT_FALSE(hasNamespace(*spec, "uts"));
    EXPECT_TRUE(hasNamespace(*spec, "cgroup"));
    EXPECT_FALSE(spec->contains("hostname"));
    EXPECT_TRUE(spec->at("root").as_object().at("readonly").as_bool());
    EXPECT_FALSE(spec->at("process").as_object().contains("rlimits"));
    EXPECT_EQ(findMount(*spec, "/etc/hosts")->at("source").as_string(), "/my/hosts")
        << "a volume over /etc/hosts replaces the pod's file";
    EXPECT_EQ(findMount(*spec, "/dev/shm")->at("type").as_string(), "tmpfs");
    const auto& linux = spec->at("linux").as_object();
    EXPECT_FALSE(linux.contains("cgroupsPath"));
    EXPECT_FALSE(linux.contains("maskedPaths"));
    EXPECT_FALSE(linux.at("resources").as_object().contains("memory"));
    EXPECT_TRUE(linux.at("resources")
                    .as_object()
                    .at("devices")
                    .as_array()[0]
                    .as_object()
                    .at("allow")
                    .as_bool());
    EXPECT_EQ(spec->at("process")
                  .as_object()
                  .at("capabilities")
                  .as_object()
                  .at("bounding")
                  .as_array()
                  .size(),
              41u);
}

TEST(SandboxFiles, HostsAndResolvConf) {
    SandboxConfig config;
    config.hostname = "web-0";
    config.hostAliases = {{"10.1.2.3", {"foo.local", "bar.local"}}};
    std::string hosts = hostsFileContent(config, "10.88.1.5", "127.0.0.1 hostbox\n");
    EXPECT_TRUE(hosts.starts_with("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n"));
    EXPECT_NE(hosts.find("10.88.1.5\tweb-0\n"), std::string::npos);
    EXPECT_TRUE(
        hosts.ends_with("# Entries added by HostAliases.\n10.1.2.3\tfoo.local bar.local\n"));
    EXPECT_EQ(hosts.find("hostbox"), std::string::npos);
    config.hostNetwork = true;
    EXPECT_TRUE(
        hostsFileContent(config, "", "127.0.0.1 hostbox").starts_with("127.0.0.1 hostbox\n"));

    SandboxConfig dns;
    dns.dnsServers = {"10.96.0.10"};
    dns.dnsSearches = {"default.svc.cluster.local", "svc.cluster.local"};
    dns.dnsOptions = {"ndots:5"};
    EXPECT_EQ(resolvConfContent(dns, "nameserver 1.1.1.1\n", ""),
              "search default.svc.cluster.local svc.cluster.local\nnameserver 10.96.0.10\n"
              "options ndots:5\n");
    SandboxConfig none;
    EXPECT_EQ(resolvConfContent(none, "nameserver 1.1.1.1\n", "x"), "nameserver 1.1.1.1\n");
    EXPECT_EQ(resolvConfContent(none, "nameserver 127.0.0.53\n", "nameserver 9.9.9.9\n"),
              "nameserver 9.9.9.9\n")
        << "systemd-resolved's stub is unreachable from a pod";
}

} // namespace
} // namespace pilot::agent::runc
