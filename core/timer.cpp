#include "core/timer.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>

namespace cpy2py {

struct Timer::State {
    explicit State(boost::asio::io_context& io) : timer(io) {}
    boost::asio::steady_timer timer;  ///< the armed expiry, if any
    std::uint64_t generation = 0;     ///< bumped by start() and cancel(); a handler runs only if it matches
    bool armed = false;               ///< a callback is due
};

Timer::Timer(boost::asio::io_context& io) : state_(std::make_shared<State>(io)) {}

Timer::~Timer() { cancel(); }

void Timer::start(std::chrono::milliseconds delay, std::function<void()> callback) {
    cancel();
    const auto generation = state_->generation;
    state_->armed = true;
    state_->timer.expires_after(delay);
    state_->timer.async_wait([weak = std::weak_ptr<State>(state_), generation,
                              callback = std::move(callback)](const boost::system::error_code& ec) {
        const auto state = weak.lock();
        if (ec || !state || state->generation != generation) return;
        state->armed = false;
        callback();
    });
}

void Timer::cancel() noexcept {
    ++state_->generation;
    state_->armed = false;
    try {
        state_->timer.cancel();
    } catch (...) {
        // The generation bump alone already keeps the callback from running.
    }
}

bool Timer::pending() const noexcept { return state_->armed; }

}  // namespace cpy2py
