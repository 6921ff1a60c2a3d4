#pragma once
// A temporary directory for one test, removed with everything in it when the test ends.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/stat.h>

namespace cpy2py::test {

class ScratchDir {
public:
    ScratchDir() {
        std::string templ = (std::filesystem::temp_directory_path() / "cpy2py-test-XXXXXX").string();
        if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = templ;
    }
    ~ScratchDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::string str() const { return path_.string(); }

    /// Writes `text` to `relative` (creating parent directories); returns the absolute path.
    std::filesystem::path write(const std::string& relative, const std::string& text, bool executable = false) const {
        const auto p = path_ / relative;
        std::filesystem::create_directories(p.parent_path());
        std::ofstream(p) << text;
        if (executable) ::chmod(p.c_str(), 0755);
        return p;
    }

    /// Creates the directory `relative` (and parents); returns the absolute path.
    std::filesystem::path mkdir(const std::string& relative) const {
        const auto p = path_ / relative;
        std::filesystem::create_directories(p);
        return p;
    }

private:
    std::filesystem::path path_;  ///< absolute, exists until destruction
};

}  // namespace cpy2py::test
