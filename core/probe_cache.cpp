#include "core/probe_cache.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
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

std::optional<ProbeResult> ProbeCache::cached(const std::string& executable, std::string& stamp) const {
    stamp = stamp_of(executable);
    if (stamp.empty() || is_shim(executable) || !storable(executable)) {
        stamp.clear();
        return std::nullopt;
    }
    auto found = entries_.find(executable);
    if (found != entries_.end() && found->second.stamp == stamp) return found->second.result;
    return std::nullopt;
}

void ProbeCache::remember(const std::string& executable, const std::string& stamp, const ProbeResult& result) {
    ++probes_run_;
    if (stamp.empty() || !result.ok || !storable(result.implementation) || !storable(result.version)) return;
    entries_[executable] = Entry{stamp, result};
    dirty_ = true;
}

ProbeResult ProbeCache::probe(const std::string& executable) {
    std::string stamp;
    if (auto hit = cached(executable, stamp)) return *hit;
    ProbeResult result = probe_interpreter(executable, {}, {});
    remember(executable, stamp, result);
    return result;
}

std::vector<ProbeResult> ProbeCache::probe_all(const std::vector<std::string>& executables) {
    std::vector<ProbeResult> results(executables.size());
    std::vector<std::string> stamps(executables.size());
    std::vector<std::pair<std::size_t, std::future<ProbeResult>>> running;
    for (std::size_t i = 0; i < executables.size(); ++i) {
        if (auto hit = cached(executables[i], stamps[i])) {
            results[i] = *hit;
            continue;
        }
        // probe_interpreter never throws and touches no shared state: one thread each.
        running.emplace_back(i, std::async(std::launch::async, [path = executables[i]] {
                                 return probe_interpreter(path, {}, {});
                             }));
    }
    for (auto& [i, future] : running) {
        results[i] = future.get();
        remember(executables[i], stamps[i], results[i]);
    }
    return results;
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
