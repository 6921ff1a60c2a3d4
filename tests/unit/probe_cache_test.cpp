#include "core/probe_cache.hpp"
#include "scratch_dir.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

using namespace cpy2py;
using cpy2py::test::ScratchDir;

namespace {

/// A fake interpreter answering the probe; every run appends a line to `count`.
std::string fake(const ScratchDir& dir, const std::string& name, const std::string& answer) {
    return dir.write(name, "#!/bin/sh\necho run >> " + dir.str() + "/count\necho '" + answer + "'\n", true).string();
}

int runs(const ScratchDir& dir) {
    std::ifstream in(dir.str() + "/count");
    int n = 0;
    for (std::string line; std::getline(in, line);) ++n;
    return n;
}

std::string read(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

}  // namespace

TEST_CASE("probe cache: directory from XDG_CACHE_HOME, else HOME") {
    CHECK(default_probe_cache_dir("/x/cache", "/home/u") == "/x/cache/cpy2py");
    CHECK(default_probe_cache_dir(nullptr, "/home/u") == "/home/u/.cache/cpy2py");
    CHECK(default_probe_cache_dir("relative", "/home/u") == "/home/u/.cache/cpy2py");  // XDG: relative is invalid
    CHECK(default_probe_cache_dir(nullptr, nullptr).empty());
}

TEST_CASE("probe cache: a second run costs no probe") {
    ScratchDir dir;
    const std::string python = fake(dir, "bin/python3.8", "CPython 3.8.18 5");
    {
        ProbeCache cache(dir.str() + "/cache");
        const ProbeResult r = cache.probe(python);
        CHECK(r.ok);
        CHECK(r.version == "3.8.18");
        cache.probe(python);  // in memory
        CHECK(cache.probes_run() == 1);
        CHECK(cache.save());
    }
    CHECK(runs(dir) == 1);
    ProbeCache again(dir.str() + "/cache");
    const ProbeResult r = again.probe(python);
    CHECK(r.ok);
    CHECK(r.implementation == "CPython");
    CHECK(r.pickle_protocol == 5);
    CHECK(again.probes_run() == 0);
    CHECK(runs(dir) == 1);
    CHECK_FALSE(std::filesystem::exists(dir.str() + "/cache/probes-v1.txt.tmp." + std::to_string(::getpid())));
}

TEST_CASE("probe cache: a changed file is probed again") {
    ScratchDir dir;
    const std::string python = fake(dir, "bin/python", "CPython 3.8.18 5");
    {
        ProbeCache cache(dir.str() + "/cache");
        cache.probe(python);
        cache.save();
    }
    fake(dir, "bin/python", "CPython 3.9.18 5 ");  // another size
    ProbeCache cache(dir.str() + "/cache");
    CHECK(cache.probe(python).version == "3.9.18");
    CHECK(cache.probes_run() == 1);
}

TEST_CASE("probe cache: failures and shims are not cached") {
    ScratchDir dir;
    const std::string broken = dir.write("bin/broken", "#!/bin/sh\nexit 3\n", true).string();
    const std::string shim = fake(dir, "shims/python3", "CPython 3.11.7 5");
    ProbeCache cache(dir.str() + "/cache");
    CHECK_FALSE(cache.probe(broken).ok);
    CHECK_FALSE(cache.probe(broken).ok);
    CHECK(cache.probe(shim).ok);
    CHECK(cache.probe(shim).ok);
    CHECK(cache.probes_run() == 4);
    CHECK(cache.save());
    CHECK_FALSE(std::filesystem::exists(cache.file()));  // nothing worth keeping
}

TEST_CASE("probe cache: a corrupt cache is ignored and replaced") {
    ScratchDir dir;
    const std::string python = fake(dir, "bin/python", "PyPy 3.9.16 5");
    dir.write("cache/probes-v1.txt", "garbage\n\t\t\t\t\n" + python + "\tnot-a-stamp\tPyPy\t3.9.16\tx\n\x01\x02\n");
    ProbeCache cache(dir.str() + "/cache");
    CHECK(cache.probe(python).implementation == "PyPy");
    CHECK(cache.probes_run() == 1);
    CHECK(cache.save());
    const std::string text = read(cache.file());
    CHECK(text.find("garbage") == std::string::npos);
    CHECK(text.find(python + "\t") == 0);
}

TEST_CASE("probe cache: an unwritable directory only loses the cache") {
    ScratchDir dir;
    const std::string python = fake(dir, "bin/python", "CPython 3.8.18 5");
    dir.write("file", "");
    ProbeCache cache(dir.str() + "/file/cache");  // a directory below a file cannot exist
    CHECK(cache.probe(python).ok);
    CHECK_FALSE(cache.save());
    ProbeCache memory("");
    CHECK(memory.probe(python).ok);
    CHECK(memory.save());
}

TEST_CASE("probe cache: probe_all keeps the order, runs only what is not cached") {
    ScratchDir dir;
    std::vector<std::string> paths;
    for (int minor = 6; minor <= 13; ++minor)
        paths.push_back(fake(dir, "bin/python3." + std::to_string(minor), "CPython 3." + std::to_string(minor) + ".1 5"));
    paths.push_back(dir.write("bin/broken", "#!/bin/sh\nexit 1\n", true).string());
    ProbeCache cache(dir.str() + "/cache");
    cache.probe(paths[0]);
    const auto results = cache.probe_all(paths);
    REQUIRE(results.size() == paths.size());
    for (int minor = 6; minor <= 13; ++minor) CHECK(results[minor - 6].version == "3." + std::to_string(minor) + ".1");
    CHECK_FALSE(results.back().ok);
    CHECK(cache.probes_run() == paths.size());  // the first one came from the cache the second time
    CHECK(runs(dir) == 8);
    cache.probe_all(paths);
    CHECK(runs(dir) == 8);
}
