#pragma once
// The application's private run directory and its random auth token.
#include <string>
#include <utility>

namespace cpy2py {

/// A directory made with mkdtemp under $TMPDIR (or /tmp), mode 0700, removed with all its
/// content by remove() or at destruction. Move-only.
class RunDir {
public:
    /// Creates the directory; throws std::system_error naming the parent on failure.
    static RunDir create();

    RunDir(RunDir&& other) noexcept;
    RunDir& operator=(RunDir&& other) noexcept;
    RunDir(const RunDir&) = delete;
    RunDir& operator=(const RunDir&) = delete;
    ~RunDir();

    const std::string& path() const noexcept { return path_; }
    /// Removes the directory tree now; idempotent, never throws.
    void remove() noexcept;

private:
    explicit RunDir(std::string path) : path_(std::move(path)) {}
    std::string path_;  ///< absolute path; empty once removed or moved from
};

/// Removes a directory tree without throwing (also used by the watchdog process).
void remove_tree(const std::string& path) noexcept;

/// `bytes` random bytes from /dev/urandom as lower-case hex; throws std::system_error.
std::string random_token(std::size_t bytes = 16);

}  // namespace cpy2py
