#include "core/interpreter_list.hpp"

#include "core/interpreter_search.hpp"
#include "core/probe_cache.hpp"
#include "core/text_table.hpp"

#include <ostream>
#include <vector>

namespace cpy2py {

int list_interpreters(const Host& host, std::ostream& out) {
    ProbeCache cache(host.probe_cache_dir);
    SearchPlaces places = host.places;
    places.path_env = host.path_env;
    InterpreterFinder finder(std::move(places), cache);
    const auto& candidates = finder.candidates();
    cache.save();

    std::vector<TableRow> rows{{"IMPLEMENTATION", "VERSION", "SOURCE", "PATH"}};
    for (const auto& c : candidates) {
        const std::string source = c.source + (c.label.empty() ? "" : " " + c.label);
        if (c.probe.ok)
            rows.push_back({c.probe.implementation, c.probe.version, source, c.path});
        else
            rows.push_back({"-", "-", source, c.path + " (does not run: " + c.probe.error + ")"});
    }
    if (candidates.empty()) out << "no interpreters found\n";
    else print_table(rows, out);
    out << "\nsearched: " << finder.places().describe() << "\n";
    out << "probe cache: " << (cache.file().empty() ? "(none: set XDG_CACHE_HOME or HOME)" : cache.file()) << "\n";
    out.flush();
    return 0;
}

}  // namespace cpy2py
