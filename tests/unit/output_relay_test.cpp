// Line splitting, the stderr tail and the relay itself over real pipes.
#include "core/line_splitter.hpp"
#include "core/output_relay.hpp"
#include "core/output_sink.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/steady_timer.hpp>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

using namespace cpy2py;

namespace {

std::vector<std::string> split(const std::vector<std::string>& chunks, bool finish = true,
                               std::size_t max_line = 1 << 20) {
    LineSplitter splitter(max_line);
    std::vector<std::string> lines;
    const LineSplitter::Sink sink = [&](std::string_view line) { lines.emplace_back(line); };
    for (const auto& chunk : chunks) splitter.feed(chunk, sink);
    if (finish) splitter.finish(sink);
    return lines;
}

/// Everything readable from `fd` until EOF.
std::string read_all(int fd) {
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    return out;
}

}  // namespace

TEST_CASE("complete lines come out without their newline") {
    CHECK(split({"a\nbb\n"}) == std::vector<std::string>{"a", "bb"});
    CHECK(split({"\n\n"}) == std::vector<std::string>{"", ""});
}

TEST_CASE("a line split across chunks comes out whole") {
    CHECK(split({"he", "llo", " world\nnext", "\n"}) == std::vector<std::string>{"hello world", "next"});
}

TEST_CASE("the unterminated last line comes out at finish, and only then") {
    CHECK(split({"one\ntw", "o"}, false) == std::vector<std::string>{"one"});
    CHECK(split({"one\ntw", "o"}) == std::vector<std::string>{"one", "two"});
    CHECK(split({"x\n"}) == std::vector<std::string>{"x"});  // nothing extra at finish
}

TEST_CASE("over-long lines are handed out in max_line pieces") {
    CHECK(split({"abcdefg"}, false, 3) == std::vector<std::string>{"abc", "def"});
    CHECK(split({"abcdefg"}, true, 3) == std::vector<std::string>{"abc", "def", "g"});
    LineSplitter splitter(3);
    splitter.feed("ab", [](std::string_view) { FAIL("no line yet"); });
    CHECK(splitter.pending() == 2);
}

TEST_CASE("the tail keeps the last lines, cut to length") {
    LineTail tail(2, 5);
    tail.add("first");
    tail.add("second line");
    tail.add("3");
    REQUIRE(tail.lines().size() == 2);
    CHECK(tail.lines()[0] == "secon...");
    CHECK(tail.joined(" | ") == "secon... | 3");
}

TEST_CASE("the relay prefixes every line and flushes the partial last one at EOF") {
    int in[2], out[2];
    REQUIRE(::pipe(in) == 0);
    REQUIRE(::pipe(out) == 0);
    boost::asio::io_context io;
    auto tail = std::make_shared<LineTail>();
    auto sink = std::make_shared<OutputSink>(out[1]);
    OutputRelay relay(io, in[0], {"[tw] ", sink, tail});
    const std::string text = "alpha\nbe";
    REQUIRE(::write(in[1], text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    io.poll();
    REQUIRE(::write(in[1], "ta\ngam", 6) == 6);
    ::close(in[1]);
    io.run();  // reads until EOF, then nothing is left to wait for
    CHECK(relay.finished());
    CHECK(sink->flush(std::chrono::seconds(30)));
    ::close(out[1]);
    CHECK(read_all(out[0]) == "[tw] alpha\n[tw] beta\n[tw] gam\n");
    CHECK(tail->joined("|") == "alpha|beta|gam");
    ::close(out[0]);
}

TEST_CASE("drain relays what is still in the pipe although writers remain") {
    int in[2], out[2];
    REQUIRE(::pipe(in) == 0);
    REQUIRE(::pipe(out) == 0);
    boost::asio::io_context io;
    auto sink = std::make_shared<OutputSink>(out[1]);
    OutputRelay relay(io, in[0], {"[x] ", sink, nullptr});
    std::string big;
    for (int i = 0; i < 1000; ++i) big += "line " + std::to_string(i) + "\n";
    big += "last";
    REQUIRE(big.size() < 65536);  // fits in the pipe
    REQUIRE(::write(in[1], big.data(), big.size()) == static_cast<ssize_t>(big.size()));
    relay.drain();  // the event loop never ran: drain alone must get everything
    CHECK(relay.finished());
    std::string got;
    // The sink's thread writes into a pipe of 64 KiB: read while it writes.
    std::thread reader([&] { got = read_all(out[0]); });
    CHECK(sink->flush(std::chrono::seconds(30)));
    ::close(out[1]);
    reader.join();
    CHECK(got.rfind("[x] line 0\n", 0) == 0);
    CHECK(got.find("[x] line 999\n[x] last\n") != std::string::npos);
    CHECK(got.size() == big.size() + 1 + 1001 * 4);
    ::close(in[1]);
    ::close(out[0]);
}

TEST_CASE("a relay without destination still fills the tail") {
    int in[2];
    REQUIRE(::pipe(in) == 0);
    boost::asio::io_context io;
    auto tail = std::make_shared<LineTail>(2);
    OutputRelay relay(io, in[0], {"", nullptr, tail});
    REQUIRE(::write(in[1], "1\n2\n3", 5) == 5);
    ::close(in[1]);
    io.run();
    CHECK(tail->joined(",") == "2,3");
}

TEST_CASE("a destination nobody reads pauses that relay only; the event loop keeps running") {
    int slow_in[2], fast_in[2], slow_out[2], fast_out[2];
    REQUIRE(::pipe(slow_in) == 0);
    REQUIRE(::pipe(fast_in) == 0);
    REQUIRE(::pipe(slow_out) == 0);
    REQUIRE(::pipe(fast_out) == 0);
    boost::asio::io_context io;
    // Keeps run_one() waiting for the sink thread's resume while no read is pending.
    auto busy = boost::asio::make_work_guard(io);
    auto slow_sink = std::make_shared<OutputSink>(slow_out[1]);  // nobody reads slow_out for now
    auto fast_sink = std::make_shared<OutputSink>(fast_out[1]);
    OutputRelay slow(io, slow_in[0], {"[s] ", slow_sink, nullptr, slow_sink->add_source(4096)});
    OutputRelay fast(io, fast_in[0], {"[f] ", fast_sink, nullptr, fast_sink->add_source(4096)});
    // Fill the slow destination pipe, so that the sink's thread blocks at its first write.
    std::size_t filler = 0;
    ::fcntl(slow_out[1], F_SETFL, O_NONBLOCK);
    while (::write(slow_out[1], "f", 1) == 1) ++filler;
    ::fcntl(slow_out[1], F_SETFL, 0);
    const std::string line(99, 'x');
    // Then the relay's allowance, until it pauses.
    int written = 0;
    while (!slow.paused()) {
        REQUIRE(::write(slow_in[1], (line + "\n").data(), 100) == 100);
        ++written;
        io.poll();
        REQUIRE(written < 100000);
    }
    // The event loop still runs timers and serves the other relay.
    bool fired = false;
    boost::asio::steady_timer timer(io, std::chrono::milliseconds(1));
    timer.async_wait([&](const boost::system::error_code&) { fired = true; });
    REQUIRE(::write(fast_in[1], "hello\n", 6) == 6);
    ::close(fast_in[1]);
    while (!fired || !fast.finished()) io.run_one();
    CHECK(fast_sink->flush(std::chrono::seconds(30)));
    ::close(fast_out[1]);
    CHECK(read_all(fast_out[0]) == "[f] hello\n");
    CHECK(slow.paused());
    // The reader comes back: everything arrives, whole and in order.
    ::close(slow_in[1]);
    std::string got;
    std::thread reader([&] { got = read_all(slow_out[0]); });
    while (!slow.finished()) io.run_one();
    CHECK(slow_sink->flush(std::chrono::seconds(30)));
    ::close(slow_out[1]);
    reader.join();
    std::string expected(filler, 'f');
    for (int i = 0; i < written; ++i) expected += "[s] " + line + "\n";
    CHECK(got == expected);
    ::close(slow_out[0]);
    ::close(fast_out[0]);
}

TEST_CASE("the bound is per account: a restarted twin's new relay starts paused while the old lines wait") {
    int first_in[2], second_in[2], out[2];
    REQUIRE(::pipe(first_in) == 0);
    REQUIRE(::pipe(second_in) == 0);
    REQUIRE(::pipe(out) == 0);
    boost::asio::io_context io;
    auto busy = boost::asio::make_work_guard(io);
    std::size_t filler = 0;
    ::fcntl(out[1], F_SETFL, O_NONBLOCK);
    while (::write(out[1], "f", 1) == 1) ++filler;
    ::fcntl(out[1], F_SETFL, 0);
    auto sink = std::make_shared<OutputSink>(out[1]);
    auto account = sink->add_source(1000);
    std::string first_text;
    for (int i = 0; i < 30; ++i) first_text += "first " + std::to_string(i) + " " + std::string(80, 'x') + "\n";
    {
        OutputRelay first(io, first_in[0], {"[t] ", sink, nullptr, account});
        REQUIRE(::write(first_in[1], first_text.data(), first_text.size()) == static_cast<ssize_t>(first_text.size()));
        ::close(first_in[1]);
        first.drain();  // the process exited: everything it wrote is queued, past the bound
    }
    OutputRelay second(io, second_in[0], {"[t] ", sink, nullptr, account});
    CHECK(second.paused());  // the twin's account is still full
    REQUIRE(::write(second_in[1], "second\n", 7) == 7);
    ::close(second_in[1]);
    std::string got;
    std::thread reader([&] { got = read_all(out[0]); });
    while (!second.finished()) io.run_one();
    CHECK(sink->flush(std::chrono::seconds(30)));
    ::close(out[1]);
    reader.join();
    std::string expected(filler, 'f');
    std::size_t start = 0;
    for (std::size_t nl; (nl = first_text.find('\n', start)) != std::string::npos; start = nl + 1) {
        expected += "[t] " + first_text.substr(start, nl - start + 1);
    }
    expected += "[t] second\n";
    CHECK(got == expected);
    ::close(out[0]);
}
