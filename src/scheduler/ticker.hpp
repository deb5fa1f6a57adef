#pragma once
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace maxis::scheduler {

/// Calls a function every interval on a thread of its own until stopped. An exception from the function
/// is logged and the ticking goes on. Stop() wakes the thread at once and joins it.
class Ticker {
public:
    Ticker(std::string name, std::chrono::milliseconds interval, std::function<void()> tick);
    ~Ticker();
    void Start();
    void Stop();
    /// Asks for a tick now instead of at the end of the interval.
    void Poke();

private:
    std::string name_;
    std::chrono::milliseconds interval_;
    std::function<void()> tick_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stop_ = false;
    bool poked_ = false;
    std::thread thread_;
};

}  // namespace maxis::scheduler
