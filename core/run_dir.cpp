#include "core/run_dir.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <vector>

namespace cpy2py {

RunDir RunDir::create() {
    const char* tmp = std::getenv("TMPDIR");
    std::string parent = (tmp != nullptr && *tmp == '/') ? tmp : "/tmp";
    while (parent.size() > 1 && parent.back() == '/') parent.pop_back();
    // Short name: Python binds AF_UNIX sockets inside, and sun_path holds only 107 bytes.
    std::string templ = parent + "/cpy2py-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) {
        throw std::system_error(errno, std::generic_category(),
                                "cannot create the run directory in " + parent);
    }
    return RunDir(std::move(templ));
}

RunDir::RunDir(RunDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }

RunDir& RunDir::operator=(RunDir&& other) noexcept {
    if (this != &other) {
        remove();
        path_ = std::move(other.path_);
        other.path_.clear();
    }
    return *this;
}

RunDir::~RunDir() { remove(); }

void RunDir::remove() noexcept {
    if (path_.empty()) return;
    remove_tree(path_);
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
