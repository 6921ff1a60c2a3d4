#pragma once
// One twin: its spec, the process currently running it (if any) and its life cycle:
// start (eager or on START), readiness, restart by policy with backoff, STOP, shutdown.
#include "core/control_protocol.hpp"
#include "core/exit_status.hpp"
#include "core/output_sink.hpp"
#include "core/plan.hpp"
#include "core/restart_policy.hpp"
#include "core/timer.hpp"

#include <signal.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace cpy2py {

class ChildEnvironment;
class ControlChannel;
class Reaper;
class Watchdog;

/// What every twin needs from the supervisor; outlives all twins.
struct TwinContext {
    boost::asio::io_context& io;              ///< the supervisor's only event loop
    const SupervisorSettings& settings;       ///< grace, ready timeout, output mode, restart tuning
    const ChildEnvironment& environment;      ///< builds each twin's environment
    Reaper& reaper;                           ///< reports twin exits
    Watchdog& watchdog;                       ///< must know every live twin group
    sigset_t child_signal_mask;   ///< installed in children before exec
    std::shared_ptr<OutputSink> out;  ///< our stdout, written by its own thread (prefixed twin stdout)
    std::shared_ptr<OutputSink> err;  ///< our stderr, likewise (prefixed twin stderr, our log)
    std::string twin_script;      ///< <bootstrap>/cpy2py_twin.py, or $CPY2PY_TWIN_SCRIPT
    /// START/STOP lines a twin sends about any twin.
    std::function<void(ControlChannel&, const ControlRequest&)> on_request;
    /// An eager twin on another host could not be reached at launch (stand-in status 127):
    /// the run ends with 127, as for a missing local interpreter. May be empty.
    std::function<void(const std::string& message)> on_unreachable = nullptr;
    /// A twin that was ready ended by itself (`how`: ExitStatus::describe()). May be empty.
    std::function<void(const std::string& id, const std::string& how)> on_exited = nullptr;
};

class Twin {
public:
    Twin(TwinContext& context, TwinSpec spec);
    ~Twin();
    Twin(const Twin&) = delete;
    Twin& operator=(const Twin&) = delete;

    const TwinSpec& spec() const noexcept { return spec_; }
    /// Processes started again by the restart policy so far (for the --stats table).
    int restarts() const noexcept { return restart_count_; }

    /// Spawns an eager twin at launch.
    void launch();
    /// Sends `line` to the running process, if any (a notice about another twin).
    void notify(const std::string& line);
    /// START: answers UP once the twin is ready (at once when it is), ERROR when it cannot be.
    void start(const std::shared_ptr<ControlChannel>& requester);
    /// STOP: SHUTDOWN, SIGTERM, SIGKILL as needed; answers DOWN once it is gone. No restart.
    void stop(const std::shared_ptr<ControlChannel>& requester);
    /// The application ends: stop for good; `finished` runs once no process is left.
    void shutdown(std::function<void()> finished);
    /// While stopping: go on to the next step of the cascade (SIGTERM, then SIGKILL) now
    /// instead of at the end of the grace period (a signal to cpy2py-run during shutdown).
    void hurry();

private:
    enum class State {
        down,       ///< no process; START spawns one
        starting,   ///< spawned, READY not seen yet
        up,         ///< READY seen
        backoff,    ///< exited; restart_timer_ will spawn a new process
        stopping,   ///< stop sequence running on the current process
        given_up,   ///< too many restarts: every START gets ERROR
        finished,   ///< shut down with the application: every START gets ERROR
    };
    struct Process;

    void spawn();
    void on_line(ControlChannel& channel, std::string_view line);
    void on_ready(pid_t reported_pid);
    void on_exit(pid_t pid, ExitStatus status);
    void on_ready_timeout();
    void apply_restart_policy(bool failed, RestartTracker::Clock::time_point started, const std::string& reason);
    void begin_stop();
    void stop_step(int step);
    void finish_stop();
    void answer_up(pid_t pid);
    void answer_error(const std::string& message);
    /// Logs a failed start (as an error only when no START waits for the answer) and answers ERROR.
    void report_start_failure(const std::string& message);
    std::string describe_failure(const std::string& what, const Process& process) const;
    /// " (why)" from a remote twin's stand-in, to follow its exit status; "" otherwise.
    std::string standin_words(const Process& process) const;
    std::string command_line() const;
    const std::string& script() const;

    TwinContext& context_;               ///< the supervisor's shared services; outlives us
    TwinSpec spec_;                      ///< as declared (or as added by START <id> <exe>)
    State state_ = State::down;          ///< see State
    std::unique_ptr<Process> process_;   ///< set exactly in starting, up and stopping
    RestartTracker restarts_;            ///< policy bookkeeping; reset by explicit START/STOP
    Timer ready_timer_;                  ///< pending while starting: ready_timeout
    Timer restart_timer_;                ///< pending exactly in backoff
    Timer stop_timer_;                   ///< pending while stopping: the grace before the next step
    std::vector<std::weak_ptr<ControlChannel>> start_waiters_;  ///< want UP/ERROR
    std::vector<std::weak_ptr<ControlChannel>> stop_waiters_;   ///< want DOWN
    bool shutting_down_ = false;         ///< shutdown() was called: never spawn again
    int stop_step_ = 0;                  ///< the stop cascade's current step (see stop_step)
    std::function<void()> on_finished_;  ///< shutdown()'s callback, until it ran
    std::string last_error_;             ///< why the twin was given up; sent with ERROR
    bool at_launch_ = false;             ///< launch() spawned the current process, not READY yet
    int restart_count_ = 0;              ///< restarts the policy scheduled, never reset
    /// Our accounts with the output sinks, kept across restarts: the relay bound is per twin
    /// and stream, not per process. Null until the first relay needs them.
    std::shared_ptr<OutputSink::Source> out_source_, err_source_;
};

}  // namespace cpy2py
