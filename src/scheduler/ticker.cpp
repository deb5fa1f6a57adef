#include "scheduler/ticker.hpp"

#include <spdlog/spdlog.h>

namespace maxis::scheduler {

Ticker::Ticker(std::string name, std::chrono::milliseconds interval, std::function<void()> tick)
    : name_(std::move(name)), interval_(interval), tick_(std::move(tick)) {}

Ticker::~Ticker() { Stop(); }

void Ticker::Start() {
    if (thread_.joinable()) return;
    stop_ = false;
    thread_ = std::thread([this] {
        std::unique_lock lock(mutex_);
        while (!stop_) {
            lock.unlock();
            try {
                tick_();
            } catch (const std::exception& e) {
                spdlog::error("{}: tick failed: {}", name_, e.what());
            }
            lock.lock();
            cv_.wait_for(lock, interval_, [this] { return stop_ || poked_; });
            poked_ = false;
        }
    });
}

void Ticker::Stop() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void Ticker::Poke() {
    {
        std::lock_guard lock(mutex_);
        poked_ = true;
    }
    cv_.notify_all();
}

}  // namespace maxis::scheduler
