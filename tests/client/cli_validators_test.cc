// The CLI's option checks: what they accept, what they turn it into, and
// the message for what they refuse.
#include "client/cli_validators.h"

#include <gtest/gtest.h>

#include <string>

namespace ctxgraph::client {
namespace {

// The seconds Lifetime() turns `text` into, or "error: <its message>".
std::string Seconds(std::string text) {
  const std::string error = Lifetime()(text);
  return error.empty() ? text : "error: " + error;
}

TEST(CliValidatorsTest, LifetimeIsSecondsOfAPositiveDuration) {
  EXPECT_EQ(Seconds("90"), "90");
  EXPECT_EQ(Seconds("90s"), "90");
  EXPECT_EQ(Seconds("90m"), "5400");
  EXPECT_EQ(Seconds("12h"), "43200");
  EXPECT_EQ(Seconds("30d"), "2592000");
  EXPECT_EQ(Seconds("007h"), "25200");                       // decimal, never octal
  EXPECT_EQ(Seconds("999999999999d"), "86399999999913600");  // 12 digits still fit
  const std::string form = "error: must be a duration: <n>d, <n>h, <n>m, <n>s or seconds";
  for (const char* bad :
       {"", "d", "-1", "+5", "1e3", "5H", "5y", "1.5h", " 5", "5 ", "1000000000000d"}) {
    EXPECT_EQ(Seconds(bad), form) << bad;
  }
  for (const char* zero : {"0", "0s", "000h", "0d"}) {
    EXPECT_EQ(Seconds(zero), "error: must be at least 1s (omit it for no limit)") << zero;
  }
}

TEST(CliValidatorsTest, DecimalNumberDropsLeadingZerosAndRefusesTheRest) {
  std::string text = "010";
  EXPECT_EQ(DecimalNumber()(text), "");
  EXPECT_EQ(text, "10");
  for (std::string bad : {"", "0x10", "-1", "18446744073709551616"}) {
    EXPECT_NE(DecimalNumber()(bad), "") << bad;
  }
}

}  // namespace
}  // namespace ctxgraph::client
