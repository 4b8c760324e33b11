// RFC 3339 UTC timestamp text <-> google.protobuf.Timestamp.
//
// The client accepts exactly one timestamp spelling, so that a string prop is
// typed as a timestamp only when the writer clearly meant one:
//
//   YYYY-MM-DDTHH:MM:SS[.F]Z     F = 1..9 digits, upper-case T and Z only
//
// with month 01-12, a day that exists in that month (leap years included),
// hour 00-23, minute 00-59, second 00-59 (no leap second) and year 0001-9999,
// the range google.protobuf.Timestamp allows.
#ifndef CTXGRAPH_CLIENT_RFC3339_H_
#define CTXGRAPH_CLIENT_RFC3339_H_

#include <google/protobuf/timestamp.pb.h>

#include <optional>
#include <string>
#include <string_view>

namespace ctxgraph::client {

// Returns the timestamp `text` spells, or nullopt when `text` is not exactly
// the form above (wrong shape, out-of-range field, trailing characters).
std::optional<google::protobuf::Timestamp> ParseRfc3339Utc(std::string_view text);

// Formats `ts` as `YYYY-MM-DDTHH:MM:SS[.F]Z`, where F has 3, 6 or 9 digits and
// is omitted when nanos is 0. The result always parses back to `ts` when `ts`
// is within the range above; out-of-range values are formatted best-effort.
std::string FormatRfc3339Utc(const google::protobuf::Timestamp& ts);

}  // namespace ctxgraph::client

#endif  // CTXGRAPH_CLIENT_RFC3339_H_
