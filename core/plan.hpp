#pragma once
// The launch plan: everything cpy2py-run needs to run an application, fully resolved and
// checked before anything is spawned (parse -> plan -> execute).
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cpy2py {

/// How a twin is brought up.
enum class StartMode { eager, lazy };

/// What happens when a twin exits without being asked to.
enum class RestartPolicy { never, on_failure, always };

/// Where twin stdout/stderr go.
enum class OutputMode { prefixed, inherit, silent };

/// An interpreter resolved to an absolute, executable path.
/// Interpreter::source of an interpreter that a --check plan could not find.
inline constexpr const char* kNotFound = "not found";

struct Interpreter {
    std::string requested;  ///< what the user wrote ("pypy3", "./venv27", "python2.7:./venv")
    std::string path;       ///< absolute path of the executable to run
    std::string venv;       ///< absolute venv directory, empty when none
    std::string source;     ///< where it was found: PATH, path, venv, pyenv, uv or conda (shown by --check);
                            ///< "not found" only in a --check plan: then `path` is empty and `reason` says why
    std::string reason;     ///< why this one was chosen, for --check; empty when nothing was chosen
    std::string conda_prefix; ///< a conda environment's prefix: children get its activation variables
    std::string conda_name;   ///< that environment's name (CONDA_DEFAULT_ENV)
};

/// Restart tuning (documented in README and man page).
struct RestartSettings {
    std::chrono::milliseconds backoff_base{100};   ///< first delay
    std::chrono::milliseconds backoff_cap{10000};  ///< delays double up to this
    std::chrono::milliseconds healthy_after{10000};///< a run this long resets the backoff
    int max_restarts = 5;                          ///< give up after this many restarts ...
    std::chrono::milliseconds window{60000};       ///< ... within this window
};

/// A twin on another host, reached with the system's ssh client (docs/DESIGN.md, "Twins on
/// other hosts"). Locally such a twin runs as a stand-in process; see core/remote_twin.hpp.
struct RemoteSpec {
    std::string destination;                     ///< ssh destination: config alias, host name or user@host
    std::string user;                            ///< login name from an ssh:// URL, empty when none
    int port = 0;                                ///< port from an ssh:// URL, 0 when none
    std::vector<std::string> ssh_options;        ///< extra ssh client arguments (manifest ssh_options)
    std::chrono::milliseconds heartbeat_timeout{10000};  ///< a link silent this long is dead
    std::string interpreter = "python3";         ///< name on the remote PATH or remote path
    std::string venv;                            ///< remote virtualenv, empty when none
    std::vector<std::string> args;               ///< remote interpreter arguments
    // Filled once the whole plan is known (finish_remote_twins):
    std::vector<std::string> ssh_argv;           ///< the ssh command up to the destination
    int link = -1;                               ///< twins with equal ssh_argv share one link
    std::string standin_script;                  ///< <bootstrap>/cpy2py_remote.py
    std::string standin_config;                  ///< JSON for the stand-in (CPY2PY_SSH_TWIN)
};

struct TwinSpec {
    std::string id;                              ///< twin id, [A-Za-z0-9_.+-]{1,64}
    Interpreter interpreter;
    std::vector<std::string> args;               ///< extra interpreter arguments, before the bootstrap script
    std::map<std::string, std::string> env;      ///< extra environment
    StartMode start = StartMode::lazy;
    RestartPolicy restart = RestartPolicy::never;
    std::optional<RemoteSpec> remote;            ///< set for a twin on another host
};

/// How the main program is named on its command line.
enum class MainKind { script, module, code };

struct MainSpec {
    std::string id = "main";                     ///< kernel_state.MASTER_ID of the application
    Interpreter interpreter;
    MainKind kind = MainKind::script;
    std::string target;                          ///< script path, module name or code
    std::vector<std::string> args;               ///< arguments for the script, untouched
    std::map<std::string, std::string> env;      ///< extra environment
};

struct SupervisorSettings {
    std::chrono::milliseconds shutdown_grace{2000}; ///< wait after SHUTDOWN and after SIGTERM
    std::chrono::milliseconds ready_timeout{30000}; ///< a twin not READY by then failed to start
    OutputMode output = OutputMode::prefixed;
    RestartSettings restart;
};

struct LaunchPlan {
    MainSpec main;
    std::vector<TwinSpec> twins;                 ///< unique ids, in declaration order
    SupervisorSettings supervisor;
    std::string bootstrap_dir;                   ///< absolute; holds cpy2py/ and cpy2py_twin.py
    std::string manifest_path;                   ///< empty when no manifest was used
    std::map<std::string, std::string> env;      ///< [env] and --env: also for twins added at run time
};

}  // namespace cpy2py
