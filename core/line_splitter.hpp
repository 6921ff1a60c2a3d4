#pragma once
// Splits a byte stream into '\n'-terminated lines (pure logic, shared by the output relay,
// the control channel and the watchdog).
#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <string_view>

namespace cpy2py {

class LineSplitter {
public:
    using Sink = std::function<void(std::string_view line)>;

    /// A line longer than `max_line` bytes is handed out in pieces of that size, so a
    /// stream without newlines cannot make us buffer without bound.
    explicit LineSplitter(std::size_t max_line = 1 << 20) : max_line_(max_line) {}

    /// Appends `data`; calls `sink` with every line it completes, without the '\n'.
    void feed(std::string_view data, const Sink& sink);
    /// At end of stream: hands out the unterminated rest, if any.
    void finish(const Sink& sink);
    /// Bytes held back waiting for their '\n'.
    std::size_t pending() const noexcept { return partial_.size(); }

private:
    std::size_t max_line_;  ///< > 0; partial_ never reaches it after feed() returns
    std::string partial_;   ///< the started, unterminated line
};

/// The last `capacity` lines of a stream (a twin's stderr, for error messages).
class LineTail {
public:
    explicit LineTail(std::size_t capacity = 20, std::size_t max_line = 400)
        : capacity_(capacity), max_line_(max_line) {}
    void add(std::string_view line);
    const std::deque<std::string>& lines() const noexcept { return lines_; }
    /// The lines joined with `separator`.
    std::string joined(std::string_view separator) const;
    void clear() { lines_.clear(); }

private:
    std::size_t capacity_;            ///< lines_.size() <= capacity_
    std::size_t max_line_;            ///< longer lines are cut, marked with "..."
    std::deque<std::string> lines_;   ///< oldest first
};

}  // namespace cpy2py
