#include "nodeagent/volume/atomicwriter.h"

#include "nodeagent/runtime/fileutil.h"

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <set>

#include <sys/stat.h>
#include <unistd.h>

namespace pilot::agent {
namespace fs = std::filesystem;

namespace {

constexpr const char* DataDirName = "..data";
constexpr const char* DataTmpName = "..data_tmp";

Status validatePath(const std::string& path) {
    if (path.empty()) {
        return fail(ErrorCode::InvalidArgument, "invalid path: must not be empty");
    }
    if (path.front() == '/') {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("invalid path {:?}: must be relative", path));
    }
    if (path.starts_with("..")) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("invalid path {:?}: must not start with '..'", path));
    }
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string::npos) {
            end = path.size();
        }
        if (path.compare(start, end - start, "..") == 0) {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("invalid path {:?}: must not contain '..'", path));
        }
        start = end + 1;
    }
    return {};
}

std::string topLevel(const std::string& path) {
    return path.substr(0, path.find('/'));
}

/// Whether the files under `dir` are exactly `payload` (content and mode).
bool sameContent(const std::string& dir, const VolumePayload& payload) {
    size_t count = 0;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
        if (!it->is_regular_file()) {
            continue;
        }
        ++count;
        std::string rel = fs::relative(it->path(), dir).string();
        auto entry = payload.find(rel);
        if (entry == payload.end()) {
            return false;
        }
        struct stat st {};
        if (::stat(it->path().c_str(), &st) != 0 ||
            static_cast<int>(st.st_mode & 07777) != entry->second.mode) {
            return false;
        }
        auto data = readFile(it->path().string());
        if (!data || *data != entry->second.data) {
            return false;
        }
    }
    return !ec && count == payload.size();
}

std::string timestampedName() {
    auto now = std::chrono::system_clock::now();
    std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return fmt::format("..{:04}_{:02}_{:02}_{:02}_{:02}_{:02}.", tm.tm_year + 1900, tm.tm_mon + 1,
                       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

} // namespace

Result<bool> AtomicWriter::write(const VolumePayload& payload) {
    for (const auto& [path, file] : payload) {
        if (auto valid = validatePath(path); !valid) {
            return std::unexpected(valid.error());
        }
    }
    if (auto made = makeDirectories(m_targetDir, 0755); !made) {
        return std::unexpected(made.error());
    }
    std::string dataLink = m_targetDir + "/" + DataDirName;
    std::string oldTsDir;
    char link[4096];
    ssize_t n = ::readlink(dataLink.c_str(), link, sizeof link - 1);
    if (n > 0) {
        oldTsDir = std::string(link, static_cast<size_t>(n));
    }
    std::set<std::string> wantedTop;
    for (const auto& [path, file] : payload) {
        wantedTop.insert(topLevel(path));
    }
    // Existing user-visible entries (everything not starting with "..").
    std::set<std::string> visible;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(m_targetDir, ec)) {
        std::string name = entry.path().filename().string();
        if (!name.starts_with("..")) {
            visible.insert(name);
        }
    }
    bool linksComplete = visible == wantedTop;
    if (!oldTsDir.empty() && linksComplete && sameContent(m_targetDir + "/" + oldTsDir, payload)) {
        return false;
    }

    std::string pattern = m_targetDir + "/" + timestampedName() + "XXXXXXXXXX";
    if (!::mkdtemp(pattern.data())) {
        return fail(ErrorCode::Internal, osError("mkdtemp", pattern, errno));
    }
    std::string tsDir = pattern;
    ::chmod(tsDir.c_str(), 0755);
    for (const auto& [path, file] : payload) {
        std::string full = tsDir + "/" + path;
        size_t slash = full.find_last_of('/');
        if (auto made = makeDirectories(full.substr(0, slash), 0755); !made) {
            return std::unexpected(made.error());
        }
        if (auto written = writeFileAtomically(full, file.data, static_cast<mode_t>(file.mode));
            !written) {
            return std::unexpected(written.error());
        }
    }
    std::string tsName = tsDir.substr(tsDir.find_last_of('/') + 1);
    std::string tmpLink = m_targetDir + "/" + DataTmpName;
    ::unlink(tmpLink.c_str());
    if (::symlink(tsName.c_str(), tmpLink.c_str()) != 0) {
        return fail(ErrorCode::Internal, osError("symlink", tmpLink, errno));
    }
    if (::rename(tmpLink.c_str(), dataLink.c_str()) != 0) {
        return fail(ErrorCode::Internal, osError("rename", dataLink, errno));
    }
    for (const std::string& top : wantedTop) {
        if (visible.contains(top)) {
            continue;
        }
        std::string target = std::string(DataDirName) + "/" + top;
        std::string linkPath = m_targetDir + "/" + top;
        if (::symlink(target.c_str(), linkPath.c_str()) != 0 && errno != EEXIST) {
            return fail(ErrorCode::Internal, osError("symlink", linkPath, errno));
        }
    }
    for (const std::string& name : visible) {
        if (!wantedTop.contains(name)) {
            std::error_code removeError;
            fs::remove_all(m_targetDir + "/" + name, removeError);
        }
    }
    if (!oldTsDir.empty() && oldTsDir != tsName) {
        (void)removeTree(m_targetDir + "/" + oldTsDir);
    }
    return true;
}

} // namespace pilot::agent
