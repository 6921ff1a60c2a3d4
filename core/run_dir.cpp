#include "core/run_dir.hpp"

#include "core/error.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

namespace cpy2py {

namespace {

constexpr std::string_view kTemplate = "/cpy2py-XXXXXX";

/// What helps for a mkdtemp/bind errno, after "cannot create ... in TMPDIR=<dir>: <strerror>".
std::string_view advice(int error) {
    switch (error) {
        case ENOSPC:
        case EDQUOT:
            return "the file system is full (no space or no inodes left): free some, or set TMPDIR to "
                   "another directory";
        case ENOENT:
            return "the directory does not exist: create it, or set TMPDIR to an existing directory";
        case ENOTDIR:
            return "it (or a directory above it) is a file, not a directory: set TMPDIR to a directory";
        case EACCES:
        case EPERM:
        case EROFS:
            return "the directory is not writable for this user: set TMPDIR to a writable directory";
        default:
            return "set TMPDIR to a usable directory";
    }
}

[[noreturn]] void fail(const std::string& what, const std::string& parent, int error) {
    throw TempDirError(fmt::format("{} in TMPDIR={}: {}; {}", what, parent, std::strerror(error), advice(error)));
}

/// Binds (and removes again) a socket named like the longest one the runtime will bind: a
/// directory that takes mkdir may still refuse a socket (no inode left, a full quota).
void check_socket(const std::string& dir, std::string_view longest_entry, const std::string& parent) {
    const std::string path = dir + "/" + std::string(longest_entry);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return;  // out of fds: not TMPDIR's fault, the runtime reports it
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    const int rc = ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    const int error = errno;
    ::close(fd);
    ::unlink(path.c_str());
    if (rc != 0) {
        remove_tree(dir);
        fail("cannot create a socket in the run directory", parent, error);
    }
}

}  // namespace

std::string run_dir_parent() {
    const char* tmp = std::getenv("TMPDIR");
    std::string parent = (tmp != nullptr && *tmp == '/') ? tmp : "/tmp";
    while (parent.size() > 1 && parent.back() == '/') parent.pop_back();
    return parent;
}

RunDir RunDir::create(std::string_view longest_entry) {
    const std::string parent = run_dir_parent();
    // Python binds AF_UNIX sockets inside: check the longest path before creating anything.
    const std::size_t longest = parent.size() + kTemplate.size() + 1 + longest_entry.size();
    if (longest > kMaxSocketPath) {
        throw TempDirError(fmt::format(
            "TMPDIR={} is too long: the run directory's sockets (such as {}{}/{}) would need paths of {} bytes, "
            "and an AF_UNIX socket path holds at most {}; set TMPDIR to a directory of at most {} characters, "
            "such as /tmp",
            parent, parent, kTemplate, longest_entry, longest, kMaxSocketPath,
            kMaxSocketPath - kTemplate.size() - 1 - longest_entry.size()));
    }
    std::string templ = parent + std::string(kTemplate);
    if (::mkdtemp(templ.data()) == nullptr) fail("cannot create the run directory", parent, errno);
    check_socket(templ, longest_entry, parent);
    // Held open until remove(): a run that ends for lack of file descriptors (EMFILE) must
    // still be able to list and remove its directory.
    const int dir_fd = ::open(templ.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return RunDir(std::move(templ), dir_fd);
}

RunDir::RunDir(RunDir&& other) noexcept : path_(std::move(other.path_)), dir_fd_(other.dir_fd_) {
    other.path_.clear();
    other.dir_fd_ = -1;
}

RunDir& RunDir::operator=(RunDir&& other) noexcept {
    if (this != &other) {
        remove();
        path_ = std::move(other.path_);
        dir_fd_ = other.dir_fd_;
        other.path_.clear();
        other.dir_fd_ = -1;
    }
    return *this;
}

RunDir::~RunDir() { remove(); }

void RunDir::remove() noexcept {
    if (dir_fd_ >= 0) {
        // The entries (sockets) through the fd we hold: needs no new descriptor.
        if (DIR* dir = ::fdopendir(dir_fd_)) {
            while (const dirent* entry = ::readdir(dir)) {
                const std::string_view name = entry->d_name;
                if (name != "." && name != "..") ::unlinkat(::dirfd(dir), entry->d_name, 0);
            }
            ::closedir(dir);
        } else {
            ::close(dir_fd_);
        }
        dir_fd_ = -1;
    }
    if (path_.empty()) return;
    if (::rmdir(path_.c_str()) != 0) remove_tree(path_);  // subdirectories, if anyone made some
    path_.clear();
}

void remove_tree(const std::string& path) noexcept {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
}

std::string random_token(std::size_t bytes) {
    std::vector<unsigned char> buf(bytes);
    const int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot open /dev/urandom");
    std::size_t got = 0;
    while (got < bytes) {
        const ssize_t n = ::read(fd, buf.data() + got, bytes - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int err = n < 0 ? errno : EIO;
            ::close(fd);
            throw std::system_error(err, std::generic_category(), "cannot read /dev/urandom");
        }
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(bytes * 2);
    for (unsigned char b : buf) {
        hex.push_back(digits[b >> 4]);
        hex.push_back(digits[b & 0x0f]);
    }
    return hex;
}

}  // namespace cpy2py
