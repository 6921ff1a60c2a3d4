#pragma once
// Signals delivered as events through a signalfd read by the event loop, with their
// siginfo: the supervisor must tell a terminal's SIGINT (si_code SI_KERNEL, already seen by
// the main) from one sent with kill() (to be forwarded).
#include <signal.h>
#include <sys/signalfd.h>

#include <functional>
#include <initializer_list>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace cpy2py {

class SignalSource {
public:
    using Handler = std::function<void(const signalfd_siginfo&)>;

    /// Blocks `signals` (the process must have no other thread) and starts reading them.
    /// The mask stays blocked after destruction: unblocking would run the default action
    /// of anything that arrived meanwhile. Throws std::system_error.
    SignalSource(boost::asio::io_context& io, std::initializer_list<int> signals, Handler handler);
    ~SignalSource();
    SignalSource(const SignalSource&) = delete;
    SignalSource& operator=(const SignalSource&) = delete;

    /// The mask the process had before: what children must get back before exec.
    const sigset_t& original_mask() const noexcept { return original_mask_; }

private:
    struct Reader;
    sigset_t original_mask_{};        ///< the mask before we blocked our signals
    std::shared_ptr<Reader> reader_;  ///< the signalfd and its pending wait
};

}  // namespace cpy2py
