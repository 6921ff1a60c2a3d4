#include "core/manifest.hpp"

#include "core/error.hpp"
#include "core/interpreter_spec.hpp"
#include "core/remote_interpreter.hpp"
#include "core/toml_parse.hpp"
#include "core/twin_id.hpp"

#include <toml++/toml.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <sstream>

namespace cpy2py {
namespace {

using Keys = std::vector<std::string_view>;

const Keys top_keys{"main", "twins", "supervisor", "env"};
/// The shortest heartbeat_timeout a manifest may set.
constexpr std::chrono::milliseconds kMinHeartbeatTimeout{500};

const Keys main_keys{"id", "interpreter", "venv", "env", "script", "module", "args"};
const Keys twin_keys{"interpreter", "venv", "env", "args", "restart", "start", "host", "ssh_options", "heartbeat_timeout"};
const Keys supervisor_keys{"shutdown_grace",      "ready_timeout", "output",        "restart_backoff_base",
                               "restart_backoff_cap", "restart_max",   "restart_window", "healthy_after"};

/// Longest accepted duration (one year), so milliseconds never overflow.
constexpr double max_seconds = 365.0 * 24 * 3600;

std::string join(const Keys& keys) {
    std::string out;
    for (auto k : keys) out += (out.empty() ? "" : ", ") + std::string(k);
    return out;
}

/// `text` with each NUL shown as "\u0000", for messages.
std::string printable(std::string_view text) {
    std::string out;
    for (char c : text) out += c == '\0' ? std::string("\\u0000") : std::string(1, c);
    return out;
}

std::string type_name(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::table: return "a table";
        case toml::node_type::array: return "an array";
        case toml::node_type::string: return "a string";
        case toml::node_type::integer: return "an integer";
        case toml::node_type::floating_point: return "a float";
        case toml::node_type::boolean: return "a boolean";
        case toml::node_type::date: return "a date";
        case toml::node_type::time: return "a time";
        case toml::node_type::date_time: return "a date-time";
        default: return "nothing";
    }
}

/// Turns toml nodes into checked values; every failure names file, line and column.
class Reader {
public:
    Reader(std::string path, std::string table_prefix) : path_(std::move(path)), prefix_(std::move(table_prefix)) {}

    /// "[twins.ID]" in cpy2py.toml, "[tool.cpy2py.twins.ID]" in pyproject.toml.
    std::string section(const std::string& name) const {
        return "[" + prefix_ + name + "]";
    }

    std::string where(const toml::source_region& region) const {
        return path_ + ":" + std::to_string(region.begin.line) + ":" + std::to_string(region.begin.column);
    }

    [[noreturn]] void fail(const toml::source_region& region, const std::string& message) const {
        throw ConfigError(where(region) + ": " + message);
    }

    const toml::table& table(const toml::node& node, const std::string& name) const {
        if (!node.is_table()) fail(node.source(), name + " must be a table, not " + type_name(node));
        return *node.as_table();
    }

    void only_keys(const toml::table& table, const Keys& allowed, const std::string& section) const {
        for (auto&& [key, value] : table) {
            if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end())
                fail(key.source(), "unknown key '" + std::string(key.str()) + "' in " + section +
                                       "; allowed keys: " + join(allowed));
        }
    }

    /// A string of the manifest ends up in an environment, an argv or a path, which end at a
    /// NUL: one written as "\u0000" is an error, not a value silently cut short.
    void no_nul(const toml::node& node, std::string_view key, std::string_view value) const {
        if (value.find('\0') != std::string_view::npos)
            fail(node.source(), std::string(key) + " must not contain a NUL character (\\u0000): environment "
                                                   "variables, arguments and paths cannot hold one");
    }

    std::string string(const toml::node& node, std::string_view key) const {
        if (!node.is_string()) fail(node.source(), std::string(key) + " must be a string, not " + type_name(node));
        std::string value = node.as_string()->get();
        no_nul(node, key, value);
        if (value.empty()) fail(node.source(), std::string(key) + " must not be empty");
        return value;
    }

    template <typename Enum>
    Enum choice(const toml::node& node, std::string_view key,
                std::initializer_list<std::pair<std::string_view, Enum>> choices) const {
        std::string allowed;
        for (auto& c : choices) allowed += (allowed.empty() ? "" : ", ") + std::string(c.first);
        if (!node.is_string())
            fail(node.source(), std::string(key) + " must be a string, one of " + allowed + ", not " + type_name(node));
        const std::string& value = node.as_string()->get();
        for (auto& c : choices)
            if (c.first == value) return c.second;
        fail(node.source(), std::string(key) + " must be one of " + allowed + ", not '" + value + "'");
    }

    /// Seconds (integer or float) as milliseconds; `positive` forbids 0.
    std::chrono::milliseconds seconds(const toml::node& node, std::string_view key, bool positive) const {
        double value = 0;
        if (auto i = node.as_integer()) value = static_cast<double>(i->get());
        else if (auto f = node.as_floating_point()) value = f->get();
        else fail(node.source(), std::string(key) + " must be a number of seconds, not " + type_name(node));
        const bool ok = std::isfinite(value) && value <= max_seconds && (positive ? value > 0 : value >= 0);
        if (!ok) {
            std::ostringstream msg;
            msg << key << " must be " << (positive ? "more than 0" : "0 or more") << " and at most " << static_cast<long long>(max_seconds)
                << " seconds, not " << value;
            fail(node.source(), msg.str());
        }
        return std::chrono::milliseconds(std::llround(value * 1000.0));
    }

    int count(const toml::node& node, std::string_view key) const {
        auto i = node.as_integer();
        if (!i) fail(node.source(), std::string(key) + " must be an integer, not " + type_name(node));
        if (i->get() < 0 || i->get() > 1000000)
            fail(node.source(), std::string(key) + " must be between 0 and 1000000, not " + std::to_string(i->get()));
        return static_cast<int>(i->get());
    }

    std::vector<std::string> strings(const toml::node& node, std::string_view key) const {
        auto array = node.as_array();
        if (!array) fail(node.source(), std::string(key) + " must be an array of strings, not " + type_name(node));
        std::vector<std::string> out;
        for (auto&& item : *array) {
            if (!item.is_string())
                fail(item.source(), std::string(key) + " must hold only strings, not " + type_name(item));
            no_nul(item, key, item.as_string()->get());
            out.push_back(item.as_string()->get());
        }
        return out;
    }

    std::map<std::string, std::string> env(const toml::node& node, std::string_view key) const {
        if (!node.is_table())
            fail(node.source(), std::string(key) + " must be a table of strings (NAME = \"value\"), not " + type_name(node));
        std::map<std::string, std::string> out;
        for (auto&& [name, value] : *node.as_table()) {
            if (name.str().empty() || name.str().find('=') != std::string_view::npos ||
                name.str().find('\0') != std::string_view::npos)
                fail(name.source(), "environment variable name '" + printable(name.str()) +
                                        "' must be non-empty and without '=' or a NUL character");
            if (!value.is_string())
                fail(value.source(), std::string(key) + "." + std::string(name.str()) + " must be a string, not " +
                                         type_name(value));
            no_nul(value, std::string(key) + "." + std::string(name.str()), value.as_string()->get());
            out.emplace(name.str(), value.as_string()->get());
        }
        return out;
    }

    /// interpreter/venv keys of `table` as a request; nullopt when neither is set.
    std::optional<InterpreterRequest> interpreter(const toml::table& table, const std::string& base_dir) const {
        const toml::node* interp = table.get("interpreter");
        const toml::node* venv = table.get("venv");
        if (!interp && !venv) return std::nullopt;
        InterpreterRequest request;
        request.base_dir = base_dir;
        if (interp && (interp->is_floating_point() || interp->is_integer()))  // interpreter = 3.10
            fail(interp->source(), "interpreter must be a string, not " + type_name(*interp) +
                                       ": quote a version, interpreter = \"3.10\" (unquoted, TOML reads 3.10 as the "
                                       "number 3.1)");
        if (interp) request.interpreter = string(*interp, "interpreter");
        if (venv) request.venv = string(*venv, "venv");
        if (venv && request.interpreter.find('/') != std::string::npos)
            fail(interp->source(), "interpreter must be a plain name (looked up in VENV/bin) when venv is set, not '" +
                                       request.interpreter + "'");
        if (interp) {
            InterpreterSpec spec;
            try {
                spec = parse_interpreter_spec(request.interpreter);
            } catch (const std::invalid_argument& e) {
                fail(interp->source(), std::string("interpreter: ") + e.what());
            }
            const bool scheme = spec.kind == InterpreterSpec::Kind::conda || spec.kind == InterpreterSpec::Kind::pyenv;
            if (venv && scheme) fail(venv->source(), "venv cannot be combined with interpreter '" + request.interpreter + "'");
        }
        return request;
    }

private:
    std::string path_;    ///< manifest path as the user gave it
    std::string prefix_;  ///< "" or "tool.cpy2py." (pyproject.toml)
};

void read_main(const Reader& r, const toml::node& node, const std::string& base_dir, ManifestMain& main) {
    const toml::table& table = r.table(node, r.section("main"));
    r.only_keys(table, main_keys, r.section("main"));
    main.where = r.where(table.source());
    if (auto id = table.get("id")) {
        main.id = r.string(*id, "id");
        if (!is_valid_twin_id(main.id))
            r.fail(id->source(), "id '" + main.id + "' is not a valid id: use " + std::string(twin_id_rule));
    }
    main.interpreter = r.interpreter(table, base_dir);
    if (auto env = table.get("env")) main.env = r.env(*env, "env");
    const toml::node* script = table.get("script");
    const toml::node* module = table.get("module");
    if (script && module)
        r.fail(module->source(), r.section("main") + " names script or module, not both");
    if (script) {
        std::filesystem::path path{r.string(*script, "script")};
        if (path.is_relative()) path = std::filesystem::path(base_dir) / path;
        main.kind = MainKind::script;
        main.target = path.lexically_normal().string();
    } else if (module) {
        main.kind = MainKind::module;
        main.target = r.string(*module, "module");
    }
    if (auto args = table.get("args")) {
        if (!script && !module)
            r.fail(args->source(), "args needs script or module in " + r.section("main") + " (what are they for?)");
        main.args = r.strings(*args, "args");
    }
}

/// host, ssh_options, heartbeat_timeout: a twin on another host (core/remote_twin.hpp).
void read_remote(const Reader& r, const toml::table& table, const std::string& section, ManifestTwin& twin) {
    const toml::node* host = table.get("host");
    if (!host) {
        for (const char* key : {"ssh_options", "heartbeat_timeout"})
            if (const toml::node* node = table.get(key))
                r.fail(node->source(), std::string(key) + " needs host in " + section);
        return;
    }
    RemoteSpec remote;
    remote.destination = r.string(*host, "host");
    if (remote.destination.front() == '-') r.fail(host->source(), "host must not start with '-'");
    const std::string& destination = remote.destination;
    if (destination.find_first_of(" \t\r\n") != std::string::npos)
        r.fail(host->source(), "host '" + printable(destination) + "' must not contain white space");
    if (destination.back() == '@') r.fail(host->source(), "host '" + printable(destination) + "' names no host after '@'");
    // "box:2222": ssh would look up a host of that name; the port goes elsewhere
    if (const auto colon = destination.find(':'); colon != std::string::npos && colon + 1 < destination.size() &&
                                                  destination.find(':', colon + 1) == std::string::npos &&
                                                  destination.find_first_not_of("0123456789", colon + 1) == std::string::npos) {
        const std::string name = destination.substr(0, colon), port = destination.substr(colon + 1);
        r.fail(host->source(), "host '" + destination + "' holds a port, which ssh would take as part of the host name: write host = \"" +
                                   name + "\" with ssh_options = [\"-p\", \"" + port + "\"] (or --twin ID=ssh://" + name + ":" +
                                   port + "/INTERPRETER)");
    }
    if (auto options = table.get("ssh_options")) remote.ssh_options = r.strings(*options, "ssh_options");
    if (auto heartbeat = table.get("heartbeat_timeout")) {
        remote.heartbeat_timeout = r.seconds(*heartbeat, "heartbeat_timeout", true);
        // heartbeats go out several times per timeout: below this a busy but healthy link
        // (or a loaded host) would be declared dead at once
        if (remote.heartbeat_timeout < kMinHeartbeatTimeout)
            r.fail(heartbeat->source(), "heartbeat_timeout must be at least 0.5 seconds (a link silent for less "
                                        "is not dead yet), not " +
                                            std::to_string(remote.heartbeat_timeout.count()) + " ms");
    }
    twin.remote = std::move(remote);
}

ManifestTwin read_twin(const Reader& r, const toml::key& key, const toml::node& node, const std::string& base_dir) {
    ManifestTwin twin;
    twin.id = std::string(key.str());
    const std::string section = r.section("twins." + twin.id);
    if (!is_valid_twin_id(twin.id))
        r.fail(key.source(), "twin id '" + printable(twin.id) + "' is not valid: use " + std::string(twin_id_rule));
    const toml::table& table = r.table(node, section);
    r.only_keys(table, twin_keys, section);
    twin.where = r.where(table.source());
    read_remote(r, table, section, twin);
    auto request = r.interpreter(table, base_dir);
    if (!request && !twin.remote)
        r.fail(table.source(), section + " needs interpreter (a name on PATH, a path or a version such as 3.11, "
                                         "py27 or pypy3) or venv (a directory)");
    if (request) twin.interpreter = *request;
    if (twin.remote && request && !request->interpreter.empty()) {
        try {
            remote_interpreter(request->interpreter, !request->venv.empty(), section);  // resolved on its host
        } catch (const UsageError& e) {
            r.fail(table.get("interpreter")->source(), e.what());
        }
    }
    if (auto args = table.get("args")) twin.args = r.strings(*args, "args");
    if (auto env = table.get("env")) twin.env = r.env(*env, "env");
    if (auto start = table.get("start"))
        twin.start = r.choice<StartMode>(*start, "start", {{"eager", StartMode::eager}, {"lazy", StartMode::lazy}});
    if (auto restart = table.get("restart"))
        twin.restart = r.choice<RestartPolicy>(*restart, "restart",
                                               {{"never", RestartPolicy::never},
                                                {"on-failure", RestartPolicy::on_failure},
                                                {"always", RestartPolicy::always}});
    return twin;
}

std::vector<ManifestTwin> read_twins(const Reader& r, const toml::node& node, const std::string& base_dir,
                                     const std::string& main_id) {
    const toml::table& table = r.table(node, r.section("twins"));
    std::vector<std::pair<toml::source_position, ManifestTwin>> found;
    for (auto&& [key, value] : table) {
        ManifestTwin twin = read_twin(r, key, value, base_dir);
        if (twin.id == main_id)
            r.fail(key.source(), "twin id '" + twin.id + "' is already the id of the main; choose another id");
        found.emplace_back(key.source().begin, std::move(twin));
    }
    // toml++ keeps keys sorted; the plan wants declaration order.
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<ManifestTwin> twins;
    for (auto& f : found) twins.push_back(std::move(f.second));
    return twins;
}

void read_supervisor(const Reader& r, const toml::node& node, SupervisorSettings& s) {
    const toml::table& table = r.table(node, r.section("supervisor"));
    r.only_keys(table, supervisor_keys, r.section("supervisor"));
    if (auto v = table.get("shutdown_grace")) s.shutdown_grace = r.seconds(*v, "shutdown_grace", false);
    if (auto v = table.get("ready_timeout")) s.ready_timeout = r.seconds(*v, "ready_timeout", true);
    if (auto v = table.get("output"))
        s.output = r.choice<OutputMode>(*v, "output", {{"prefixed", OutputMode::prefixed},
                                                       {"inherit", OutputMode::inherit},
                                                       {"silent", OutputMode::silent}});
    if (auto v = table.get("restart_backoff_base")) s.restart.backoff_base = r.seconds(*v, "restart_backoff_base", true);
    if (auto v = table.get("restart_backoff_cap")) s.restart.backoff_cap = r.seconds(*v, "restart_backoff_cap", true);
    if (auto v = table.get("restart_max")) s.restart.max_restarts = r.count(*v, "restart_max");
    if (auto v = table.get("restart_window")) s.restart.window = r.seconds(*v, "restart_window", true);
    if (auto v = table.get("healthy_after")) s.restart.healthy_after = r.seconds(*v, "healthy_after", false);
    if (s.restart.backoff_cap < s.restart.backoff_base) {
        const toml::node* at = table.get("restart_backoff_cap");
        if (!at) at = table.get("restart_backoff_base");
        r.fail(at->source(), "restart_backoff_cap must not be less than restart_backoff_base (" +
                                 std::to_string(s.restart.backoff_cap.count()) + " ms < " +
                                 std::to_string(s.restart.backoff_base.count()) + " ms)");
    }
}

/// Reads the manifest schema from `doc` (the whole cpy2py.toml or pyproject's [tool.cpy2py]).
Manifest read_manifest(const Reader& r, const toml::table& doc, const std::string& path, const std::string& base_dir,
                       const std::string& what) {
    r.only_keys(doc, top_keys, what);
    Manifest manifest;
    manifest.path = path;
    if (auto main = doc.get("main")) read_main(r, *main, base_dir, manifest.main);
    if (auto twins = doc.get("twins")) manifest.twins = read_twins(r, *twins, base_dir, manifest.main.id);
    if (auto supervisor = doc.get("supervisor")) read_supervisor(r, *supervisor, manifest.supervisor);
    if (auto env = doc.get("env")) manifest.env = r.env(*env, "env");
    return manifest;
}

}  // namespace

Manifest parse_manifest(std::string_view text, const std::string& path, const std::string& base_dir) {
    const Reader r(path, "");
    const toml::table doc = parse_toml(text, path);
    return read_manifest(r, doc, path, base_dir, "the manifest");
}

std::optional<Manifest> parse_pyproject(std::string_view text, const std::string& path, const std::string& base_dir) {
    const Reader r(path, "tool.cpy2py.");
    const toml::table doc = parse_toml(text, path);
    const toml::node* tool = doc.get("tool");
    if (!tool || !tool->is_table()) return std::nullopt;
    const toml::node* ours = tool->as_table()->get("cpy2py");
    if (!ours) return std::nullopt;
    return read_manifest(r, r.table(*ours, "[tool.cpy2py]"), path, base_dir, "[tool.cpy2py]");
}

std::string read_manifest_file(const std::string& path, const std::filesystem::path& file) {
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec)) throw ConfigError("cannot read manifest '" + path + "': it is a directory");
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        // Say where it was looked for: a relative --manifest is taken from the current directory.
        const auto absolute = std::filesystem::absolute(file, ec);
        const std::string where = !ec && absolute.string() != path ? " (" + absolute.string() + ")" : "";
        throw ConfigError("cannot read manifest '" + path + "'" + where + ": " + std::strerror(err) +
                          (err == ENOENT ? "; --manifest names an existing cpy2py.toml or pyproject.toml, "
                                           "--no-manifest reads none"
                                         : ""));
    }
    // read(2) itself: an iostream turns a failing read (EIO, say) into a silent end of file,
    // and the manifest would be taken as empty
    std::string text;
    char chunk[65536];
    for (;;) {
        const ssize_t got = ::read(fd, chunk, sizeof chunk);
        if (got == 0) break;
        if (got < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(fd);
            throw ConfigError("cannot read manifest '" + path + "': " + std::strerror(err));
        }
        text.append(chunk, static_cast<std::size_t>(got));
    }
    ::close(fd);
    return text;
}

bool is_pyproject(const std::string& path) { return std::filesystem::path(path).filename() == "pyproject.toml"; }

Manifest load_manifest(const std::string& path, const std::string& cwd) {
    namespace fs = std::filesystem;
    fs::path file{path};
    if (file.is_relative()) file = fs::path(cwd) / file;
    file = file.lexically_normal();
    const std::string text = read_manifest_file(path, file);
    if (!is_pyproject(path)) return parse_manifest(text, path, file.parent_path().string());
    auto manifest = parse_pyproject(text, path, file.parent_path().string());
    if (!manifest) throw ConfigError(path + ": no [tool.cpy2py] table (a pyproject.toml given with --manifest must have one)");
    return std::move(*manifest);
}

}  // namespace cpy2py
