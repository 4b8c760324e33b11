#include "query/page_token.h"

#include <gtest/gtest.h>

#include "query/base64url.h"
#include "tests/test_macros.h"

namespace ctxgraph {
namespace {

TEST(Base64UrlTest, RoundTripsEveryLength) {
  std::string bytes;
  for (int n = 0; n < 40; ++n) {
    ASSERT_EQ(Base64UrlDecode(Base64UrlEncode(bytes)), bytes) << n;
    bytes.push_back(static_cast<char>(n * 37));
  }
  EXPECT_FALSE(Base64UrlDecode("a").has_value());
  EXPECT_FALSE(Base64UrlDecode("ab+c").has_value());
  EXPECT_FALSE(Base64UrlDecode("AB").has_value());  // non-zero leftover bits
}

TEST(PageTokenTest, RoundTrip) {
  PageTokenCodec codec(std::string(32, 'k'));
  const std::string text = codec.Encode("req", {42, "cursor"});
  ASSERT_OK_AND_ASSIGN(PageToken t, codec.Decode("req", text));
  EXPECT_EQ(t.version, 42u);
  EXPECT_EQ(t.cursor, "cursor");
}

TEST(PageTokenTest, EveryTamperingIsInvalidArgument) {
  PageTokenCodec codec(std::string(32, 'k'));
  const std::string text = codec.Encode("req", {42, std::string(8, '\x01')});
  const auto expect_invalid = [&](std::string_view fingerprint, const std::string& t) {
    EXPECT_STATUS(codec.Decode(fingerprint, t), absl::StatusCode::kInvalidArgument,
                  "page_token: invalid");
  };
  for (size_t i = 0; i < text.size(); ++i) {
    std::string flipped = text;
    flipped[i] = flipped[i] == 'A' ? 'B' : 'A';
    expect_invalid("req", flipped);
    expect_invalid("req", text.substr(0, i));
  }
  expect_invalid("other request", text);
  expect_invalid("req", text + "AA");
  expect_invalid("req", "!!!!");
  expect_invalid("req", std::string(10000, 'A'));
  // Same payload under another server's secret.
  PageTokenCodec other(std::string(32, 'j'));
  expect_invalid("req", other.Encode("req", {42, std::string(8, '\x01')}));
}

}  // namespace
}  // namespace ctxgraph
