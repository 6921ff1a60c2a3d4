#pragma once
// The pipe through which the main reports the signals it catches: its Python signal wakeup
// fd (signal.set_wakeup_fd) is the write end, inherited as kSignalReportFd; every signal
// one of its Python handlers caught writes one byte, the signal number (0 on Python 2).
// ForwardDecisions uses the reports to forward only what the main did not get itself.
#include <functional>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace cpy2py {

class MainSignalReports {
public:
    /// Called with each reported signal number.
    using Handler = std::function<void(int sig)>;

    /// Creates the pipe; throws std::system_error when it cannot.
    MainSignalReports(boost::asio::io_context& io, Handler handler);
    ~MainSignalReports();
    MainSignalReports(const MainSignalReports&) = delete;
    MainSignalReports& operator=(const MainSignalReports&) = delete;

    /// The write end, non-blocking (Python requires it), to hand to the main.
    int child_end() const noexcept { return child_end_; }
    /// Closes our copy of the write end once the main has its own, and starts reading.
    void main_started();
    /// Handles every report written so far, now, without waiting for the event loop.
    void drain();

private:
    struct Reader;
    std::shared_ptr<Reader> reader_;  ///< the read end and its pending wait
    int child_end_ = -1;              ///< ours until main_started()
};

}  // namespace cpy2py
