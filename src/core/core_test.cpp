#include <date/date.h>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "core/csv.hpp"
#include "core/duration.hpp"
#include "core/errors.hpp"
#include "core/iso8601.hpp"
#include "core/logging.hpp"
#include "core/metrics.hpp"
#include "core/money.hpp"
#include "core/snowflake.hpp"
#include "core/strings.hpp"
#include "core/time_zone.hpp"

namespace maxis::core {
using namespace std::chrono_literals;

TEST(Duration, ParsesSingleAndCombinedUnits) {
    EXPECT_EQ(ParseDuration("48h"), std::chrono::seconds(48h));
    EXPECT_EQ(ParseDuration("3d"), std::chrono::seconds(72h));
    EXPECT_EQ(ParseDuration("3j"), std::chrono::seconds(72h));
    EXPECT_EQ(ParseDuration("1h30m"), std::chrono::seconds(90min));
    EXPECT_EQ(ParseDuration("90s"), std::chrono::seconds(90));
    EXPECT_EQ(ParseDuration("2w"), std::chrono::seconds(14 * 24h));
}

TEST(Duration, RejectsMalformedZeroAndOverflow) {
    for (const char* bad : {"", "h", "48", "4x", "-3d", "3 d", "0s", "99999999999999999999s", "1h-"}) {
        EXPECT_FALSE(ParseDuration(bad).has_value()) << bad;
    }
}

TEST(Duration, FormatsInLargestUnits) {
    EXPECT_EQ(FormatDuration(std::chrono::seconds(26h)), "1d2h");
    EXPECT_EQ(FormatDuration(std::chrono::seconds(30min)), "30m");
    EXPECT_EQ(FormatDuration(std::chrono::seconds(0)), "0s");
}

TEST(Snowflake, AccountCreatedAtReadsTheTimestampBits) {
    // Discord's documented example: 175928847299117063 was made at 2016-04-30T11:18:25.796Z.
    EXPECT_EQ(ToEpochMillis(AccountCreatedAt(UserId{175928847299117063})), 1462015105796);
    // The low 22 bits (worker, process, increment) do not change the time; id 0 is Discord's epoch.
    EXPECT_EQ(AccountCreatedAt(UserId{(41944705796LL << 22) + 4194303}), AccountCreatedAt(UserId{175928847299117063}));
    EXPECT_EQ(ToEpochMillis(AccountCreatedAt(UserId{0})), kDiscordEpochMillis);
}

TEST(Money, ParsesDotAndCommaDecimals) {
    EXPECT_EQ(ParseMinorUnits("9.99"), 999);
    EXPECT_EQ(ParseMinorUnits("9,99"), 999);
    EXPECT_EQ(ParseMinorUnits("10"), 1000);
    EXPECT_EQ(ParseMinorUnits("0,5"), 50);
}

TEST(Money, RejectsNegativeSeparatorsAndExtraDecimals) {
    for (const char* bad : {"", "-1", "1.999", "1,000.00", "1.", ".5", "abc", "1e3", "99999999999999999999"}) {
        EXPECT_FALSE(ParseMinorUnits(bad).has_value()) << bad;
    }
}

TEST(Money, FormatsPerLocale) {
    EXPECT_EQ(FormatMoney({999, "EUR"}, "fr"), "9,99 €");
    EXPECT_EQ(FormatMoney({999, "EUR"}, "en"), "€9.99");
    EXPECT_EQ(FormatMoney({-5, "EUR"}, "en"), "-€0.05");
}

TEST(Strings, FoldRemovesCaseAndFrenchDiacritics) {
    EXPECT_EQ(FoldForMatch("Général"), "general");
    EXPECT_EQ(FoldForMatch("CRITIQUE"), "critique");
    EXPECT_EQ(FoldForMatch("Élevée"), "elevee");
}

TEST(Strings, Utf8ValidationRejectsMalformedSequences) {
    EXPECT_TRUE(IsValidUtf8("héllo 🏆"));
    EXPECT_FALSE(IsValidUtf8("\xc3"));
    EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));      // overlong '/'
    EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));  // surrogate
    EXPECT_EQ(Utf8Length("héllo 🏆"), 7u);
}

// The hand-written ISO 8601 formatter gives exactly what date::format gave, across centuries, leap days,
// both sides of the epoch and every millisecond digit.
TEST(TimeZone, Iso8601MatchesTheCalendarLibrary) {
    std::int64_t seed = 88172645463325252LL;
    std::vector<std::int64_t> samples = {
        0, -1, 1, 951782400000LL, 951868799999LL, 4102444799999LL, -2208988800000LL, 253402300799999LL};
    for (int i = 0; i < 20000; ++i) {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        samples.push_back(seed % 253402300799999LL);  // years 1970 +/- 8000, within 0000-9999
    }
    for (auto ms : samples) {
        auto t = FromEpochMillis(ms);
        if (date::year_month_day(std::chrono::floor<date::days>(t)).year() < date::year(0)) continue;
        EXPECT_EQ(FormatIso8601(t), date::format("%FT%TZ", t)) << ms;
    }
    EXPECT_EQ(FormatIso8601(FromEpochMillis(951782400123LL)), "2000-02-29T00:00:00.123Z");
}

// What the API reads back is what it writes, and an offset or a shorter form names the same instant.
TEST(Iso8601, ReadBackWithOffsetsAndShortForms) {
    for (std::int64_t ms : {0LL, 951782400123LL, 1780000000000LL, 253402300799999LL}) {
        EXPECT_EQ(ParseIso8601(FormatIso8601(FromEpochMillis(ms))), FromEpochMillis(ms)) << ms;
    }
    auto christmas = FromEpochMillis(1798218000000LL);  // 2026-12-25T17:00:00Z
    EXPECT_EQ(ParseIso8601("2026-12-25T17:00:00Z"), christmas);
    EXPECT_EQ(ParseIso8601("2026-12-25T17:00Z"), christmas);
    EXPECT_EQ(ParseIso8601("2026-12-25T18:00:00+01:00"), christmas);
    EXPECT_EQ(ParseIso8601("2026-12-25T12:30:00-04:30"), christmas);
    for (const char* bad : {"", "2026-12-25", "2026-12-25 17:00:00Z", "2026-12-25T17:00:00", "2026-02-30T10:00Z",
                            "2026-12-25T24:00Z", "2026-12-25T17:00:00.1Z", "2026-12-25T17:00Zjunk", "tomorrow"}) {
        EXPECT_FALSE(ParseIso8601(bad)) << bad;
    }
}

TEST(Csv, CellsAreQuotedWhenNeededAndNeverFormulas) {
    EXPECT_EQ(CsvCell("Early Bird"), "Early Bird");
    EXPECT_EQ(CsvCell("Alice \"A\", first"), "\"Alice \"\"A\"\", first\"");
    EXPECT_EQ(CsvCell("two\nlines"), "\"two\nlines\"");
    EXPECT_EQ(CsvCell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
    EXPECT_EQ(CsvCell("-1"), "'-1");
}

TEST(TimeZone, UnknownZoneIsInvalidArgument) {
    try {
        TimeZone::Load("Mars/Olympus");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    }
}

TEST(TimeZone, ParisOffsetsAroundDst) {
    auto paris = TimeZone::Load("Europe/Paris");
    using namespace std::chrono;
    // 2026-03-29: clocks go from 02:00 CET to 03:00 CEST.
    auto winter = paris.FromLocal(local_days{year{2026} / 3 / 28} + 9h);
    auto summer = paris.FromLocal(local_days{year{2026} / 3 / 30} + 9h);
    EXPECT_EQ(ToEpochMillis(winter) % 86'400'000, 8 * 3'600'000);
    EXPECT_EQ(ToEpochMillis(summer) % 86'400'000, 7 * 3'600'000);
    // 02:30 does not exist that night; it resolves to 03:30 CEST = 01:30 UTC.
    auto gap = paris.FromLocal(local_days{year{2026} / 3 / 29} + 2h + 30min);
    EXPECT_EQ(ToEpochMillis(gap) % 86'400'000, 1 * 3'600'000 + 30 * 60'000);
    // 02:30 happens twice on 2026-10-25; the first one is CEST = 00:30 UTC.
    auto twice = paris.FromLocal(local_days{year{2026} / 10 / 25} + 2h + 30min);
    EXPECT_EQ(ToEpochMillis(twice) % 86'400'000, 30 * 60'000);
    EXPECT_EQ(paris.ToLocal(summer), local_days{year{2026} / 3 / 30} + 9h);
    EXPECT_EQ(paris.Format(summer), "2026-03-30 09:00 CEST");
    EXPECT_EQ(paris.Format(winter), "2026-03-28 09:00 CET");
}

TEST(Metrics, RendersCountersHistogramsAndGaugesInPrometheusFormat) {
    Metrics m;
    m.DefineCounter("requests_total", "Requests.");
    m.DefineHistogram("latency_seconds", "Latency.", {0.1, 1});
    m.DefineGauge("pool_in_use", "In use.", [] { return std::vector<std::pair<Labels, double>>{{{}, 3}}; });
    m.Inc("requests_total", {{"route", "/a\"b"}});
    m.Inc("requests_total", {{"route", "/a\"b"}});
    m.Observe("latency_seconds", {{"route", "/x"}}, 0.05);
    m.Observe("latency_seconds", {{"route", "/x"}}, 0.5);
    m.Observe("latency_seconds", {{"route", "/x"}}, 5);
    auto text = m.RenderPrometheus();
    EXPECT_NE(text.find("# TYPE requests_total counter\nrequests_total{route=\"/a\\\"b\"} 2\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("latency_seconds_bucket{route=\"/x\",le=\"0.1\"} 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("latency_seconds_bucket{route=\"/x\",le=\"1\"} 2\n"), std::string::npos) << text;
    EXPECT_NE(text.find("latency_seconds_bucket{route=\"/x\",le=\"+Inf\"} 3\n"), std::string::npos) << text;
    EXPECT_NE(text.find("latency_seconds_count{route=\"/x\"} 3\n"), std::string::npos) << text;
    EXPECT_NE(text.find("pool_in_use 3\n"), std::string::npos) << text;
    EXPECT_THROW(m.Inc("latency_seconds", {}), Error);
}

}  // namespace maxis::core

namespace maxis::core {
namespace {

TEST(ParseInteger, AcceptsDigitsWithinTheRangeOnly) {
    EXPECT_EQ(ParseId("1"), 1);
    EXPECT_EQ(ParseId("9223372036854775807"), INT64_MAX);
    EXPECT_EQ(ParseId("00042"), 42);
    EXPECT_EQ(ParseInteger("-5", -10, 10), -5);
    EXPECT_EQ(ParseInteger("0", 0, 10), 0);
    for (const char* bad : {"9223372036854775808", "9999999999999999999", "99999999999999999999999", "", "0", "-1",
                            "+1", " 1", "1 ", "1a", "0x10", "1.0", "-", "１"}) {
        EXPECT_EQ(ParseId(bad), std::nullopt) << bad;
    }
    EXPECT_EQ(ParseInteger("-5", 0, 10), std::nullopt);  // '-' only where negatives are allowed
    EXPECT_EQ(ParseInteger("11", 0, 10), std::nullopt);
    EXPECT_EQ(ParseInteger("-11", -10, 10), std::nullopt);
    EXPECT_EQ(ParseInteger("--1", -10, 10), std::nullopt);
    EXPECT_EQ(ParseInteger("-9223372036854775809", INT64_MIN, 0), std::nullopt);
}

TEST(StoredText, RefusesControlsAndBadUtf8AndAllowsLineBreaksOnlyInMultiLineText) {
    EXPECT_EQ(StoredTextProblem("Paiement refusé 🏆 \u202Eabc", TextLines::kSingle), std::nullopt);
    EXPECT_EQ(StoredTextProblem("a\nb\tc\r\nd", TextLines::kMulti), std::nullopt);
    EXPECT_EQ(StoredTextProblem("a\nb", TextLines::kSingle), "U+000A");
    EXPECT_EQ(StoredTextProblem("a\tb", TextLines::kSingle), "U+0009");
    EXPECT_EQ(StoredTextProblem("a\rb", TextLines::kMulti), "U+000D");
    EXPECT_EQ(StoredTextProblem("x\x1b[2J", TextLines::kMulti), "U+001B");
    EXPECT_EQ(StoredTextProblem(std::string("a\0b", 3), TextLines::kMulti), "U+0000");
    EXPECT_EQ(StoredTextProblem("bell\a", TextLines::kMulti), "U+0007");
    EXPECT_EQ(StoredTextProblem("back\b", TextLines::kMulti), "U+0008");
    EXPECT_EQ(StoredTextProblem("del\x7f", TextLines::kMulti), "U+007F");
    EXPECT_EQ(StoredTextProblem("c1\u009b2J", TextLines::kMulti), "U+009B");
    EXPECT_EQ(StoredTextProblem("bad\xff", TextLines::kMulti), "not valid UTF-8");
}

TEST(StoredText, TerminalEscapingShowsControlsAndBidiOverridesAndBadBytes) {
    EXPECT_EQ(EscapeForTerminal("ok é 🏆\n\tx"), "ok é 🏆\n\tx");
    EXPECT_EQ(EscapeForTerminal("\x1b[2Jgone\a\b\r"), "\\u001B[2Jgone\\u0007\\u0008\\u000D");
    EXPECT_EQ(EscapeForTerminal("\u202Eabc\u2066d\u2069\u200F"), "\\u202Eabc\\u2066d\\u2069\u200F");
    EXPECT_EQ(EscapeForTerminal(std::string("a\0\x7f\u009b\xff", 6)), "a\\u0000\\u007F\\u009B\\xFF");
}

TEST(Logging, TextLogsShowControlCharactersEscaped) {
    ::testing::internal::CaptureStderr();  // before the sink is made, so it sees no terminal (no colours)
    SetupLogging("info", LogFormat::kText);
    spdlog::warn("refused subject '{}'", "a\x1b[2J\u202Eb\a");
    spdlog::default_logger()->flush();
    auto text = ::testing::internal::GetCapturedStderr();
    SetupLogging("info", LogFormat::kText);
    EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
    EXPECT_EQ(text.find("\u202E"), std::string::npos) << text;
    EXPECT_NE(text.find("refused subject 'a\\u001B[2J\\u202Eb\\u0007'\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace maxis::core
