#include "core/toml_parse.hpp"

#include "core/error.hpp"
#include "core/toml_code_point_swap.hpp"
#include "core/toml_prescan.hpp"

#include <vector>

namespace cpy2py {
namespace {

std::string where(const std::string& path, const toml::source_region& region) {
    return path + ":" + std::to_string(region.begin.line) + ":" + std::to_string(region.begin.column);
}

void restore(toml::node& node, const CodePointSwap& swap, const std::string& path);

/// Keys are immutable in a toml::table: a key holding a placeholder is replaced by a new
/// entry with the restored key, the same source position and the same (moved) node.
void restore_table(toml::table& table, const CodePointSwap& swap, const std::string& path) {
    std::vector<std::string> renamed;
    for (auto&& [key, value] : table) {
        restore(value, swap, path);
        if (swap.restore(key.str()) != key.str()) renamed.emplace_back(key.str());
    }
    for (const std::string& old : renamed) {
        const auto entry = table.find(old);
        toml::key key(swap.restore(old), entry->first.source());
        const std::string where_key = where(path, key.source());
        const std::string name(key.str());
        if (!table.insert(std::move(key), std::move(entry->second)).second) {
            // Only when the same key is written out in one place and as escapes in another:
            // toml++ saw two different keys.
            throw ConfigError(where_key + ": invalid TOML: the key '" + name +
                              "' is defined twice (once with \\u escapes); write it the same way everywhere");
        }
        table.erase(old);
    }
}

void restore(toml::node& node, const CodePointSwap& swap, const std::string& path) {
    if (auto* s = node.as_string()) {
        s->get() = swap.restore(s->get());
    } else if (auto* array = node.as_array()) {
        for (auto& item : *array) restore(item, swap, path);
    } else if (auto* table = node.as_table()) {
        restore_table(*table, swap, path);
    }
}

}  // namespace

toml::table parse_toml(std::string_view text, const std::string& path) {
    prescan_toml(text, path);  // clear errors for what TOML never allows
    const CodePointSwap swap = CodePointSwap::for_text(text, path);
    try {
        if (!swap.active()) return toml::parse(text, path);
        toml::table doc = toml::parse(swap.hide(text), path);
        restore_table(doc, swap, path);
        return doc;
    } catch (const toml::parse_error& e) {
        throw ConfigError(where(path, e.source()) + ": invalid TOML: " + swap.restore_message(e.description()));
    }
}

}  // namespace cpy2py
