#pragma once
// The supervisor's end of one child's control channel: an AF_UNIX stream socket carrying
// the '\n'-terminated lines of docs/DESIGN.md. Reads lines and hands them to a handler;
// queues lines to send so a slow reader never blocks the supervisor.
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace boost::asio {
class io_context;
}

namespace cpy2py {

class ControlChannel : public std::enable_shared_from_this<ControlChannel> {
public:
    /// Called for every received line (without '\n'); the channel is passed so answers
    /// can be sent back to it, now or later through a weak_ptr.
    using LineHandler = std::function<void(ControlChannel& channel, std::string_view line)>;

    /// Takes ownership of `fd` and starts reading. `peer` names the child in log messages.
    static std::shared_ptr<ControlChannel> open(boost::asio::io_context& io, int fd, std::string peer,
                                                LineHandler handler);
    ~ControlChannel();
    ControlChannel(const ControlChannel&) = delete;
    ControlChannel& operator=(const ControlChannel&) = delete;

    /// Queues `line` (which must end in '\n'); dropped silently once the channel is closed.
    void send(std::string line);
    /// Handles every complete line the child has sent and we have not read yet, now,
    /// without waiting (its last words before it exited, such as STATS).
    void drain();
    /// Stops reading and writing and closes the socket (the child sees EOF).
    void close();
    bool is_open() const noexcept;
    const std::string& peer() const noexcept { return peer_; }

private:
    struct Impl;
    ControlChannel(std::string peer, std::unique_ptr<Impl> impl);
    void read_more();
    /// Reads what the socket holds, handling each complete line; false at EOF or an error.
    bool read_available();
    void write_more();

    std::string peer_;            ///< "twin 'pypy'" or "main", for log messages
    std::unique_ptr<Impl> impl_;  ///< socket, line splitter, outbox
};

}  // namespace cpy2py
