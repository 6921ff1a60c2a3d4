#include "core/main_signal_reports.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace cpy2py {

struct MainSignalReports::Reader : std::enable_shared_from_this<MainSignalReports::Reader> {
    Reader(boost::asio::io_context& io, int fd, Handler h) : descriptor(io, fd), handler(std::move(h)) {}

    void wait() {
        descriptor.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                              [self = shared_from_this()](const boost::system::error_code& ec) {
                                  if (ec || self->closed) return;
                                  if (self->read_all() && !self->closed) self->wait();
                              });
    }

    /// Handles every byte waiting; false at EOF (every copy of the write end is closed).
    bool read_all() {
        unsigned char bytes[64];
        for (;;) {
            const ssize_t n = ::read(descriptor.native_handle(), bytes, sizeof bytes);
            if (n < 0 && errno == EINTR) continue;
            if (n == 0) return false;
            if (n < 0) return errno == EAGAIN;
            for (ssize_t i = 0; i < n && !closed; ++i) {
                try {
                    handler(bytes[i]);
                } catch (const std::exception& e) {
                    spdlog::error("internal error while handling the main's signal report: {}", e.what());
                }
            }
            if (closed) return false;
        }
    }

    boost::asio::posix::stream_descriptor descriptor;  ///< owns the pipe's read end
    Handler handler;                                    ///< called once per reported signal
    bool closed = false;                                ///< set by the destructor; no more calls
};

MainSignalReports::MainSignalReports(boost::asio::io_context& io, Handler handler) {
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC) != 0) {
        throw std::system_error(errno, std::generic_category(), "cannot create the signal report pipe");
    }
    // O_NONBLOCK on the write end's own open file description: a main that stops being read
    // must never block in its signal handler; our read end is a description of its own.
    if (::fcntl(ends[1], F_SETFL, O_NONBLOCK) != 0 || ::fcntl(ends[0], F_SETFL, O_NONBLOCK) != 0) {
        const int error = errno;
        ::close(ends[0]);
        ::close(ends[1]);
        throw std::system_error(error, std::generic_category(), "cannot make the signal report pipe non-blocking");
    }
    child_end_ = ends[1];
    reader_ = std::make_shared<Reader>(io, ends[0], std::move(handler));
}

void MainSignalReports::main_started() {
    if (child_end_ >= 0) ::close(child_end_);
    child_end_ = -1;
    reader_->wait();
}

void MainSignalReports::drain() {
    if (child_end_ < 0 && !reader_->closed) reader_->read_all();
}

MainSignalReports::~MainSignalReports() {
    if (child_end_ >= 0) ::close(child_end_);
    reader_->closed = true;
    boost::system::error_code ignored;
    reader_->descriptor.close(ignored);
}

}  // namespace cpy2py
