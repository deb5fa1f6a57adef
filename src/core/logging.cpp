#include "core/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "core/errors.hpp"
#include "core/strings.hpp"

namespace maxis::core {

namespace {

// Writes the message as a JSON string body (escapes quotes, backslashes and control characters).
class JsonEscapedMessage final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
        static constexpr char kHex[] = "0123456789abcdef";
        for (char c : std::string_view(msg.payload.data(), msg.payload.size())) {
            switch (c) {
                case '"':
                    dest.append(std::string_view("\\\""));
                    break;
                case '\\':
                    dest.append(std::string_view("\\\\"));
                    break;
                case '\n':
                    dest.append(std::string_view("\\n"));
                    break;
                case '\r':
                    dest.append(std::string_view("\\r"));
                    break;
                case '\t':
                    dest.append(std::string_view("\\t"));
                    break;
                default:
                    if (static_cast<unsigned char>(c) < 0x20) {
                        const char esc[] = {'\\', 'u', '0', '0', kHex[(c >> 4) & 0xF], kHex[c & 0xF]};
                        dest.append(esc, esc + 6);
                    } else {
                        dest.push_back(c);
                    }
            }
        }
    }
    [[nodiscard]] std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<JsonEscapedMessage>();
    }
};

// Writes the message for a terminal: control characters and bidirectional overrides from outside input
// (a member's text, a header) appear escaped, so a log line cannot rewrite the screen it is read on.
class TerminalSafeMessage final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
        auto safe = EscapeForTerminal(std::string_view(msg.payload.data(), msg.payload.size()));
        dest.append(safe.data(), safe.data() + safe.size());
    }
    [[nodiscard]] std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<TerminalSafeMessage>();
    }
};

}  // namespace

void SetupLogging(std::string_view level, LogFormat format) {
    auto lvl = spdlog::level::from_str(std::string(level));
    if (lvl == spdlog::level::off && level != "off") {
        throw Error(ErrorCode::kInvalidArgument, "unknown log level '" + std::string(level) + "'");
    }
    auto logger = std::make_shared<spdlog::logger>("maxis", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    if (format == LogFormat::kJson) {
        auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
        formatter->add_flag<JsonEscapedMessage>('*').set_pattern(
            R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","logger":"%n","msg":"%*"})");
        logger->set_formatter(std::move(formatter));
    } else {
        // Local time with its offset from UTC, so that a line read elsewhere is still placed in time.
        auto formatter = std::make_unique<spdlog::pattern_formatter>();
        formatter->add_flag<TerminalSafeMessage>('*').set_pattern("%Y-%m-%d %H:%M:%S.%e%z %^%-5l%$ %*");
        logger->set_formatter(std::move(formatter));
    }
    logger->set_level(lvl);
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(std::move(logger));
}

}  // namespace maxis::core
