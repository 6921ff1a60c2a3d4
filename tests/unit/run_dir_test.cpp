// The run directory under TMPDIR: an unusable TMPDIR is exit 73 with a message naming it and
// what helps, and nothing is left behind.
#include "core/error.hpp"
#include "core/run_dir.hpp"
#include "scratch_dir.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

using namespace cpy2py;

namespace {

/// Sets TMPDIR for one test and puts the old value back.
class TmpdirOverride {
public:
    explicit TmpdirOverride(const std::string& value) {
        if (const char* old = std::getenv("TMPDIR")) old_ = old;
        ::setenv("TMPDIR", value.c_str(), 1);
    }
    ~TmpdirOverride() {
        if (old_) {
            ::setenv("TMPDIR", old_->c_str(), 1);
        } else {
            ::unsetenv("TMPDIR");
        }
    }

private:
    std::optional<std::string> old_;  ///< TMPDIR before, if it was set
};

/// The message of the TempDirError RunDir::create throws (checking the status), or "".
std::string create_error(std::string_view longest = "main.sock") {
    try {
        RunDir dir = RunDir::create(longest);
    } catch (const Error& e) {
        CHECK(e.code() == exit_status::cant_create);
        return e.what();
    }
    return "";
}

bool is_empty(const std::filesystem::path& dir) { return std::filesystem::is_empty(dir); }

}  // namespace

TEST_CASE("run dir: a TMPDIR too long for the sockets is refused before anything is created") {
    test::ScratchDir scratch;
    std::string deep = scratch.str();
    while (deep.size() < 60) deep += "/d";
    std::filesystem::create_directories(deep);
    TmpdirOverride tmpdir(deep);
    const std::string message = create_error(std::string(64, 'x') + ".sock");
    CHECK(message.find("TMPDIR=" + deep + " is too long") == 0);
    CHECK(message.find("at most 23 characters") != std::string::npos);
    CHECK(is_empty(deep));
    CHECK(create_error("main.sock") == "");  // short ids fit
    CHECK(is_empty(deep));
}

TEST_CASE("run dir: a missing TMPDIR says so") {
    test::ScratchDir scratch;
    TmpdirOverride tmpdir(scratch.str() + "/missing");
    const std::string message = create_error();
    CHECK(message.find("cannot create the run directory in TMPDIR=" + scratch.str() + "/missing") == 0);
    CHECK(message.find("does not exist") != std::string::npos);
}

TEST_CASE("run dir: a TMPDIR that is a file says so") {
    test::ScratchDir scratch;
    const std::string file = scratch.str() + "/file";
    ::close(::open(file.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
    TmpdirOverride tmpdir(file);
    const std::string message = create_error();
    CHECK(message.find("cannot create the run directory in TMPDIR=" + file) == 0);
    CHECK(message.find("is a file, not a directory") != std::string::npos);
    CHECK(message.find("does not exist") == std::string::npos);
}

TEST_CASE("run dir: an unwritable TMPDIR says so (unless we are root)") {
    if (::geteuid() == 0) return;  // root writes anywhere
    test::ScratchDir scratch;
    ::chmod(scratch.str().c_str(), 0500);
    TmpdirOverride tmpdir(scratch.str());
    CHECK(create_error().find("not writable") != std::string::npos);
    ::chmod(scratch.str().c_str(), 0700);
}
