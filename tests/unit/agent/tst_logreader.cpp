#include "nodeagent/logs/logreader.h"

#include "nodeagent/runtime/crilog.h"
#include "nodeagent/server/agentserver.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace pilot;
using namespace pilot::agent;
namespace fs = std::filesystem;

namespace {

class LogReaderTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "logreader-XXXXXX").string();
        m_dir = mkdtemp(pattern.data());
        m_path = (m_dir / "0.log").string();
    }
    void TearDown() override { fs::remove_all(m_dir); }

    void append(std::string_view text) { std::ofstream(m_path, std::ios::app) << text; }

    std::string all(LogOptions options) {
        LogReader reader(m_path, options);
        std::string out;
        while (true) {
            auto chunk = reader.read();
            if (!chunk || chunk->empty()) {
                return out;
            }
            out += *chunk;
        }
    }

    fs::path m_dir;
    std::string m_path;
};

} // namespace

TEST_F(LogReaderTest, JoinsPartialRecordsAndAppliesTailSinceAndLimit) {
    append("2026-01-01T00:00:01.000000000Z stdout F one\n"
           "2026-01-01T00:00:02.500000000Z stderr F two\n"
           "2026-01-01T00:00:03.000000000Z stdout P thr\n"
           "2026-01-01T00:00:03.000000001Z stdout F ee\n"
           "garbage line\n");
    EXPECT_EQ(all({}), "one\ntwo\nthree\n");
    LogOptions tail;
    tail.tailLines = 2;
    EXPECT_EQ(all(tail), "two\nthree\n"); // A line split into partial records counts once.
    LogOptions stamped;
    stamped.timestamps = true;
    stamped.tailLines = 2;
    EXPECT_EQ(all(stamped), "2026-01-01T00:00:02.5Z two\n2026-01-01T00:00:03Z three\n");
    LogOptions since;
    since.since = *parseTime("2026-01-01T00:00:02Z");
    EXPECT_EQ(all(since), "two\nthree\n");
    LogOptions limit;
    limit.limitBytes = 6;
    EXPECT_EQ(all(limit), "one\ntw");
}

TEST_F(LogReaderTest, FollowsAppendsAndRotation) {
    CriLogWriter writer(m_path, 200, 3);
    ASSERT_TRUE(writer.open());
    LogReader reader(m_path, {});
    writer.write(LogStream::Stdout, "first\nhalf", std::chrono::system_clock::now());
    EXPECT_EQ(*reader.read(), "first\n");
    EXPECT_EQ(*reader.read(), "");
    std::string expected;
    for (int i = 0; i < 20; ++i) {
        writer.write(LogStream::Stdout, " line " + std::to_string(i) + "\n",
                     std::chrono::system_clock::now());
        expected += (i == 0 ? "half" : "") + std::string(" line ") + std::to_string(i) + "\n";
    }
    // The writer rotated several times; what the reader has not read of a rotated file is lost
    // only when it was rotated away twice, so read as a follower does: often.
    std::string got;
    for (int i = 0; i < 10; ++i) {
        got += *reader.read();
    }
    EXPECT_TRUE(fs::exists(m_path + ".1"));
    EXPECT_NE(got.find(" line 19\n"), std::string::npos) << got;
}

TEST(LogQuery, ParsesKubeletsParameters) {
    TimePoint now = *parseTime("2026-01-01T00:01:00Z");
    auto parsed = parseLogQuery(
        "follow=true&tailLines=10&timestamps=1&previous=True&limitBytes=500&sinceSeconds=30", now);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_TRUE(parsed->options.follow);
    EXPECT_TRUE(parsed->previous);
    EXPECT_TRUE(parsed->options.timestamps);
    EXPECT_EQ(*parsed->options.tailLines, 10);
    EXPECT_EQ(*parsed->options.limitBytes, 500);
    EXPECT_EQ(*parsed->options.since, *parseTime("2026-01-01T00:00:30Z"));
    auto sinceTime = parseLogQuery("sinceTime=2026-01-01T00%3A00%3A10Z", now);
    ASSERT_TRUE(sinceTime);
    EXPECT_EQ(*sinceTime->options.since, *parseTime("2026-01-01T00:00:10Z"));
    EXPECT_FALSE(parseLogQuery("tailLines=x", now));
    EXPECT_FALSE(parseLogQuery("limitBytes=0", now));
    EXPECT_FALSE(parseLogQuery("follow=maybe", now));
    EXPECT_EQ(rfc3339Nano("2016-10-06T00:17:09.669794200Z"), "2016-10-06T00:17:09.6697942Z");
}

TEST(AgentServer, OnlyTheApiServerAndClusterAdminsMayUseIt) {
    EXPECT_TRUE(isAuthorizedClient("kube-apiserver-kubelet-client", {}));
    EXPECT_TRUE(isAuthorizedClient("admin", {"system:masters"}));
    EXPECT_FALSE(isAuthorizedClient("jane", {"developers"}));
    EXPECT_FALSE(isAuthorizedClient("system:node:n1", {"system:nodes"}));
}
