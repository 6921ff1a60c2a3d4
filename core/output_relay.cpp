#include "core/output_relay.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>

namespace cpy2py {

void write_all(int fd, std::string_view data) noexcept {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n > 0) {
            data.remove_prefix(static_cast<std::size_t>(n));
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && errno == EAGAIN) {
            pollfd p{fd, POLLOUT, 0};
            ::poll(&p, 1, -1);
        } else {
            return;
        }
    }
}

struct OutputRelay::Reader : std::enable_shared_from_this<OutputRelay::Reader> {
    Reader(boost::asio::io_context& io, int fd, Options o) : descriptor(io, fd), options(std::move(o)) {
        boost::system::error_code ignored;
        descriptor.non_blocking(true, ignored);
    }

    // async_wait + our own read(): no data ever sits in a completed-but-not-run handler,
    // so drain() can read the rest synchronously without reordering lines.
    void wait() {
        descriptor.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                              [self = shared_from_this()](const boost::system::error_code& ec) {
                                  if (ec || self->done) return;
                                  self->read_available(false);
                                  if (!self->done) self->wait();
                              });
    }

    /// Reads what the pipe holds (or up to EOF, which finishes the relay). A short read
    /// normally means the pipe is empty; `to_the_end` checks with one more read instead.
    void read_available(bool to_the_end) {
        char buf[65536];
        for (;;) {
            const ssize_t n = ::read(descriptor.native_handle(), buf, sizeof buf);
            if (n > 0) {
                relay(std::string_view(buf, static_cast<std::size_t>(n)));
                if (!to_the_end && static_cast<std::size_t>(n) < sizeof buf) return;
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && errno == EAGAIN) return;
            finish();  // EOF or a real error
            return;
        }
    }

    /// Splits `data` into lines and writes all complete ones with one write().
    void relay(std::string_view data) {
        std::string out;
        splitter.feed(data, [&](std::string_view line) { add_line(out, line); });
        if (!out.empty() && options.out_fd >= 0) write_all(options.out_fd, out);
    }

    void add_line(std::string& out, std::string_view line) {
        if (options.tail) options.tail->add(line);
        if (options.out_fd < 0) return;
        out.append(options.prefix).append(line).push_back('\n');
    }

    void finish() {
        if (done) return;
        done = true;
        std::string out;
        splitter.finish([&](std::string_view line) { add_line(out, line); });
        if (!out.empty() && options.out_fd >= 0) write_all(options.out_fd, out);
        boost::system::error_code ignored;
        descriptor.close(ignored);
    }

    boost::asio::posix::stream_descriptor descriptor;  ///< owns the pipe's read end until done
    Options options;                                   ///< prefix, destination, tail
    LineSplitter splitter;                             ///< holds the unterminated line
    bool done = false;                                 ///< EOF seen or drained; descriptor closed
};

OutputRelay::OutputRelay(boost::asio::io_context& io, int read_fd, Options options)
    : reader_(std::make_shared<Reader>(io, read_fd, std::move(options))) {
    reader_->wait();
}

OutputRelay::~OutputRelay() {
    try {
        reader_->finish();
    } catch (...) {
        // Out of memory while flushing the last line: losing it beats terminating.
    }
}

void OutputRelay::drain() {
    if (reader_->done) return;
    reader_->read_available(true);
    reader_->finish();
}

bool OutputRelay::finished() const noexcept { return reader_->done; }

}  // namespace cpy2py
