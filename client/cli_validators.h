// Checks shared by the CLI's options.
#ifndef CTXGRAPH_CLIENT_CLI_VALIDATORS_H_
#define CTXGRAPH_CLIENT_CLI_VALIDATORS_H_

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>

namespace ctxgraph::client {

// Digits only, read as decimal, below 2^64 (for Option::transform, as it
// drops leading zeros). CLI11 converts integers as C's strtoull does, in
// base 0, so without it `--as-of 010` read version 8, `0x10` version 16,
// and `-1` wrapped to the largest version; now 010 is 10 and the others are
// usage errors (the CLI exits 2; ctxgraphd and ctxgraph-gen, CLI11's 105).
// An option of a narrower type still checks its own range.
inline const CLI::Validator& DecimalNumber() {
  static const CLI::Validator* const kDecimal = new CLI::Validator(
      [](std::string& text) -> std::string {
        if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
          return "must be a decimal number";
        }
        text.erase(0, std::min(text.find_first_not_of('0'), text.size() - 1));
        // CLI11 takes an overflowing number as the type's largest value.
        constexpr std::string_view kMax = "18446744073709551615";  // 2^64 - 1
        if (text.size() > kMax.size() || (text.size() == kMax.size() && text > kMax)) {
          return "must be a decimal number below 2^64";
        }
        return "";
      },
      "DECIMAL");
  return *kDecimal;
}

// A lifetime: "<n>d", "<n>h", "<n>m", "<n>s" or "<n>" (seconds), n decimal,
// not zero, transformed into its seconds (for an integer option; the server
// checks the range).
inline const CLI::Validator& Lifetime() {
  static const CLI::Validator* const kLifetime = new CLI::Validator(
      [](std::string& text) -> std::string {
        int64_t unit_seconds = 1;
        std::string digits = text;
        if (!digits.empty() && !std::isdigit(static_cast<unsigned char>(digits.back()))) {
          switch (digits.back()) {
            case 'd':
              unit_seconds = 86400;
              break;
            case 'h':
              unit_seconds = 3600;
              break;
            case 'm':
              unit_seconds = 60;
              break;
            case 's':
              break;
            default:
              return "must be a duration: <n>d, <n>h, <n>m, <n>s or seconds";
          }
          digits.pop_back();
        }
        // 12 digits of days still fit in an int64 of seconds.
        if (digits.empty() || digits.size() > 12 ||
            digits.find_first_not_of("0123456789") != std::string::npos) {
          return "must be a duration: <n>d, <n>h, <n>m, <n>s or seconds";
        }
        const int64_t seconds = std::stoll(digits) * unit_seconds;
        if (seconds == 0) return "must be at least 1s (omit it for no limit)";
        text = std::to_string(seconds);
        return "";
      },
      "DURATION");
  return *kLifetime;
}

}  // namespace ctxgraph::client

#endif  // CTXGRAPH_CLIENT_CLI_VALIDATORS_H_
