#include "core/output_sink.hpp"

#include <limits.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string_view>
#include <system_error>
#include <thread>

namespace cpy2py {

struct OutputSink::Source {
    std::size_t limit = 0;            ///< queued bytes at which write() says "full"
    std::size_t queued = 0;           ///< bytes of this source not written yet (under State::mutex)
    bool waiting = false;             ///< write() said "full": call on_room when half drained
    std::function<void()> on_room;    ///< empty once closed
};

struct OutputSink::State {
    struct Chunk {
        std::shared_ptr<Source> source;
        std::string data;
    };

    explicit State(int out) : fd(out) {}

    /// The writer thread: one chunk at a time, in order, with a blocking write().
    void run() {
        std::unique_lock lock(mutex);
        for (;;) {
            changed.wait(lock, [&] { return stopping || !chunks.empty(); });
            if (chunks.empty()) return;  // stopping, and everything is written
            Chunk chunk = std::move(chunks.front());
            chunks.pop_front();
            lock.unlock();
            if (!broken) broken = !write_whole(chunk.data);
            lock.lock();
            ++progress;
            queued -= chunk.data.size();
            Source& source = *chunk.source;
            source.queued -= chunk.data.size();
            if (source.waiting && source.queued <= source.limit / 2) {
                source.waiting = false;
                if (source.on_room) source.on_room();  // only posts: fine under the lock
            }
            changed.notify_all();
        }
    }

    /// False once the reader is gone (EPIPE) or the fd fails: later chunks are dropped.
    /// A chunk holds many lines; it is written in pieces of whole lines of at most PIPE_BUF
    /// bytes, because only such writes to a pipe are atomic: the main writes to the same
    /// pipe, and a larger write could be split with the main's line in the middle of ours.
    bool write_whole(std::string_view data) const {
        while (!data.empty()) {
            std::string_view piece = data.substr(0, piece_size(data));
            data.remove_prefix(piece.size());
            while (!piece.empty()) {
                const ssize_t n = ::write(fd, piece.data(), piece.size());
                if (n > 0) {
                    piece.remove_prefix(static_cast<std::size_t>(n));
                } else if (n < 0 && errno == EINTR) {
                    continue;
                } else {
                    return false;
                }
            }
        }
        return true;
    }

    /// Bytes of `data` to write at once: up to PIPE_BUF ending at a line end, else one whole
    /// line (a line longer than PIPE_BUF cannot be written atomically anyway).
    static std::size_t piece_size(std::string_view data) {
        if (data.size() <= PIPE_BUF) return data.size();
        const std::size_t last = data.rfind('\n', PIPE_BUF - 1);
        if (last != std::string_view::npos) return last + 1;
        const std::size_t end = data.find('\n', PIPE_BUF);
        return end == std::string_view::npos ? data.size() : end + 1;
    }

    const int fd;                         ///< our stdout or stderr
    mutable std::mutex mutex;             ///< guards everything below and every Source's fields
    std::condition_variable changed;      ///< a chunk was queued or written, or stopping was set
    std::deque<Chunk> chunks;             ///< FIFO: lines leave in the order they were queued
    std::size_t queued = 0;               ///< bytes in chunks
    unsigned long long progress = 0;      ///< chunks written so far (flush() watches it move)
    bool stopping = false;                ///< the thread ends once chunks is empty
    bool broken = false;                  ///< only touched by the writer thread
    std::thread thread;                   ///< started by the first write()
};

OutputSink::OutputSink(int fd) : state_(std::make_shared<State>(fd)) {}

OutputSink::~OutputSink() {
    std::thread thread;
    bool drained;
    {
        std::lock_guard lock(state_->mutex);
        state_->stopping = true;
        drained = state_->chunks.empty();
        thread = std::move(state_->thread);
        state_->changed.notify_all();
    }
    if (!thread.joinable()) return;
    // A writer still holding chunks is blocked on a reader that stopped (flush() gave up):
    // joining could take forever. It holds its own reference to the state.
    if (drained) {
        thread.join();
    } else {
        thread.detach();
    }
}

std::shared_ptr<OutputSink::Source> OutputSink::add_source(std::size_t limit) {
    auto source = std::make_shared<Source>();
    source->limit = limit;
    return source;
}

void OutputSink::attach(Source& source, std::function<void()> on_room) {
    std::lock_guard lock(state_->mutex);
    source.on_room = std::move(on_room);
}

void OutputSink::detach(Source& source) {
    std::lock_guard lock(state_->mutex);
    source.on_room = nullptr;
    source.waiting = false;
}

bool OutputSink::has_room(Source& source) {
    std::lock_guard lock(state_->mutex);
    if (source.queued < source.limit) return true;
    source.waiting = true;
    return false;
}

bool OutputSink::write(const std::shared_ptr<Source>& from, std::string data) {
    Source& source = *from;
    if (data.empty()) return !full(source);
    std::lock_guard lock(state_->mutex);
    if (!state_->thread.joinable() && !start_writer()) {
        // No thread (the system refused one): nothing is queued, so writing here keeps
        // the order. It blocks on a reader that stopped, but a message that says why the
        // run failed (fork refused, say) must not be lost.
        if (!state_->broken) state_->broken = !state_->write_whole(data);
        ++state_->progress;
        state_->changed.notify_all();
        return true;
    }
    const std::size_t size = data.size();
    source.queued += size;
    state_->queued += size;
    state_->chunks.push_back({from, std::move(data)});  // keeps the source alive until written
    state_->changed.notify_all();
    if (source.queued < source.limit) return true;
    source.waiting = true;
    return false;
}

bool OutputSink::start_writer() {
    try {
        // Signals the supervisor reads through its signalfd are blocked in this thread
        // too: it inherits the mask.
        state_->thread = std::thread([state = state_] { state->run(); });
        return true;
    } catch (const std::system_error&) {
        // EAGAIN under `ulimit -u` or with memory short; the next write() tries again
        return false;
    }
}

bool OutputSink::full(const Source& source) const {
    std::lock_guard lock(state_->mutex);
    return source.queued >= source.limit;
}

bool OutputSink::flush(std::chrono::milliseconds stall) {
    std::unique_lock lock(state_->mutex);
    for (;;) {
        if (state_->chunks.empty() && state_->queued == 0) return true;
        const auto seen = state_->progress;
        if (!state_->changed.wait_for(lock, stall, [&] { return state_->progress != seen; })) return false;
    }
}

}  // namespace cpy2py
