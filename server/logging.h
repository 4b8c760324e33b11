// ctxgraphd's log lines: the text and JSON formats (--log-format), and the
// quoting that keeps `key=value` fields parseable whatever a value holds.
//
// Lines about one thing are written as a short message followed by fields,
// `rpc request_id=ab12 principal=admin method=GetNode code=OK`, with every
// value that is not a plain token passed through LogValue. In the text
// format that is the line as written (after spdlog's time and level); in
// the JSON format each line becomes one JSON object: {"ts", "level", "msg"}
// plus one member per field (unquoted integers become numbers, true/false
// booleans; everything else a string). A line that does not parse as
// message-then-fields keeps its whole text in "msg".
//
// Never log tokens or node props: nothing here can tell them apart.
#ifndef CTXGRAPH_SERVER_LOGGING_H_
#define CTXGRAPH_SERVER_LOGGING_H_

#include <chrono>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace ctxgraph::server {

enum class LogFormat { kText, kJson };

// "text" or "json"; INVALID_ARGUMENT naming "log format" otherwise.
absl::StatusOr<LogFormat> ParseLogFormat(std::string_view name);

// Formats every spdlog logger, present and future, in `format`.
void SetLogFormat(LogFormat format);

// `value` as a field value: unchanged when it is a plain token (printable
// ASCII without spaces, quotes, backslashes or '=', and not all digits, so
// it stays a string in JSON); otherwise in double quotes with '"', '\\' and
// control bytes escaped (\", \\, \n, \r, \t, \xNN).
std::string LogValue(std::string_view value);

// One JSON log line (without the newline) for a message `payload` logged at
// `level` ("info", "warning", ...) at `time`. Exposed for tests.
std::string JsonLogLine(std::chrono::system_clock::time_point time, std::string_view level,
                        std::string_view payload);

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_LOGGING_H_
