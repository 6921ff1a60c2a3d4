#include "core/line_splitter.hpp"

namespace cpy2py {

void LineSplitter::feed(std::string_view data, const Sink& sink) {
    while (!data.empty()) {
        const auto newline = data.find('\n');
        if (newline == std::string_view::npos) {
            partial_.append(data);
            // Hand out over-long lines in max_line_ pieces.
            while (partial_.size() >= max_line_) {
                sink(std::string_view(partial_).substr(0, max_line_));
                partial_.erase(0, max_line_);
            }
            return;
        }
        const auto head = data.substr(0, newline);
        if (partial_.empty()) {
            sink(head);  // the common case: no copy
        } else {
            partial_.append(head);
            sink(partial_);
            partial_.clear();
        }
        data.remove_prefix(newline + 1);
    }
}

void LineSplitter::finish(const Sink& sink) {
    if (partial_.empty()) return;
    std::string rest;
    rest.swap(partial_);
    sink(rest);
}

void LineTail::add(std::string_view line) {
    if (capacity_ == 0) return;
    if (lines_.size() == capacity_) lines_.pop_front();
    if (line.size() > max_line_) {
        lines_.emplace_back(line.substr(0, max_line_)).append("...");
    } else {
        lines_.emplace_back(line);
    }
}

std::string LineTail::joined(std::string_view separator) const {
    std::string out;
    for (const auto& line : lines_) {
        if (!out.empty()) out.append(separator);
        out.append(line);
    }
    return out;
}

}  // namespace cpy2py
