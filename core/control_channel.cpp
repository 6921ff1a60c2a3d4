#include "core/control_channel.hpp"

#include "core/line_splitter.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include <sys/socket.h>

#include <cerrno>
#include <deque>

namespace cpy2py {

struct ControlChannel::Impl {
    Impl(boost::asio::io_context& io, int fd, LineHandler h) : socket(io, fd), handler(std::move(h)) {}

    boost::asio::posix::stream_descriptor socket;  ///< our end of the socketpair; closed => !open
    LineHandler handler;                           ///< receives each complete line
    LineSplitter lines{65536};                     ///< control lines are short; cap what we buffer
    char buffer[4096];                             ///< target of the pending read
    std::deque<std::string> outbox;                ///< lines not yet written; front is being written
    bool open = true;                              ///< false after close() or EOF
};

std::shared_ptr<ControlChannel> ControlChannel::open(boost::asio::io_context& io, int fd, std::string peer,
                                                     LineHandler handler) {
    auto channel = std::shared_ptr<ControlChannel>(
        new ControlChannel(std::move(peer), std::make_unique<Impl>(io, fd, std::move(handler))));
    channel->read_more();
    return channel;
}

ControlChannel::ControlChannel(std::string peer, std::unique_ptr<Impl> impl)
    : peer_(std::move(peer)), impl_(std::move(impl)) {}

ControlChannel::~ControlChannel() = default;

bool ControlChannel::is_open() const noexcept { return impl_->open; }

// async_wait + our own recv(): no data ever sits in a completed-but-not-run handler, so
// drain() can read the rest synchronously without losing or reordering lines.
void ControlChannel::read_more() {
    impl_->socket.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                             [self = shared_from_this()](const boost::system::error_code& ec) {
                                 if (!self->impl_->open) return;
                                 if (ec || !self->read_available()) {
                                     // EOF: the child closed its end (it is exiting); the reaper reports the exit.
                                     self->close();
                                     return;
                                 }
                                 if (self->impl_->open) self->read_more();
                             });
}

bool ControlChannel::read_available() {
    for (;;) {
        const ssize_t n = ::recv(impl_->socket.native_handle(), impl_->buffer, sizeof impl_->buffer, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
        if (n <= 0) return false;  // EOF or a real error
        impl_->lines.feed(std::string_view(impl_->buffer, static_cast<std::size_t>(n)), [&](std::string_view line) {
            if (impl_->open) impl_->handler(*this, line);
        });
        if (!impl_->open) return true;
    }
}

void ControlChannel::drain() {
    if (impl_->open) read_available();
}

void ControlChannel::send(std::string line) {
    if (!impl_->open) return;
    spdlog::trace("to {}: {}", peer_, std::string_view(line).substr(0, line.size() - 1));
    impl_->outbox.push_back(std::move(line));
    if (impl_->outbox.size() == 1) write_more();
}

void ControlChannel::write_more() {
    boost::asio::async_write(impl_->socket, boost::asio::buffer(impl_->outbox.front()),
                             [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                                 if (!self->impl_->open) return;
                                 if (ec) {
                                     self->close();  // EPIPE: the child is gone
                                     return;
                                 }
                                 self->impl_->outbox.pop_front();
                                 if (!self->impl_->outbox.empty()) self->write_more();
                             });
}

void ControlChannel::close() {
    if (!impl_->open) return;
    impl_->open = false;
    impl_->outbox.clear();
    boost::system::error_code ignored;
    impl_->socket.close(ignored);
}

}  // namespace cpy2py
