#pragma once
// A one-shot timer on the event loop whose cancel() is final: a callback whose expiry was
// already queued when cancel() (or a new start()) came does not run.
#include <chrono>
#include <functional>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace cpy2py {

class Timer {
public:
    explicit Timer(boost::asio::io_context& io);
    ~Timer();
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;

    /// Calls `callback` after `delay`, replacing any pending callback.
    void start(std::chrono::milliseconds delay, std::function<void()> callback);
    void cancel() noexcept;
    bool pending() const noexcept;

private:
    struct State;
    std::shared_ptr<State> state_;  ///< shared with queued handlers, which check its generation
};

}  // namespace cpy2py
