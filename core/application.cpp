#include "core/application.hpp"

#include "core/call_stats.hpp"
#include "core/control_channel.hpp"
#include "core/error.hpp"
#include "core/interpreter.hpp"
#include "core/interpreter_search.hpp"
#include "core/logging.hpp"
#include "core/main_signal_reports.hpp"
#include "core/output_sink.hpp"
#include "core/pending_signals.hpp"
#include "core/probe_cache.hpp"
#include "core/process.hpp"
#include "core/signal_source.hpp"
#include "core/timer.hpp"
#include "core/twin.hpp"
#include "core/undeclared_twin.hpp"
#include "core/variables.hpp"

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace cpy2py {
namespace {

/// Read through the signalfd; blocked before anything exists that their default action
/// (death) would leave behind: the run directory, the watchdog, any child. SIGUSR1/SIGUSR2
/// only go to the main (a program's own signals: reopen logs, dump state); before, their
/// default action killed cpy2py-run and left the main to the watchdog.
constexpr int kHandledSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD, SIGPIPE};

sigset_t prepare_process() {
    ensure_standard_fds_open();
    // An inherited SIG_IGN would make the kernel reap our children behind our back.
    ::signal(SIGCHLD, SIG_DFL);
    return block_signals(kHandledSignals);
}

/// The longest socket name the runtime binds in the run directory: "<longest id>.sock"; a
/// remote twin's id is bound there too (by its host's hub), and so is the hub's own
/// "@ssh-<link>.sock".
std::string longest_socket_name(const LaunchPlan& plan) {
    std::size_t longest = plan.main.id.size();
    for (const auto& twin : plan.twins) {
        longest = std::max(longest, twin.id.size());
        if (twin.remote) longest = std::max(longest, ("@ssh-" + std::to_string(twin.remote->link)).size());
    }
    return std::string(longest, 'x') + ".sock";
}

/// How long the end of the run waits for a stdout or stderr nobody reads (no byte written).
constexpr std::chrono::milliseconds kOutputStall{10000};

/// How long a signal sent to us waits for the main to report it got the same one itself
/// (core/forward_decisions.hpp): a signal to our process group reaches the main at once,
/// so this only needs to cover the main's way to the CPU on a loaded machine. A signal
/// sent to cpy2py-run alone reaches the main this much later.
constexpr std::chrono::milliseconds kForwardWindow{100};

bool ends_the_run(int sig) { return sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT; }

/// The twin entry point; CPY2PY_TWIN_SCRIPT replaces it (tests use fake twins).
std::string twin_script(const LaunchPlan& plan) {
    const char* custom = std::getenv("CPY2PY_TWIN_SCRIPT");
    if (custom != nullptr && *custom != '\0') {
        std::error_code ec;
        const auto abs = std::filesystem::absolute(custom, ec);
        return ec ? std::string(custom) : abs.string();
    }
    return plan.bootstrap_dir + "/cpy2py_twin.py";
}

std::string signal_name(int sig) {
    const char* abbrev = ::sigabbrev_np(sig);
    return abbrev != nullptr ? std::string("SIG") + abbrev : std::to_string(sig);
}

}  // namespace

Application::Application(const LaunchPlan& plan)
    : plan_(plan),
      original_mask_(prepare_process()),
      run_dir_(RunDir::create(longest_socket_name(plan))),
      token_(random_token()),
      watchdog_(Watchdog::start(run_dir_.path())),
      io_(std::make_unique<boost::asio::io_context>(1)),
      signals_(std::make_unique<SignalSource>(*io_, kHandledSignals,
                                              [this](const signalfd_siginfo& info) { on_signal(info); })),
      out_(std::make_shared<OutputSink>(STDOUT_FILENO)),
      err_(std::make_shared<OutputSink>(STDERR_FILENO)),
      environment_(plan, run_dir_.path(), token_, ChildEnvironment::current()),
      stats_enabled_(stats_requested(std::getenv("CPY2PY_STATS"))),
      forward_decisions_(kForwardWindow),
      forward_timer_(std::make_unique<Timer>(*io_)) {
    route_logging(err_);
    twin_context_ = std::make_unique<TwinContext>(TwinContext{
        *io_, plan.supervisor, environment_, reaper_, watchdog_, original_mask_, out_, err_, twin_script(plan),
        [this](ControlChannel& channel, const ControlRequest& request) { on_request(channel, request); },
        [this](const std::string&) { on_twin_unreachable(); },
        [this](const std::string& id, const std::string& how) { on_twin_exited(id, how); }});
    for (const auto& spec : plan.twins) {
        twins_.emplace(spec.id, std::make_unique<Twin>(*twin_context_, spec));
    }
    reaper_.watch(watchdog_.pid(), false, [this](ExitStatus status) {
        spdlog::error("the watchdog (pid {}) ended with {}: if cpy2py-run is killed now, its children survive",
                      watchdog_.pid(), status.describe());
        watchdog_.lost();
    });
    spdlog::debug("run directory {}", run_dir_.path());
}

Application::~Application() {
    route_logging(nullptr);
    // Normally the main is long gone; we get here with it running only after an internal error.
    if (main_pid_ > 0) ::kill(main_pid_, SIGKILL);
    if (main_control_) main_control_->close();
    twins_.clear();  // kills any twin group still alive
}

int Application::run() {
    // A signal that came during start-up ends the run before anything is spawned; one that
    // comes after this check waits in the signalfd and is forwarded to the main.
    signals_->poll();
    if (early_signal_ == 0) {
        // Twins first: they are the ones the main will wait for.
        for (const auto& [id, twin] : twins_) {
            if (twin->spec().start == StartMode::eager) twin->launch();
        }
        signals_->poll();  // spawning them took a while; from the main's fork on, it gets them
    }
    if (early_signal_ != 0) {
        spdlog::info("{} before the main started: not starting it", signal_name(early_signal_));
        status_ = exit_status::signal_base + early_signal_;
        begin_shutdown();  // stops eager twins already started
    } else {
        spawn_main();
    }
    for (;;) {
        try {
            io_->run();
            break;
        } catch (const std::exception& e) {
            // Keep supervising: dying here would orphan every child.
            spdlog::error("internal error in the supervisor: {}", e.what());
        }
    }
    if (main_control_) main_control_->close();
    run_dir_.remove();
    watchdog_.release();
    finish_output();
    return status_;
}

void Application::finish_output() {
    if (stats_enabled_) {
        std::map<std::string, int> restarts;
        for (const auto& [id, twin] : twins_) restarts[id] = twin->restarts();
        err_->write(err_->add_source(SIZE_MAX), stats_.table(restarts));
    }
    // Everything is cleaned up already: a reader that never reads again costs us only this
    // wait, and a kill now leaves nothing behind.
    const bool out_written = out_->flush(kOutputStall);
    const bool err_written = err_->flush(kOutputStall);
    route_logging(nullptr);
    if (!out_written && err_written) {
        spdlog::warn("stdout was not read for {} s: the twins' last lines relayed there are lost",
                     kOutputStall.count() / 1000);
    }
}

void Application::spawn_main() {
    main_started_ = true;
    const MainSpec& main = plan_.main;
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
        spdlog::error("cannot start the main program: {}", describe_spawn_error("socketpair", errno));
        status_ = 126;
        begin_shutdown();
        return;
    }
    ProcessSpec ps;
    ps.program = main.interpreter.path;
    ps.argv.push_back(main.interpreter.path);
    if (main.kind == MainKind::module) ps.argv.emplace_back("-m");
    if (main.kind == MainKind::code) ps.argv.emplace_back("-c");
    ps.argv.push_back(main.target);
    ps.argv.insert(ps.argv.end(), main.args.begin(), main.args.end());
    main_signals_ = open_signal_reports();
    ps.env = environment_.for_main(main_signals_ != nullptr);
    ps.extra_fds.emplace_back(pair[1], kControlFd);
    if (main_signals_) ps.extra_fds.emplace_back(main_signals_->child_end(), kSignalReportFd);
    ps.death_signal = SIGKILL;  // stays in our process group, so the terminal reaches it
    ps.signal_mask = original_mask_;

    const SpawnResult spawned = spawn_process(ps);
    ::close(pair[1]);
    if (!spawned) {
        ::close(pair[0]);
        main_signals_.reset();
        spdlog::error("cannot start the main program {}: {}", main.interpreter.path,
                      describe_spawn_error(spawned.what, spawned.error));
        status_ = spawned.error == ENOENT ? 127 : 126;
        begin_shutdown();
        return;
    }
    main_pid_ = spawned.pid;
    if (main_signals_) main_signals_->main_started();
    watchdog_.set_main(main_pid_);
    reaper_.watch(main_pid_, false, [this](ExitStatus status) { on_main_exit(status); });
    main_control_ = ControlChannel::open(*io_, pair[0], "main",
                                         [this](ControlChannel& channel, std::string_view line) {
                                             on_main_line(channel, line);
                                         });
    spdlog::info("started main '{}' (pid {}): {} {}", main.id, main_pid_, main.interpreter.path, main.target);
}

void Application::on_main_exit(ExitStatus status) {
    spdlog::info("main (pid {}) exited with {}", main_pid_, status.describe());
    if (!unreachable_) status_ = status.shell_status();
    main_pid_ = -1;
    forward_timer_->cancel();
    main_signals_.reset();
    watchdog_.clear_main();
    main_control_->drain();  // its last lines (STATS) may still wait in the socket
    main_control_->close();
    begin_shutdown();
}

void Application::on_twin_unreachable() {
    // As for a local interpreter that is missing: the run ends with 127 (the twin's error,
    // with ssh's message, is logged already). The main started in parallel is stopped.
    if (shutting_down_) return;
    status_ = 127;
    unreachable_ = true;
    if (main_pid_ > 0) ::kill(main_pid_, SIGKILL);
}

void Application::begin_shutdown() {
    if (shutting_down_) return;
    shutting_down_ = true;
    twins_running_ = twins_.size();
    if (twins_running_ == 0) {
        io_->stop();
        return;
    }
    for (const auto& [id, twin] : twins_) {
        twin->shutdown([this] {
            if (--twins_running_ == 0) io_->stop();
        });
    }
}

void Application::on_signal(const signalfd_siginfo& info) {
    const int sig = static_cast<int>(info.ssi_signo);
    if (sig == SIGCHLD) {
        reaper_.reap();
        return;
    }
    if (sig == SIGPIPE) return;  // blocked only so writes to a vanished reader fail with EPIPE
    if (shutting_down_ && main_pid_ <= 0 && ends_the_run(sig)) {
        // The main has ended and twins are being stopped: whoever sends this (a second
        // Ctrl-C, a container's stop) wants it over sooner than the grace periods allow
        spdlog::warn("{} during shutdown: twins still running go on to SIGTERM, then SIGKILL, now",
                     signal_name(sig));
        for (const auto& [id, twin] : twins_) twin->hurry();
        return;
    }
    if (!main_started_ && ends_the_run(sig)) {
        // Before the main exists nobody else got it, not even a terminal's SIGINT.
        if (early_signal_ == 0) early_signal_ = sig;
        return;
    }
    if (info.ssi_code == SI_KERNEL) {
        // Generated by the terminal for its whole foreground process group: the main,
        // which shares our group, got it already. Twins have their own groups.
        spdlog::debug("{} from the terminal, not forwarded", signal_name(sig));
        return;
    }
    if (main_pid_ <= 0) {
        spdlog::debug("{} from pid {} ignored: the main has ended", signal_name(sig), info.ssi_pid);
        return;
    }
    forward_to_main(sig, static_cast<pid_t>(info.ssi_pid));
}

void Application::forward_to_main(int sig, pid_t sender) {
    switch (forward_decisions_.on_signal(sig, ForwardDecisions::Clock::now())) {
    case ForwardDecisions::Verdict::forward:
        spdlog::info("forwarding {} from pid {} to the main (pid {})", signal_name(sig), sender, main_pid_);
        ::kill(main_pid_, sig);
        return;
    case ForwardDecisions::Verdict::drop:
        spdlog::info("{} from pid {} reached the main (pid {}) directly: not forwarded", signal_name(sig), sender,
                     main_pid_);
        return;
    case ForwardDecisions::Verdict::wait:
        spdlog::debug("{} from pid {}: forwarded unless the main reports it got it itself", signal_name(sig),
                      sender);
        if (!forward_timer_->pending()) forward_timer_->start(kForwardWindow, [this] { forward_due(); });
        return;
    }
}

void Application::forward_due() {
    if (main_signals_) main_signals_->drain();  // a report written just now still counts
    const auto now = ForwardDecisions::Clock::now();
    for (int sig : forward_decisions_.due(now)) {
        if (main_pid_ <= 0) return;
        if (signal_pending(main_pid_, sig)) {
            // The group's copy waits for a main that has not been on a CPU since (a loaded
            // machine): it will get that one.
            spdlog::info("{} is pending in the main (pid {}) already: not forwarded", signal_name(sig), main_pid_);
            continue;
        }
        spdlog::info("forwarding {} to the main (pid {})", signal_name(sig), main_pid_);
        ::kill(main_pid_, sig);
    }
    if (const auto next = forward_decisions_.next_due()) {
        const auto wait = std::chrono::ceil<std::chrono::milliseconds>(*next - now);
        forward_timer_->start(std::max(wait, std::chrono::milliseconds{1}), [this] { forward_due(); });
    }
}

std::unique_ptr<MainSignalReports> Application::open_signal_reports() {
    try {
        return std::make_unique<MainSignalReports>(*io_, [this](int sig) {
            spdlog::debug("the main caught signal {}", sig);
            forward_decisions_.on_report(sig, ForwardDecisions::Clock::now());
        });
    } catch (const std::exception& e) {
        // Only costs the main a second copy of a signal sent to our whole process group.
        spdlog::debug("{}: every signal for the main is forwarded at once", e.what());
        return nullptr;
    }
}

void Application::on_twin_exited(const std::string& id, const std::string& how) {
    const std::string line = format_exited(id, how);
    if (main_control_) main_control_->send(line);
    for (auto& [other, twin] : twins_) {
        if (other != id) twin->notify(line);
    }
}

void Application::on_main_line(ControlChannel& channel, std::string_view line) {
    const auto request = parse_control_line(line);
    if (!request || request->kind == ControlRequest::Kind::ready) {
        spdlog::warn("the main sent an unexpected control line: {:.200}", line);
        if (auto answer = answer_to_refused_line(line)) channel.send(*answer);
        return;
    }
    if (request->kind == ControlRequest::Kind::signals) {
        if (main_signals_) forward_decisions_.enable();
        return;
    }
    on_request(channel, *request);
}

void Application::on_request(ControlChannel& channel, const ControlRequest& request) {
    if (request.kind == ControlRequest::Kind::signals) return;  // only the main's reports count
    if (request.kind == ControlRequest::Kind::stats) {
        if (!stats_.merge(request.payload)) {
            spdlog::warn("{} sent a STATS line that is not the documented JSON: {:.200}", channel.peer(),
                         request.payload);
        }
        return;
    }
    const auto requester = channel.shared_from_this();
    const bool start = request.kind == ControlRequest::Kind::start;
    spdlog::debug("{} asks to {} twin '{}'", channel.peer(), start ? "start" : "stop", request.id);
    if (shutting_down_) {
        requester->send(start ? format_error(request.id, "the application is shutting down")
                              : format_down(request.id));
        return;
    }
    auto found = twins_.find(request.id);
    if (found == twins_.end()) {
        if (!start) {
            requester->send(format_down(request.id));
            return;
        }
        // Undeclared: the executable the program named, else the id itself (as standalone).
        const auto candidates = undeclared_twin_candidates(request.id, request.executable);
        if (run_dir_.path().size() + 1 + request.id.size() + 5 > kMaxSocketPath) {
            requester->send(format_error(
                request.id, fmt::format("cannot start twin '{}': its socket path {}/{}.sock would be longer than "
                                        "the {} bytes AF_UNIX allows; use a shorter id or a shorter TMPDIR",
                                        request.id, run_dir_.path(), request.id, kMaxSocketPath)));
            return;
        }
        // Resolved like `--twin ID=CANDIDATE`: a version-like name (python2.7) skips a pyenv
        // shim that does not run and finds the interpreter itself.
        UndeclaredResolution resolution;
        try {
            resolution = resolve_undeclared_twin(candidates, finder(), std::filesystem::current_path().string());
        } catch (const std::exception& e) {  // e.g. the current directory is gone
            resolution.why_not.emplace_back(e.what());
        }
        probe_cache_->save();
        if (!resolution.found) {
            std::vector<std::string> declared;
            for (const auto& twin : plan_.twins) declared.push_back(twin.id);
            const char* path_env = std::getenv("PATH");
            requester->send(format_error(request.id, undeclared_twin_message(request.id, candidates, declared,
                                                                             path_env ? path_env : "",
                                                                             resolution.why_not)));
            return;
        }
        TwinSpec spec;
        spec.id = request.id;
        spec.interpreter = *resolution.found;
        spec.env = plan_.env;  // [env] and --env reach every twin
        spdlog::info("{} adds twin '{}' running {}", channel.peer(), spec.id, spec.interpreter.path);
        auto twin = std::make_unique<Twin>(*twin_context_, std::move(spec));
        found = twins_.emplace(request.id, std::move(twin)).first;
    }
    if (start) {
        found->second->start(requester);
    } else {
        found->second->stop(requester);
    }
}

InterpreterFinder& Application::finder() {
    if (!finder_) {
        probe_cache_ = std::make_unique<ProbeCache>(
            default_probe_cache_dir(std::getenv("XDG_CACHE_HOME"), std::getenv("HOME")));
        SearchPlaces places = SearchPlaces::from(current_variables());
        places.path_env = current_path_env();
        finder_ = std::make_unique<InterpreterFinder>(std::move(places), *probe_cache_);
    }
    return *finder_;
}

}  // namespace cpy2py
