#pragma once
// Probe results kept across runs, so that finding an interpreter by version costs no probe
// the second time. Keyed by the executable's path and the modification time and size of the
// file it points to; one line per interpreter in <dir>/probes-v1.txt, rewritten atomically
// (temporary file + rename). A corrupt or unreadable cache is ignored, never an error.
#include "core/probe.hpp"

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cpy2py {

/// True for a pyenv-style shim (a file in a directory named `shims`): it runs whichever
/// version is active, so what it says depends on the environment, not on the file.
bool is_shim(const std::string& path);

/// $XDG_CACHE_HOME/cpy2py, else $HOME/.cache/cpy2py; empty when neither is set.
std::string default_probe_cache_dir(const char* xdg_cache_home, const char* home);

class ProbeCache {
public:
    /// Reads `dir`/probes-v1.txt when present; an empty `dir` keeps results in memory only.
    explicit ProbeCache(std::string dir);

    /// What `executable` says about itself: from the cache when the file is unchanged, else by
    /// running it once (see probe_interpreter). Failures are not cached (they may be
    /// transient), nor are pyenv-style shims (a file in a directory named `shims`), whose
    /// answer depends on the active version rather than on the file.
    ProbeResult probe(const std::string& executable);

    /// probe() for each of `executables`, in that order; the ones not cached run in parallel
    /// (a first search over a dozen installations then costs about one probe's time).
    std::vector<ProbeResult> probe_all(const std::vector<std::string>& executables);

    /// Writes the cache when something was added; false when that failed (the run goes on).
    bool save();

    std::size_t probes_run() const { return probes_run_; }
    std::string file() const;

private:
    /// The cached answer for `executable` when its file is unchanged; `stamp` is set for
    /// storing a fresh answer, empty when it must not be cached.
    std::optional<ProbeResult> cached(const std::string& executable, std::string& stamp) const;
    void remember(const std::string& executable, const std::string& stamp, const ProbeResult& result);

    struct Entry {
        std::string stamp;  ///< "MTIME_NS SIZE" of the file the path led to when probed
        ProbeResult result; ///< always ok
    };
    std::string dir_;                      ///< where the file lives; empty: memory only
    std::map<std::string, Entry> entries_; ///< by executable path
    bool dirty_ = false;                   ///< entries_ differs from the file
    std::size_t probes_run_ = 0;           ///< interpreters actually run by probe()
};

}  // namespace cpy2py
