#pragma once
// One supervised application: run directory, watchdog, signals, the main and its twins,
// from launch to the end of the shutdown cascade. run_application() wraps it.
#include "core/call_stats.hpp"
#include "core/child_env.hpp"
#include "core/control_protocol.hpp"
#include "core/exit_status.hpp"
#include "core/forward_decisions.hpp"
#include "core/plan.hpp"
#include "core/reaper.hpp"
#include "core/run_dir.hpp"
#include "core/watchdog.hpp"

#include <sys/signalfd.h>

#include <map>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace cpy2py {

class InterpreterFinder;
class ProbeCache;

class ControlChannel;
class MainSignalReports;
class OutputSink;
class SignalSource;
class Timer;
class Twin;
struct TwinContext;

class Application {
public:
    /// Blocks the signals we handle, then creates the run directory and forks the watchdog.
    /// Call before any thread exists. Throws TempDirError for an unusable TMPDIR,
    /// std::system_error when anything else fails; nothing is left behind then.
    explicit Application(const LaunchPlan& plan);
    ~Application();
    Application(const Application&) = delete;
    Application& operator=(const Application&) = delete;

    /// Runs the application to its end; returns the main's status (128+N for signal N).
    int run();

private:
    void spawn_main();
    void on_main_exit(ExitStatus status);
    void on_signal(const signalfd_siginfo& info);
    /// Forwards `sig` to the main, or waits to see whether the main got it itself.
    void forward_to_main(int sig, pid_t sender);
    /// Forwards the waiting signals the main did not report in time.
    void forward_due();
    /// The signal report pipe for the main, or null (the main's reports are then never live).
    std::unique_ptr<MainSignalReports> open_signal_reports();
    void on_main_line(ControlChannel& channel, std::string_view line);
    void on_request(ControlChannel& channel, const ControlRequest& request);
    void begin_shutdown();
    void on_twin_unreachable();
    /// Tells the main and the other twins how twin `id` ended (EXITED), for calls in flight.
    void on_twin_exited(const std::string& id, const std::string& how);
    void finish_output();
    /// The interpreter search for twins added at run time (made on first use: most runs add none).
    InterpreterFinder& finder();

    const LaunchPlan& plan_;                          ///< checked plan; outlives us (run_application's argument)
    sigset_t original_mask_;                          ///< the mask before we blocked ours: what children get back
    RunDir run_dir_;                                  ///< removed before run() returns (and by its destructor)
    std::string token_;                               ///< CPY2PY_TOKEN
    Watchdog watchdog_;                               ///< knows every live twin group and the main
    std::unique_ptr<boost::asio::io_context> io_;     ///< the only event loop; outlives everything below
    std::unique_ptr<SignalSource> signals_;           ///< INT TERM HUP QUIT CHLD PIPE, blocked and read here
    std::shared_ptr<OutputSink> out_;                 ///< our stdout, written by its own thread
    std::shared_ptr<OutputSink> err_;                 ///< our stderr, likewise; the log goes there too
    Reaper reaper_;                                   ///< every child we spawned and have not reaped
    ChildEnvironment environment_;                    ///< what children get in their environment
    bool stats_enabled_;                              ///< CPY2PY_STATS (or --stats): print stats_ at exit
    CallStats stats_;                                 ///< merged STATS lines of every process
    std::unique_ptr<TwinContext> twin_context_;       ///< shared by all twins
    std::map<std::string, std::unique_ptr<Twin>> twins_;  ///< declared twins plus ones added by START
    std::unique_ptr<ProbeCache> probe_cache_;         ///< for finder_; saved after each use
    std::unique_ptr<InterpreterFinder> finder_;       ///< see finder()
    pid_t main_pid_ = -1;                             ///< the running main; -1 before it starts and once reaped
    std::shared_ptr<ControlChannel> main_control_;    ///< the main's control channel
    std::unique_ptr<MainSignalReports> main_signals_;  ///< the signals the main caught itself
    ForwardDecisions forward_decisions_;              ///< which signals still go to the main
    std::unique_ptr<Timer> forward_timer_;            ///< due time of the next waiting signal
    int status_ = 0;                                  ///< what run() returns: valid once the main ended
    bool main_started_ = false;                       ///< spawn_main() ran: signals are forwarded from now on
    int early_signal_ = 0;                            ///< INT/TERM/HUP/QUIT that came before: nothing is spawned
    bool shutting_down_ = false;                      ///< the main ended: stopping twins, refusing STARTs
    std::size_t twins_running_ = 0;                   ///< twins not yet finished during shutdown
    bool unreachable_ = false;                        ///< an eager remote twin's host was unreachable: exit 127
};

}  // namespace cpy2py
