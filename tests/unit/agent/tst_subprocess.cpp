#include "nodeagent/runtime/subprocess.h"

#include <gtest/gtest.h>

using namespace pilot;
using namespace pilot::agent;

TEST(Subprocess, RunsAndCollectsOutput) {
    CommandSpec spec;
    spec.argv = {"sh", "-c", "echo out; echo err >&2; exit 3"};
    auto result = runCommand(spec);
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(result->exitCode, 3);
    EXPECT_EQ(result->output, "out\n");
    EXPECT_EQ(result->errorOutput, "err\n");
    EXPECT_FALSE(result->timedOut);
}

TEST(Subprocess, PassesEnvironmentWorkingDirAndInput) {
    CommandSpec spec;
    spec.argv = {"sh", "-c", "echo $GREETING; pwd; cat"};
    spec.env = std::vector<std::string>{"GREETING=hi", "PATH=/usr/bin:/bin"};
    spec.workingDir = "/tmp";
    spec.input = "from stdin";
    auto result = runCommand(spec);
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(result->output, "hi\n/tmp\nfrom stdin");
}

TEST(Subprocess, TimeoutKillsTheProcessGroup) {
    CommandSpec spec;
    spec.argv = {"sh", "-c", "sleep 30 & sleep 30"};
    spec.timeout = std::chrono::milliseconds(200);
    auto started = std::chrono::steady_clock::now();
    auto result = runCommand(spec);
    ASSERT_TRUE(result);
    EXPECT_TRUE(result->timedOut);
    EXPECT_EQ(result->exitCode, 137);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

TEST(Subprocess, MissingExecutableIsReportedLikeRunc) {
    CommandSpec spec;
    spec.argv = {"no-such-command-for-pilothouse"};
    auto result = runCommand(spec);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::NotFound);
    EXPECT_EQ(result.error().message,
              "exec: \"no-such-command-for-pilothouse\": executable file not found in $PATH");
}

TEST(Subprocess, SignalledExitCodes) {
    CommandSpec spec;
    spec.argv = {"sh", "-c", "kill -TERM $$"};
    auto result = runCommand(spec);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->exitCode, 143);
    EXPECT_EQ(result->signal, 15);
}
