#include "core/twin.hpp"

#include "core/child_env.hpp"
#include "core/control_channel.hpp"
#include "core/line_splitter.hpp"
#include "core/output_relay.hpp"
#include "core/process.hpp"
#include "core/reaper.hpp"
#include "core/watchdog.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>

namespace cpy2py {
namespace {

using Clock = RestartTracker::Clock;

/// How long to wait for the reaper after SIGKILL before we stop waiting for a process
/// stuck in the kernel (uninterruptible sleep): it cannot run Python code any more.
constexpr std::chrono::milliseconds kKillWait{5000};

long long ms_since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

/// Closes the fds it holds unless released: spawn() has many exits.
struct FdGuard {
    int fds[6] = {-1, -1, -1, -1, -1, -1};
    ~FdGuard() {
        for (int fd : fds) {
            if (fd >= 0) ::close(fd);
        }
    }
    int release(int i) {
        const int fd = fds[i];
        fds[i] = -1;
        return fd;
    }
    void close(int i) {
        if (fds[i] >= 0) ::close(fds[i]);
        fds[i] = -1;
    }
};
enum { ours_control, child_control, ours_out, child_out, ours_err, child_err };

}  // namespace

struct Twin::Process {
    pid_t pid = -1;                             ///< the twin process, leader of its own group
    pid_t reported_pid = 0;                     ///< pid from READY (UP answers carry it); 0 before
    Clock::time_point started;                  ///< when it was spawned
    bool ready = false;                         ///< READY was received
    std::string failure;                        ///< why we killed it ourselves (ready timeout), else empty
    std::shared_ptr<ControlChannel> control;    ///< always set
    std::unique_ptr<OutputRelay> out;           ///< null when stdout is inherited or silenced
    std::unique_ptr<OutputRelay> err;           ///< null when stderr is inherited
    std::shared_ptr<LineTail> err_tail;         ///< last stderr lines; empty when stderr is inherited
};

Twin::Twin(TwinContext& context, TwinSpec spec)
    : context_(context),
      spec_(std::move(spec)),
      restarts_(spec_.restart, context.settings.restart),
      ready_timer_(context.io),
      restart_timer_(context.io),
      stop_timer_(context.io) {}

Twin::~Twin() {
    // Only reached with a live process when the supervisor unwinds after an internal error.
    if (process_ && process_->pid > 0) ::kill(-process_->pid, SIGKILL);
}

void Twin::launch() {
    if (state_ != State::down) return;
    at_launch_ = true;
    spawn();
}

const std::string& Twin::script() const {
    // A twin on another host runs here as its stand-in (core/remote_twin.hpp).
    return spec_.remote ? spec_.remote->standin_script : context_.twin_script;
}

std::string Twin::command_line() const {
    std::string line = spec_.interpreter.path;
    for (const auto& arg : spec_.args) line += " " + arg;
    line += " " + script();
    if (spec_.remote) line += " (" + spec_.interpreter.requested + ")";
    return line;
}

void Twin::spawn() {
    if (shutting_down_) return;
    const auto mode = context_.settings.output;
    FdGuard fds;
    auto failed_to_spawn = [&](const char* what, int error) {
        const std::string message = fmt::format("twin '{}' ({}) failed to start: {}", spec_.id, command_line(),
                                                describe_spawn_error(what, error));
        report_start_failure(message);
        apply_restart_policy(true, Clock::now(), message);
    };
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) return failed_to_spawn("socketpair", errno);
    fds.fds[ours_control] = pair[0];
    fds.fds[child_control] = pair[1];
    int pipe_fds[2];
    if (mode == OutputMode::prefixed) {
        if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return failed_to_spawn("pipe", errno);
        fds.fds[ours_out] = pipe_fds[0];
        fds.fds[child_out] = pipe_fds[1];
    }
    if (mode != OutputMode::inherit) {
        // Silenced twins still get a stderr pipe: its tail explains a failed start.
        if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return failed_to_spawn("pipe", errno);
        fds.fds[ours_err] = pipe_fds[0];
        fds.fds[child_err] = pipe_fds[1];
    }

    ProcessSpec ps;
    ps.program = spec_.interpreter.path;
    ps.argv.push_back(spec_.interpreter.path);
    ps.argv.insert(ps.argv.end(), spec_.args.begin(), spec_.args.end());
    ps.argv.push_back(script());
    ps.env = context_.environment.for_twin(spec_);
    if (spec_.remote) ps.env.push_back("CPY2PY_SSH_TWIN=" + spec_.remote->standin_config);
    ps.in = Stdio::null();
    ps.out = mode == OutputMode::prefixed ? Stdio::from_fd(fds.fds[child_out])
             : mode == OutputMode::silent ? Stdio::null()
                                          : Stdio::inherit();
    ps.err = mode == OutputMode::inherit ? Stdio::inherit() : Stdio::from_fd(fds.fds[child_err]);
    ps.extra_fds.emplace_back(fds.fds[child_control], kControlFd);
    ps.new_process_group = true;
    ps.death_signal = SIGKILL;
    ps.signal_mask = context_.child_signal_mask;

    const SpawnResult spawned = spawn_process(ps);
    fds.close(child_control);
    fds.close(child_out);
    fds.close(child_err);
    if (!spawned) return failed_to_spawn(spawned.what.c_str(), spawned.error);

    auto process = std::make_unique<Process>();
    process->pid = spawned.pid;
    process->started = Clock::now();
    context_.watchdog.add_group(spawned.pid);
    context_.reaper.watch(spawned.pid, true, [this, pid = spawned.pid](ExitStatus status) { on_exit(pid, status); });
    process->control = ControlChannel::open(
        context_.io, fds.release(ours_control), fmt::format("twin '{}'", spec_.id),
        [this](ControlChannel& channel, std::string_view line) { on_line(channel, line); });
    if (mode != OutputMode::inherit) {
        process->err_tail = std::make_shared<LineTail>();
        std::shared_ptr<OutputSink> err_to = mode == OutputMode::prefixed ? context_.err : nullptr;
        if (err_to && !err_source_) err_source_ = err_to->add_source(OutputRelay::kDefaultLimit);
        process->err = std::make_unique<OutputRelay>(
            context_.io, fds.release(ours_err),
            OutputRelay::Options{"[" + spec_.id + "] ", err_to, process->err_tail, err_to ? err_source_ : nullptr});
    }
    if (mode == OutputMode::prefixed) {
        if (!out_source_) out_source_ = context_.out->add_source(OutputRelay::kDefaultLimit);
        process->out = std::make_unique<OutputRelay>(
            context_.io, fds.release(ours_out),
            OutputRelay::Options{"[" + spec_.id + "] ", context_.out, nullptr, out_source_});
    }
    process_ = std::move(process);
    state_ = State::starting;
    ready_timer_.start(context_.settings.ready_timeout, [this] { on_ready_timeout(); });
    spdlog::info("started twin '{}' (pid {}): {}", spec_.id, spawned.pid, command_line());
}

void Twin::on_line(ControlChannel& channel, std::string_view line) {
    const auto request = parse_control_line(line);
    if (!request) {
        spdlog::warn("twin '{}' sent an invalid control line: {:.200}", spec_.id, line);
        if (auto answer = answer_to_refused_line(line)) channel.send(*answer);
        return;
    }
    if (request->kind == ControlRequest::Kind::ready) {
        on_ready(request->pid);
    } else {
        context_.on_request(channel, *request);
    }
}

void Twin::on_ready(pid_t reported_pid) {
    if (!process_ || process_->ready) return;
    process_->ready = true;
    process_->reported_pid = reported_pid;
    ready_timer_.cancel();
    at_launch_ = false;
    spdlog::info("twin '{}' ready (pid {}) after {} ms", spec_.id, reported_pid, ms_since(process_->started));
    if (state_ != State::starting) return;  // stopping: its START waiters already got ERROR
    state_ = State::up;
    answer_up(reported_pid);
}

void Twin::on_ready_timeout() {
    if (state_ != State::starting || !process_) return;
    process_->failure = fmt::format("not ready after {} ms", context_.settings.ready_timeout.count());
    spdlog::error("twin '{}' (pid {}) is {}; killing it", spec_.id, process_->pid, process_->failure);
    ::kill(-process_->pid, SIGKILL);
}

void Twin::on_exit(pid_t pid, ExitStatus status) {
    if (!process_ || process_->pid != pid) {
        spdlog::info("twin '{}': abandoned process {} ended with {}", spec_.id, pid, status.describe());
        return;
    }
    const std::unique_ptr<Process> process = std::move(process_);
    ready_timer_.cancel();
    // Everything the twin wrote is in the pipes now: relay it before reporting anything.
    if (process->out) process->out->drain();
    if (process->err) process->err->drain();
    process->control->drain();  // its last control lines (STATS) too
    process->control->close();
    context_.watchdog.remove_group(pid);

    if (state_ == State::stopping) {
        spdlog::info("twin '{}' (pid {}) stopped: {}", spec_.id, pid, status.describe());
        finish_stop();
        return;
    }
    std::string reason;
    if (!process->ready) {
        reason = describe_failure(process->failure.empty() ? status.describe() : process->failure, *process);
        if (process->failure.empty() && status.exited() && !spec_.remote && process->err_tail &&
            process->err_tail->lines().empty()) {
            // A Python that cannot run the bootstrap says why on stderr; a program that ends
            // quietly (/bin/true, a shell script) is most likely not a Python interpreter.
            std::string args;
            for (const auto& arg : spec_.args) args += (args.empty() ? "" : " ") + arg;
            reason += fmt::format(" before it was ready, without a word on stderr: is {} a Python interpreter{}? "
                                  "(`cpy2py-run --check` runs each interpreter once and says)",
                                  spec_.interpreter.path,
                                  args.empty() ? "" : fmt::format(", and do its arguments ({}) let it run {}", args, script()));
        }
        report_start_failure(reason);
        const bool unreachable = spec_.remote && at_launch_ && status.exited() && status.code() == 127;
        at_launch_ = false;
        if (unreachable && context_.on_unreachable) {
            state_ = State::down;
            context_.on_unreachable(reason);
            return;
        }
    } else {
        reason = fmt::format("twin '{}' (pid {}) exited with {}", spec_.id, pid, status.describe());
        if (context_.on_exited) context_.on_exited(spec_.id, status.describe() + standin_words(*process));
        if (status.failed()) {
            spdlog::warn("{}", reason);
        } else {
            spdlog::info("{}", reason);
        }
    }
    apply_restart_policy(status.failed(), process->started, reason);
}

std::string Twin::standin_words(const Process& process) const {
    // A remote twin's stand-in says why it ends as its last stderr line ("cpy2py-run: lost
    // the link to host 'x': ..."): callers in the main see that, not only "exit code 1"
    if (!spec_.remote || !process.err_tail || process.err_tail->lines().empty()) return {};
    constexpr std::string_view prefix = "cpy2py-run: ";
    const std::string& last = process.err_tail->lines().back();
    if (last.rfind(prefix, 0) != 0) return {};
    return " (" + last.substr(prefix.size()) + ")";
}

std::string Twin::describe_failure(const std::string& what, const Process& process) const {
    std::string message = fmt::format("twin '{}' ({}) failed to start: {}", spec_.id, command_line(), what);
    if (process.err_tail && !process.err_tail->lines().empty()) {
        message += "; last lines of its stderr:\n" + process.err_tail->joined("\n");
    }
    return message;
}

void Twin::apply_restart_policy(bool failed, Clock::time_point started, const std::string& reason) {
    const auto decision = restarts_.on_exit(failed, started, Clock::now());
    switch (decision.kind) {
        case RestartDecision::Kind::stay_down:
            state_ = State::down;
            answer_error(reason);  // waiters that came while it was running and not ready
            return;
        case RestartDecision::Kind::restart:
            state_ = State::backoff;
            ++restart_count_;
            spdlog::warn("restarting twin '{}' in {} ms (restart {} of at most {} within {} ms)", spec_.id,
                         decision.delay.count(), decision.restarts_in_window,
                         context_.settings.restart.max_restarts, context_.settings.restart.window.count());
            restart_timer_.start(decision.delay, [this] { spawn(); });
            return;
        case RestartDecision::Kind::give_up:
            state_ = State::given_up;
            last_error_ = fmt::format("twin '{}' was given up after {} restarts within {} ms; last failure: {}",
                                      spec_.id, decision.restarts_in_window,
                                      context_.settings.restart.window.count(), reason);
            spdlog::error("{}", last_error_);
            answer_error(last_error_);
            return;
    }
}

void Twin::notify(const std::string& line) {
    if (process_ && process_->control) process_->control->send(line);
}

void Twin::start(const std::shared_ptr<ControlChannel>& requester) {
    switch (state_) {
        case State::down:
            start_waiters_.push_back(requester);
            restarts_.reset();  // an explicit start is not a policy restart
            spawn();
            return;
        case State::starting:
        case State::backoff:
            start_waiters_.push_back(requester);
            return;
        case State::up:
            requester->send(format_up(spec_.id, process_->reported_pid));
            return;
        case State::stopping:
            if (shutting_down_) {
                requester->send(format_error(spec_.id, "the application is shutting down"));
            } else {
                start_waiters_.push_back(requester);  // started again once the stop is complete
            }
            return;
        case State::given_up:
            requester->send(format_error(spec_.id, last_error_));
            return;
        case State::finished:
            requester->send(format_error(spec_.id, "the application is shutting down"));
            return;
    }
}

void Twin::stop(const std::shared_ptr<ControlChannel>& requester) {
    switch (state_) {
        case State::down:
        case State::given_up:
        case State::finished:
            requester->send(format_down(spec_.id));
            return;
        case State::backoff:
            restart_timer_.cancel();
            state_ = State::down;
            restarts_.reset();
            answer_error(fmt::format("twin '{}' was stopped", spec_.id));
            requester->send(format_down(spec_.id));
            return;
        case State::starting:
        case State::up:
            stop_waiters_.push_back(requester);
            answer_error(fmt::format("twin '{}' was stopped before it was ready", spec_.id));
            begin_stop();
            return;
        case State::stopping:
            stop_waiters_.push_back(requester);
            return;
    }
}

void Twin::shutdown(std::function<void()> finished) {
    shutting_down_ = true;
    on_finished_ = std::move(finished);
    restart_timer_.cancel();
    answer_error("the application is shutting down");
    switch (state_) {
        case State::starting:
        case State::up:
            begin_stop();
            return;
        case State::stopping:
            return;  // finish_stop() reports
        default:
            state_ = State::finished;
            finish_stop();
            return;
    }
}

void Twin::begin_stop() {
    state_ = State::stopping;
    ready_timer_.cancel();
    stop_step(0);
}

void Twin::hurry() {
    // only a twin already asked to stop; each call skips what is left of one grace period
    if (state_ != State::stopping || !process_ || stop_step_ >= 2) return;
    stop_timer_.cancel();
    stop_step(stop_step_ + 1);
}

void Twin::stop_step(int step) {
    if (!process_) return;
    stop_step_ = step;
    const pid_t pid = process_->pid;
    const auto grace = context_.settings.shutdown_grace;
    switch (step) {
        case 0:
            spdlog::debug("asking twin '{}' (pid {}) to shut down", spec_.id, pid);
            process_->control->send(format_shutdown());
            stop_timer_.start(grace, [this] { stop_step(1); });
            return;
        case 1:
            spdlog::warn("twin '{}' (pid {}) still runs {} ms after SHUTDOWN: sending SIGTERM", spec_.id, pid,
                         grace.count());
            ::kill(-pid, SIGTERM);
            stop_timer_.start(grace, [this] { stop_step(2); });
            return;
        case 2:
            spdlog::warn("twin '{}' (pid {}) still runs {} ms after SIGTERM: sending SIGKILL", spec_.id, pid,
                         grace.count());
            ::kill(-pid, SIGKILL);
            stop_timer_.start(kKillWait, [this] { stop_step(3); });
            return;
        default:
            spdlog::error("twin '{}' (pid {}) survives SIGKILL; no longer waiting for it", spec_.id, pid);
            process_->control->close();
            process_.reset();  // the reaper still collects it; on_exit() sees it is not ours
            finish_stop();
            return;
    }
}

void Twin::finish_stop() {
    stop_timer_.cancel();
    restarts_.reset();
    for (const auto& weak : stop_waiters_) {
        if (auto waiter = weak.lock()) waiter->send(format_down(spec_.id));
    }
    stop_waiters_.clear();
    if (shutting_down_) {
        state_ = State::finished;
        if (on_finished_) {
            auto finished = std::move(on_finished_);
            on_finished_ = nullptr;
            finished();
        }
        return;
    }
    state_ = State::down;
    if (!start_waiters_.empty()) spawn();
}

void Twin::answer_up(pid_t pid) {
    for (const auto& weak : start_waiters_) {
        if (auto waiter = weak.lock()) waiter->send(format_up(spec_.id, pid));
    }
    start_waiters_.clear();
}

void Twin::report_start_failure(const std::string& message) {
    // A process that asked for the twin raises this message itself: logging it as an error
    // too would show the user the same failure twice.
    const bool someone_waits = std::any_of(start_waiters_.begin(), start_waiters_.end(),
                                           [](const auto& weak) { return !weak.expired(); });
    if (someone_waits) {
        spdlog::info("{}", message);
    } else {
        spdlog::error("{}", message);
    }
    answer_error(message);
}

void Twin::answer_error(const std::string& message) {
    for (const auto& weak : start_waiters_) {
        if (auto waiter = weak.lock()) waiter->send(format_error(spec_.id, message));
    }
    start_waiters_.clear();
}

}  // namespace cpy2py
