#pragma once
// One of the supervisor's own output streams (stdout or stderr) written by a thread of its
// own from a FIFO of whole-line chunks: a reader that stops reading blocks that thread,
// never the event loop (docs/DESIGN.md, "Output relay").
//
// Why a thread and not O_NONBLOCK: the fd's open file description is shared with the main
// (and with the shell or the terminal); O_NONBLOCK on it would make the main's own writes
// fail with EAGAIN. Polling for POLLOUT and then writing is no answer either: the main may
// fill the pipe between the two, and the write would block the loop anyway.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace cpy2py {

class OutputSink {
public:
    /// One producer (a relay, the logger). Its bytes queued and not written yet are counted
    /// against its own limit, so one flooding twin pauses alone.
    struct Source;

    /// Writes to `fd` (not owned). The thread starts with the first write() (without one,
    /// when the system refuses threads, write() writes itself).
    explicit OutputSink(int fd);
    /// Stops the thread after it wrote everything queued; when flush() gave up on a stalled
    /// reader, leaves it blocked (detached) instead: the process ends around it.
    ~OutputSink();
    OutputSink(const OutputSink&) = delete;
    OutputSink& operator=(const OutputSink&) = delete;

    /// A new producer that may queue `limit` bytes (one per twin and stream: it outlives the
    /// twin's processes, so restarts do not multiply the bound).
    std::shared_ptr<Source> add_source(std::size_t limit);
    /// `on_room` runs (on the writer thread, so it must only post to an event loop) once a
    /// source that write() or has_room() reported full has at most half its limit queued.
    /// Replaces the previous callback.
    void attach(Source& source, std::function<void()> on_room);
    /// The producer is done for now: on_room is never called again until the next attach().
    void detach(Source& source);
    /// True when `source` may queue more; otherwise false, and on_room will run once it may.
    bool has_room(Source& source);

    /// Queues `data` (whole lines) after everything queued before. Returns false when the
    /// source now has `limit` bytes or more queued: it should stop until on_room runs.
    bool write(const std::shared_ptr<Source>& source, std::string data);
    /// True when `source` has `limit` bytes or more queued (the logger drops lines then).
    bool full(const Source& source) const;

    /// Waits until everything queued is written, or until `stall` passes without any byte
    /// written (nobody reads). True when everything was written.
    bool flush(std::chrono::milliseconds stall);

private:
    /// Starts the writer thread (with State::mutex held); false when the system refuses
    /// one (`ulimit -u`): write() then writes in the caller, blocking, rather than throw.
    bool start_writer();

    struct State;
    std::shared_ptr<State> state_;  ///< shared with the writer thread, which may outlive us
};

}  // namespace cpy2py
