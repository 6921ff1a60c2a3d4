#pragma once
// Signals delivered as events through a signalfd read by the event loop, with their
// siginfo: the supervisor must tell a terminal's SIGINT (si_code SI_KERNEL, already seen by
// the main) from one sent with kill() (to be forwarded).
#include <signal.h>
#include <sys/signalfd.h>

#include <functional>
#include <memory>
#include <span>

namespace boost::asio {
class io_context;
}

namespace cpy2py {

/// Blocks `signals` (the process must have no other thread yet) and returns the mask it had
/// before: what children must get back before exec. Call it before creating anything a
/// signal's default action would leave behind. Throws std::system_error.
sigset_t block_signals(std::span<const int> signals);

class SignalSource {
public:
    using Handler = std::function<void(const signalfd_siginfo&)>;

    /// Starts reading `signals`, which block_signals() blocked. The mask stays blocked after
    /// destruction: unblocking would run the default action of anything that arrived
    /// meanwhile. Throws std::system_error.
    SignalSource(boost::asio::io_context& io, std::span<const int> signals, Handler handler);
    ~SignalSource();
    SignalSource(const SignalSource&) = delete;
    SignalSource& operator=(const SignalSource&) = delete;

    /// Handles every signal pending now, without waiting (before the event loop runs).
    void poll();

private:
    struct Reader;
    std::shared_ptr<Reader> reader_;  ///< the signalfd and its pending wait
};

}  // namespace cpy2py
