#pragma once
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

namespace maxis::core {

/// The one set of error codes every transport maps once (HTTP status, Discord ephemeral, console line).
enum class ErrorCode {
    kInvalidArgument,
    kUnauthenticated,
    kNotFound,
    kForbidden,
    kConflict,
    kLimitReached,
    kUnavailable,
    kInternal
};

std::string_view ToString(ErrorCode code);

/// A domain error: a code, a message-catalog key with its placeholders (so each transport can speak the
/// member's language), and an English fallback message used in logs and API responses.
class Error : public std::runtime_error {
public:
    Error(ErrorCode code, std::string message, std::string key = {}, std::map<std::string, std::string> params = {});
    [[nodiscard]] ErrorCode code() const { return code_; }
    [[nodiscard]] const std::string& key() const { return key_; }
    [[nodiscard]] const std::map<std::string, std::string>& params() const { return params_; }
    /// For kLimitReached: when to try again (HTTP answers it as Retry-After).
    [[nodiscard]] int retry_after_seconds() const { return retry_after_seconds_; }
    Error& RetryAfter(int seconds) {
        retry_after_seconds_ = seconds;
        return *this;
    }

private:
    ErrorCode code_;
    std::string key_;
    std::map<std::string, std::string> params_;
    int retry_after_seconds_ = 0;
};

/// A short random reference shown to users for unexpected failures, and logged with the details.
std::string NewErrorReference();

}  // namespace maxis::core
