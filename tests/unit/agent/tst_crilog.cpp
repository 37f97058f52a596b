#include "nodeagent/runtime/crilog.h"

#include "nodeagent/runtime/fileutil.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <vector>

using namespace pilot;
using namespace pilot::agent;

namespace {

std::filesystem::path tempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "crilog-XXXXXX").string();
    return mkdtemp(pattern.data());
}

std::vector<std::string> lines(const std::string& path) {
    auto text = readFile(path);
    std::vector<std::string> out;
    if (!text) {
        return out;
    }
    std::istringstream in(*text);
    for (std::string line; std::getline(in, line);) {
        out.push_back(line);
    }
    return out;
}

} // namespace

TEST(CriLog, FormatsNanosecondTimestamps) {
    TimePoint t =
        TimePoint(std::chrono::seconds(1475713029)) +
        std::chrono::duration_cast<TimePoint::duration>(std::chrono::nanoseconds(669794202));
    EXPECT_EQ(formatNanoTime(t), "2016-10-06T00:17:09.669794202Z");
}

TEST(CriLog, ParsesKubeletRecords) {
    auto record = parseCriLine("2016-10-06T00:17:09.669794202Z stdout F hello world");
    ASSERT_TRUE(record);
    EXPECT_EQ(record->stream, LogStream::Stdout);
    EXPECT_FALSE(record->partial);
    EXPECT_EQ(record->content, "hello world");
    EXPECT_EQ(record->timestamp, "2016-10-06T00:17:09.669794202Z");

    auto partial = parseCriLine("2016-10-06T00:17:09.669794202Z stderr P part");
    ASSERT_TRUE(partial);
    EXPECT_EQ(partial->stream, LogStream::Stderr);
    EXPECT_TRUE(partial->partial);
    EXPECT_EQ(partial->content, "part");

    auto empty = parseCriLine("2016-10-06T00:17:09.669794202Z stdout F ");
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->content, "");

    EXPECT_FALSE(parseCriLine("garbage"));
    EXPECT_FALSE(parseCriLine("2016-10-06T00:17:09Z stdin F x"));
    EXPECT_FALSE(parseCriLine("yesterday stdout F x"));
}

TEST(CriLog, WriterSplitsLinesPerStreamAndKeepsPartialLinesTogether) {
    auto dir = tempDir();
    std::string path = (dir / "c" / "0.log").string();
    CriLogWriter writer(path, 0, 1);
    ASSERT_TRUE(writer.open());
    TimePoint now = std::chrono::system_clock::now();
    writer.write(LogStream::Stdout, "one\ntw", now);
    writer.write(LogStream::Stderr, "oops\n", now);
    writer.write(LogStream::Stdout, "o\nthree", now);
    writer.flush(now);
    auto got = lines(path);
    ASSERT_EQ(got.size(), 4u);
    std::vector<std::string> contents;
    for (const auto& line : got) {
        auto record = parseCriLine(line);
        ASSERT_TRUE(record) << line;
        contents.push_back(std::string(record->stream == LogStream::Stdout ? "out:" : "err:") +
                           std::string(record->content));
    }
    EXPECT_EQ(contents, (std::vector<std::string>{"out:one", "err:oops", "out:two", "out:three"}));
    std::filesystem::remove_all(dir);
}

TEST(CriLog, LongLinesBecomePartialRecords) {
    auto dir = tempDir();
    std::string path = (dir / "0.log").string();
    CriLogWriter writer(path, 0, 1);
    ASSERT_TRUE(writer.open());
    std::string big(CriMaxLineBytes * 2 + 10, 'x');
    writer.write(LogStream::Stdout, big + "\n", std::chrono::system_clock::now());
    auto got = lines(path);
    ASSERT_EQ(got.size(), 3u);
    std::string joined;
    for (size_t i = 0; i < got.size(); ++i) {
        auto record = parseCriLine(got[i]);
        ASSERT_TRUE(record);
        EXPECT_EQ(record->partial, i + 1 < got.size());
        joined += record->content;
    }
    EXPECT_EQ(joined, big);
    std::filesystem::remove_all(dir);
}

TEST(CriLog, RotatesBySizeKeepingMaxFiles) {
    auto dir = tempDir();
    std::string path = (dir / "0.log").string();
    CriLogWriter writer(path, 500, 3);
    ASSERT_TRUE(writer.open());
    for (int i = 0; i < 100; ++i) {
        writer.write(LogStream::Stdout, "line " + std::to_string(i) + "\n",
                     std::chrono::system_clock::now());
    }
    EXPECT_TRUE(std::filesystem::exists(path));
    EXPECT_TRUE(std::filesystem::exists(path + ".1"));
    EXPECT_TRUE(std::filesystem::exists(path + ".2"));
    EXPECT_FALSE(std::filesystem::exists(path + ".3"));
    EXPECT_LT(std::filesystem::file_size(path + ".1"), 600u);
    // The newest line is in the live file, the ones just before in .1.
    auto live = lines(path);
    auto rotated = lines(path + ".1");
    std::string last = live.empty() ? rotated.back() : live.back();
    EXPECT_EQ(parseCriLine(last)->content, "line 99");
    std::filesystem::remove_all(dir);
}
