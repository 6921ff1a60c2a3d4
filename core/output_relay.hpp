#pragma once
// Relays one of a twin's output pipes to the supervisor's stdout or stderr, line by line,
// each line prefixed ("[pypy] ...") and queued whole on an OutputSink; the unterminated last
// line is flushed (with a '\n') when the stream ends. Optionally keeps the last lines
// (stderr tail). When the sink holds `limit` bytes of this relay, the relay stops reading
// its pipe until half of them are written: the twin feels the back-pressure, the event
// loop never waits.
#include "core/line_splitter.hpp"
#include "core/output_sink.hpp"

#include <cstddef>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace cpy2py {

class OutputRelay {
public:
    struct Options {
        std::string prefix;                  ///< written before every line, e.g. "[pypy] "
        std::shared_ptr<OutputSink> out;     ///< where lines go; null discards them
        std::shared_ptr<LineTail> tail;      ///< receives every line too, when set
        /// Our account with `out`, shared by the relays of one twin's successive processes;
        /// null: the relay opens one of kDefaultLimit bytes.
        std::shared_ptr<OutputSink::Source> source{};
    };
    /// Per twin and stream: enough to ride out a slow reader, small enough for many twins.
    static constexpr std::size_t kDefaultLimit = 256 * 1024;

    /// Takes ownership of `read_fd` (made non-blocking) and relays it until EOF or drain().
    OutputRelay(boost::asio::io_context& io, int read_fd, Options options);
    ~OutputRelay();
    OutputRelay(const OutputRelay&) = delete;
    OutputRelay& operator=(const OutputRelay&) = delete;

    /// The writer is gone (the twin exited): reads whatever is still in the pipe without
    /// blocking (a pipe's worth at most, past the limit), flushes the unterminated last line
    /// and closes. Nothing written before the writer's death is lost; data written later by
    /// leftover children is dropped.
    void drain();

    /// True once EOF was seen or drain() ran.
    bool finished() const noexcept;
    /// True while the relay waits for its sink to take more (its pipe is not read).
    bool paused() const noexcept;

private:
    struct Reader;
    std::shared_ptr<Reader> reader_;  ///< shared with the pending wait, so it outlives us safely
};

}  // namespace cpy2py
