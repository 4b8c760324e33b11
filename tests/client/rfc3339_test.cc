#include "client/rfc3339.h"

#include <gtest/gtest.h>

namespace ctxgraph::client {
namespace {

google::protobuf::Timestamp Ts(int64_t seconds, int32_t nanos = 0) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(seconds);
  ts.set_nanos(nanos);
  return ts;
}

void ExpectParses(const char* text, int64_t seconds, int32_t nanos) {
  const auto ts = ParseRfc3339Utc(text);
  ASSERT_TRUE(ts.has_value()) << text;
  EXPECT_EQ(ts->seconds(), seconds) << text;
  EXPECT_EQ(ts->nanos(), nanos) << text;
}

TEST(Rfc3339Test, ParsesExactForms) {
  ExpectParses("1970-01-01T00:00:00Z", 0, 0);
  ExpectParses("1969-12-31T23:59:59Z", -1, 0);
  ExpectParses("2026-03-01T10:00:00Z", 1772359200, 0);
  ExpectParses("2024-02-29T23:59:59Z", 1709251199, 0);  // leap day
  ExpectParses("2000-02-29T00:00:00Z", 951782400, 0);   // divisible by 400: leap
  ExpectParses("0001-01-01T00:00:00Z", -62135596800, 0);
  ExpectParses("9999-12-31T23:59:59Z", 253402300799, 0);
  ExpectParses("2026-03-01T10:00:00.5Z", 1772359200, 500000000);
  ExpectParses("2026-03-01T10:00:00.123456789Z", 1772359200, 123456789);
  ExpectParses("2026-03-01T10:00:00.000001Z", 1772359200, 1000);
}

TEST(Rfc3339Test, RejectsEverythingElse) {
  for (const char* text : {
           "",
           "2026-03-01",
           "2026-03-01T10:00:00",              // no zone
           "2026-03-01T10:00:00+00:00",        // offsets are not the canonical form
           "2026-03-01t10:00:00Z",             // lower-case t
           "2026-03-01T10:00:00z",             // lower-case z
           "2026-03-01 10:00:00Z",             // space separator
           "2026-3-01T10:00:00Z",              // one-digit month
           "2026-13-01T10:00:00Z",             // month 13
           "2026-00-01T10:00:00Z",             // month 0
           "2026-04-31T10:00:00Z",             // April has 30 days
           "2023-02-29T10:00:00Z",             // not a leap year
           "2100-02-29T10:00:00Z",             // divisible by 100: not leap
           "2026-03-00T10:00:00Z",             // day 0
           "2026-03-01T24:00:00Z",             // hour 24
           "2026-03-01T10:60:00Z",             // minute 60
           "2026-03-01T10:00:60Z",             // leap second
           "0000-01-01T00:00:00Z",             // year 0
           "2026-03-01T10:00:00.Z",            // empty fraction
           "2026-03-01T10:00:00.1234567890Z",  // 10 fraction digits
           "2026-03-01T10:00:00Zjunk",
           " 2026-03-01T10:00:00Z",
           "+2026-03-01T10:00:00Z",
       }) {
    EXPECT_FALSE(ParseRfc3339Utc(text).has_value()) << text;
  }
}

TEST(Rfc3339Test, FormatsWithMinimalFractionGroups) {
  EXPECT_EQ(FormatRfc3339Utc(Ts(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339Utc(Ts(-1)), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatRfc3339Utc(Ts(1772359200)), "2026-03-01T10:00:00Z");
  EXPECT_EQ(FormatRfc3339Utc(Ts(1772359200, 500000000)), "2026-03-01T10:00:00.500Z");
  EXPECT_EQ(FormatRfc3339Utc(Ts(1772359200, 1000)), "2026-03-01T10:00:00.000001Z");
  EXPECT_EQ(FormatRfc3339Utc(Ts(1772359200, 123456789)), "2026-03-01T10:00:00.123456789Z");
  EXPECT_EQ(FormatRfc3339Utc(Ts(-62135596800)), "0001-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339Utc(Ts(253402300799)), "9999-12-31T23:59:59Z");
}

TEST(Rfc3339Test, FormatThenParseRoundTrips) {
  for (const int64_t seconds : {int64_t{-62135596800}, int64_t{-86401}, int64_t{-1}, int64_t{0},
                                int64_t{951782400}, int64_t{1709251199}, int64_t{253402300799}}) {
    for (const int32_t nanos : {0, 1, 999999999, 120000000}) {
      const auto parsed = ParseRfc3339Utc(FormatRfc3339Utc(Ts(seconds, nanos)));
      ASSERT_TRUE(parsed.has_value()) << seconds << " " << nanos;
      EXPECT_EQ(parsed->seconds(), seconds);
      EXPECT_EQ(parsed->nanos(), nanos);
    }
  }
}

}  // namespace
}  // namespace ctxgraph::client
