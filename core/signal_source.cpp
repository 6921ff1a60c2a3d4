#include "core/signal_source.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace cpy2py {

struct SignalSource::Reader : std::enable_shared_from_this<SignalSource::Reader> {
    Reader(boost::asio::io_context& io, int fd, Handler h) : descriptor(io, fd), handler(std::move(h)) {}

    void wait() {
        descriptor.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                              [self = shared_from_this()](const boost::system::error_code& ec) {
                                  if (ec || self->closed) return;
                                  self->read_all();
                                  if (!self->closed) self->wait();
                              });
    }

    void read_all() {
        for (;;) {
            signalfd_siginfo info{};
            const ssize_t n = ::read(descriptor.native_handle(), &info, sizeof info);
            if (n < 0 && errno == EINTR) continue;
            if (n != static_cast<ssize_t>(sizeof info)) return;  // EAGAIN: all read
            try {
                handler(info);
            } catch (const std::exception& e) {
                spdlog::error("internal error while handling signal {}: {}", info.ssi_signo, e.what());
            }
            if (closed) return;
        }
    }

    boost::asio::posix::stream_descriptor descriptor;  ///< owns the signalfd
    Handler handler;                                    ///< called once per signal
    bool closed = false;                                ///< set by ~SignalSource; no more calls
};

sigset_t block_signals(std::span<const int> signals) {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : signals) sigaddset(&set, sig);
    sigset_t original;
    if (::sigprocmask(SIG_BLOCK, &set, &original) != 0) {
        throw std::system_error(errno, std::generic_category(), "cannot block signals");
    }
    return original;
}

SignalSource::SignalSource(boost::asio::io_context& io, std::span<const int> signals, Handler handler) {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : signals) sigaddset(&set, sig);
    const int fd = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot create a signalfd");
    reader_ = std::make_shared<Reader>(io, fd, std::move(handler));
    reader_->wait();
}

void SignalSource::poll() { reader_->read_all(); }

SignalSource::~SignalSource() {
    reader_->closed = true;
    boost::system::error_code ignored;
    reader_->descriptor.close(ignored);
}

}  // namespace cpy2py
