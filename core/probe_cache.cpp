#include "core/probe_cache.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>
#include <sys/stat.h>
#include <unistd.h>

namespace cpy2py {
namespace fs = std::filesystem;

namespace {

constexpr const char* file_name = "probes-v1.txt";

/// "MTIME_NS SIZE" of what `path` leads to; empty when it cannot be stat'ed.
std::string stamp_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return "";
    const long long ns = static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
    return std::to_string(ns) + " " + std::to_string(static_cast<long long>(st.st_size));
}

bool storable(const std::string& text) { return text.find_first_of("\t\n\r") == std::string::npos; }

}  // namespace

bool is_shim(const std::string& path) { return fs::path(path).parent_path().filename() == "shims"; }

std::string default_probe_cache_dir(const char* xdg_cache_home, const char* home) {
    // XDG: a relative XDG_CACHE_HOME is invalid and must be ignored.
    if (xdg_cache_home && xdg_cache_home[0] == '/') return std::string(xdg_cache_home) + "/cpy2py";
    if (home && home[0] == '/') return std::string(home) + "/.cache/cpy2py";
    return "";
}

ProbeCache::ProbeCache(std::string dir) : dir_(std::move(dir)) {
    if (dir_.empty()) return;
    std::ifstream in(file());
    std::string line;
    while (std::getline(in, line)) {
        // PATH \t STAMP \t IMPLEMENTATION \t VERSION \t PROTOCOL; anything else is skipped.
        std::vector<std::string> f;
        std::istringstream fields(line);
        for (std::string part; std::getline(fields, part, '\t');) f.push_back(part);
        if (f.size() != 5 || f[0].empty() || f[1].empty() || f[2].empty() || f[3].empty()) continue;
        ProbeResult r;
        try {
            r.pickle_protocol = std::stoi(f[4]);
        } catch (const std::exception&) {
            continue;
        }
        if (r.pickle_protocol <= 0) continue;
        r.ok = true;
        r.implementation = f[2];
        r.version = f[3];
        entries_[f[0]] = Entry{f[1], r};
    }
}

std::string ProbeCache::file() const { return dir_.empty() ? "" : dir_ + "/" + file_name; }

ProbeResult ProbeCache::probe(const std::string& executable) {
    const std::string stamp = stamp_of(executable);
    const bool cacheable = !stamp.empty() && !is_shim(executable) && storable(executable);
    if (cacheable) {
        auto found = entries_.find(executable);
        if (found != entries_.end() && found->second.stamp == stamp) return found->second.result;
    }
    ++probes_run_;
    ProbeResult result = probe_interpreter(executable, {}, {});
    if (cacheable && result.ok && storable(result.implementation) && storable(result.version)) {
        entries_[executable] = Entry{stamp, result};
        dirty_ = true;
    }
    return result;
}

bool ProbeCache::save() {
    if (dir_.empty() || !dirty_) return true;
    std::error_code ec;
    fs::create_directories(dir_, ec);
    const std::string target = file();
    const std::string temp = target + ".tmp." + std::to_string(::getpid());
    {
        std::ofstream out(temp, std::ios::trunc);
        for (const auto& [path, e] : entries_)
            out << path << '\t' << e.stamp << '\t' << e.result.implementation << '\t' << e.result.version << '\t'
                << e.result.pickle_protocol << '\n';
        out.flush();
        if (!out) {
            fs::remove(temp, ec);
            return false;
        }
    }
    // rename() replaces atomically: a reader sees the old or the new file, never half of one.
    if (std::rename(temp.c_str(), target.c_str()) != 0) {
        fs::remove(temp, ec);
        return false;
    }
    dirty_ = false;
    return true;
}

}  // namespace cpy2py
