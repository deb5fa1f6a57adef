#pragma once
// A payment provider for the shop's rule and storage tests: pages and refunds are made at once and
// remembered, or refused on demand. The Stripe adapter itself is tested against the Stripe simulator.
#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "domain/shop/shop_service.hpp"

namespace maxis::testing {

class ScriptedPayments final : public shop::PaymentGateway {
public:
    struct RefundCall {
        std::string number;
        std::optional<long long> amount_minor;
        std::string idempotency_key;
    };

    [[nodiscard]] bool configured() const override { return configured_; }
    Session CreateCheckout(const shop::Order& order, core::TimePoint expires_at, const std::string&) override {
        std::lock_guard lock(mutex_);
        if (refuse_) throw core::Error(core::ErrorCode::kUnavailable, "the provider refused the page");
        std::string id = next_session_.empty() ? "cs_" + order.number : std::exchange(next_session_, "");
        expiries_.push_back(expires_at);
        return Session{id, "https://checkout.stripe.com/c/pay/" + id};
    }
    std::string Refund(const shop::Order& order, std::optional<long long> amount_minor,
                       const std::string& idempotency_key) override {
        std::lock_guard lock(mutex_);
        refunds_.push_back({order.number, amount_minor, idempotency_key});
        return "re_" + std::to_string(refunds_.size());
    }

    /// The next page's session id (then "cs_<order number>" again).
    void NextSession(std::string id) {
        std::lock_guard lock(mutex_);
        next_session_ = std::move(id);
    }
    void Refuse(bool refuse) { refuse_ = refuse; }
    void Configure(bool configured) { configured_ = configured; }
    std::vector<RefundCall> refunds() {
        std::lock_guard lock(mutex_);
        return refunds_;
    }
    std::vector<core::TimePoint> expiries() {
        std::lock_guard lock(mutex_);
        return expiries_;
    }

private:
    std::mutex mutex_;
    std::atomic<bool> configured_{true};
    std::atomic<bool> refuse_{false};
    std::string next_session_;
    std::vector<RefundCall> refunds_;
    std::vector<core::TimePoint> expiries_;
};

}  // namespace maxis::testing
