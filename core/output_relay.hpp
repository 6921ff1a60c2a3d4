#pragma once
// Relays one of a twin's output pipes to the supervisor's stdout or stderr, line by line,
// each line prefixed ("[pypy] ...") and written whole; the unterminated last line is
// flushed (with a '\n') when the stream ends. Optionally keeps the last lines (stderr tail).
#include "core/line_splitter.hpp"

#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace cpy2py {

class OutputRelay {
public:
    struct Options {
        std::string prefix;                 ///< written before every line, e.g. "[pypy] "
        int out_fd = -1;                    ///< where lines go; -1 discards them
        std::shared_ptr<LineTail> tail;     ///< receives every line too, when set
    };

    /// Takes ownership of `read_fd` (made non-blocking) and relays it until EOF or drain().
    OutputRelay(boost::asio::io_context& io, int read_fd, Options options);
    ~OutputRelay();
    OutputRelay(const OutputRelay&) = delete;
    OutputRelay& operator=(const OutputRelay&) = delete;

    /// The writer is gone (the twin exited): reads whatever is still in the pipe without
    /// blocking, flushes the unterminated last line and closes. Nothing written before the
    /// writer's death is lost; data written later by leftover children is dropped.
    void drain();

    /// True once EOF was seen or drain() ran.
    bool finished() const noexcept;

private:
    struct Reader;
    std::shared_ptr<Reader> reader_;  ///< shared with the pending wait, so it outlives us safely
};

/// Writes all of `data` to `fd`, retrying on EINTR and waiting when the fd is non-blocking
/// and full. Gives up silently on other errors (EPIPE: nobody reads our output any more).
void write_all(int fd, std::string_view data) noexcept;

}  // namespace cpy2py
