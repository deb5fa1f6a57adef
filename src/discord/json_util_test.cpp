#include "discord/json_util.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace maxis::discord {
namespace {

namespace json = boost::json;

std::optional<std::string> Problem(std::string_view body) {
    return MalformedInteraction(json::parse(body).as_object());
}

TEST(MalformedInteraction, NamesTheFieldPathOfWhatCannotBeRead) {
    EXPECT_EQ(Problem(R"({"type":2,"data":{"name":"ticket_view","options":[1]}})"), "data.options[0]: not an object");
    EXPECT_EQ(Problem(R"({"type":2,"data":{"name":"x","options":[{"name":"a","value":"1"},"b"]}})"),
              "data.options[1]: not an object");
    EXPECT_EQ(Problem(R"({"type":2,"data":{"name":"x","options":{"a":1}}})"), "data.options: not a list");
    EXPECT_EQ(Problem(R"({"type":2,"data":{"name":"ask","options":[{"name":"image","type":11}]}})"),
              "data.options[0].value: missing");
    EXPECT_EQ(Problem(R"({"type":5,"data":{"custom_id":"x"}})"), "data.components: not a list");
    EXPECT_EQ(Problem(R"({"type":5,"data":{"custom_id":"x","components":[[]]}})"), "data.components[0]: not an object");
    EXPECT_EQ(Problem(R"({"type":5,"data":{"custom_id":"x","components":[{"type":1}]}})"),
              "data.components[0].components: not a list");
    EXPECT_EQ(
        Problem(
            R"({"type":5,"data":{"custom_id":"x","components":[{"type":1,"components":[{"custom_id":"value"},7]}]}})"),
        "data.components[0].components[1]: not an object");
}

TEST(MalformedInteraction, WellFormedInteractionsPass) {
    EXPECT_EQ(Problem(R"({"type":1})"), std::nullopt);
    EXPECT_EQ(Problem(R"({"type":2,"data":{"name":"ping"}})"), std::nullopt);
    EXPECT_EQ(Problem(R"({"type":2,"data":{"name":"ticket_view","options":[{"name":"id","type":4,"value":3}]}})"),
              std::nullopt);
    EXPECT_EQ(Problem(R"({"type":3,"data":{"custom_id":"x","component_type":2}})"), std::nullopt);
    EXPECT_EQ(
        Problem(
            R"({"type":5,"data":{"custom_id":"x","components":[{"type":1,"components":[{"type":4,"custom_id":"value","value":"hi"}]}]}})"),
        std::nullopt);
}

}  // namespace
}  // namespace maxis::discord
