#include "core/errors.hpp"

#include <random>

namespace maxis::core {

std::string_view ToString(ErrorCode code) {
    switch (code) {
        case ErrorCode::kInvalidArgument:
            return "invalid_argument";
        case ErrorCode::kUnauthenticated:
            return "unauthenticated";
        case ErrorCode::kNotFound:
            return "not_found";
        case ErrorCode::kForbidden:
            return "forbidden";
        case ErrorCode::kConflict:
            return "conflict";
        case ErrorCode::kLimitReached:
            return "limit_reached";
        case ErrorCode::kUnavailable:
            return "unavailable";
        case ErrorCode::kInternal:
            return "internal";
    }
    return "internal";
}

Error::Error(ErrorCode code, std::string message, std::string key, std::map<std::string, std::string> params)
    : std::runtime_error(std::move(message)), code_(code), key_(std::move(key)), params_(std::move(params)) {}

std::string NewErrorReference() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    static constexpr char kAlphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    std::string ref;
    for (int i = 0; i < 8; ++i) ref += kAlphabet[rng() % (sizeof(kAlphabet) - 1)];
    return ref;
}

}  // namespace maxis::core
