#include "core/output_relay.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <unistd.h>

#include <cerrno>

namespace cpy2py {

struct OutputRelay::Reader : std::enable_shared_from_this<OutputRelay::Reader> {
    Reader(boost::asio::io_context& io, int fd, Options o) : descriptor(io, fd), options(std::move(o)) {
        boost::system::error_code ignored;
        descriptor.non_blocking(true, ignored);
    }

    /// Registers with the sink (on_room runs on the sink's thread: it only posts to our
    /// loop) and starts reading, or waits for room when the twin's account is still full.
    void start(boost::asio::io_context& io) {
        if (options.out) {
            if (!options.source) options.source = options.out->add_source(kDefaultLimit);
            std::weak_ptr<Reader> weak = shared_from_this();
            options.out->attach(*options.source, [&io, weak] {
                boost::asio::post(io, [weak] {
                    if (auto self = weak.lock()) self->resume();
                });
            });
            if (!options.out->has_room(*options.source)) {
                is_paused = true;
                return;
            }
        }
        wait();
    }

    void resume() {
        if (!is_paused || done) return;
        is_paused = false;
        wait();
    }

    // async_wait + our own read(): no data ever sits in a completed-but-not-run handler,
    // so drain() can read the rest synchronously without reordering lines.
    void wait() {
        descriptor.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                              [self = shared_from_this()](const boost::system::error_code& ec) {
                                  if (ec || self->done) return;
                                  self->read_available(false);
                                  if (!self->done && !self->is_paused) self->wait();
                              });
    }

    /// Reads what the pipe holds (or up to EOF, which finishes the relay). A short read
    /// normally means the pipe is empty; `to_the_end` checks with one more read instead,
    /// and ignores the sink's limit (the pipe's capacity bounds what it adds).
    void read_available(bool to_the_end) {
        char buf[65536];
        for (;;) {
            const ssize_t n = ::read(descriptor.native_handle(), buf, sizeof buf);
            if (n > 0) {
                relay(std::string_view(buf, static_cast<std::size_t>(n)));
                if (!to_the_end && (is_paused || static_cast<std::size_t>(n) < sizeof buf)) return;
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && errno == EAGAIN) return;
            finish();  // EOF or a real error
            return;
        }
    }

    /// Splits `data` into lines and queues all complete ones as one chunk.
    void relay(std::string_view data) {
        std::string out;
        splitter.feed(data, [&](std::string_view line) { add_line(out, line); });
        emit(std::move(out));
    }

    void add_line(std::string& out, std::string_view line) {
        if (options.tail) options.tail->add(line);
        if (!options.out) return;
        out.append(options.prefix).append(line).push_back('\n');
    }

    void emit(std::string out) {
        if (out.empty() || !options.out) return;
        if (!options.out->write(options.source, std::move(out))) is_paused = true;
    }

    void finish() {
        if (done) return;
        done = true;
        std::string out;
        splitter.finish([&](std::string_view line) { add_line(out, line); });
        emit(std::move(out));
        if (options.out) options.out->detach(*options.source);
        boost::system::error_code ignored;
        descriptor.close(ignored);
    }

    boost::asio::posix::stream_descriptor descriptor;  ///< owns the pipe's read end until done
    Options options;                                   ///< prefix, destination (source set with it), tail
    LineSplitter splitter;                             ///< holds the unterminated line
    bool is_paused = false;                            ///< the sink is full: no wait pending, on_room resumes
    bool done = false;                                 ///< EOF seen or drained; descriptor closed
};

OutputRelay::OutputRelay(boost::asio::io_context& io, int read_fd, Options options)
    : reader_(std::make_shared<Reader>(io, read_fd, std::move(options))) {
    reader_->start(io);
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

bool OutputRelay::paused() const noexcept { return reader_->is_paused; }

}  // namespace cpy2py
