#pragma once
// The application's private run directory and its random auth token.
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace cpy2py {

/// The longest path an AF_UNIX socket can have (sun_path holds 108 bytes with the NUL).
inline constexpr std::size_t kMaxSocketPath = 107;

/// A directory made with mkdtemp under $TMPDIR (or /tmp), mode 0700, removed with all its
/// content by remove() or at destruction. Move-only.
class RunDir {
public:
    /// Creates the directory, after checking that `<dir>/<longest_entry>` fits in an
    /// AF_UNIX socket path, and checks that a socket can be created in it (an inode is
    /// left, the directory is writable). Throws TempDirError (exit 73) naming TMPDIR and
    /// what helps; nothing is left behind on failure.
    static RunDir create(std::string_view longest_entry);

    RunDir(RunDir&& other) noexcept;
    RunDir& operator=(RunDir&& other) noexcept;
    RunDir(const RunDir&) = delete;
    RunDir& operator=(const RunDir&) = delete;
    ~RunDir();

    const std::string& path() const noexcept { return path_; }
    /// Removes the directory tree now; idempotent, never throws.
    void remove() noexcept;

private:
    RunDir(std::string path, int dir_fd) : path_(std::move(path)), dir_fd_(dir_fd) {}
    std::string path_;  ///< absolute path; empty once removed or moved from
    int dir_fd_ = -1;   ///< the directory, held open so remove() can list it even out of fds; -1 when none
};

/// Where run directories go: $TMPDIR when it is an absolute path, else /tmp; no trailing '/'.
std::string run_dir_parent();

/// Removes a directory tree without throwing (also used by the watchdog process).
void remove_tree(const std::string& path) noexcept;

/// `bytes` random bytes from /dev/urandom as lower-case hex; throws std::system_error.
std::string random_token(std::size_t bytes = 16);

}  // namespace cpy2py
