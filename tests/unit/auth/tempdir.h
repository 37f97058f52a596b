#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

namespace pilot::auth::test {

/// A fresh private directory under the system temp dir, removed with everything in it.
class TempDir {
public:
    TempDir() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "pilot-auth-XXXXXX").string();
        if (char* made = ::mkdtemp(pattern.data())) {
            m_path = made;
        }
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(m_path, ignored);
    }

    [[nodiscard]] const std::filesystem::path& path() const { return m_path; }
    [[nodiscard]] std::string file(const std::string& name) const {
        return (m_path / name).string();
    }

private:
    std::filesystem::path m_path;
};

} // namespace pilot::auth::test
