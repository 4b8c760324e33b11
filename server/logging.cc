#include "server/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>
#include <time.h>

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ctxgraph::server {
namespace {

bool IsKeyChar(char c) { return absl::ascii_isalnum(c) || c == '_' || c == '.'; }

bool IsPlainChar(char c) { return c > ' ' && c < 0x7f && c != '"' && c != '\\' && c != '='; }

// A field value as written: `raw` is the text of an unquoted value, or the
// unescaped content of a quoted one.
struct Field {
  std::string_view key;
  std::string value;
  bool quoted = false;
};

// Reads a quoted value starting at payload[*pos] == '"', undoing LogValue's
// escapes; nullopt when it is not closed or an escape is unknown.
std::optional<std::string> ReadQuoted(std::string_view payload, size_t* pos) {
  std::string out;
  size_t i = *pos + 1;
  while (i < payload.size()) {
    const char c = payload[i];
    if (c == '"') {
      *pos = i + 1;
      return out;
    }
    if (c != '\\') {
      out.push_back(c);
      ++i;
      continue;
    }
    if (i + 1 >= payload.size()) return std::nullopt;
    const char e = payload[i + 1];
    i += 2;
    switch (e) {
      case '"':
      case '\\':
        out.push_back(e);
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'x': {
        if (i + 2 > payload.size() || !absl::ascii_isxdigit(payload[i]) ||
            !absl::ascii_isxdigit(payload[i + 1])) {
          return std::nullopt;
        }
        out.push_back(static_cast<char>(std::stoi(std::string(payload.substr(i, 2)), nullptr, 16)));
        i += 2;
        break;
      }
      default:
        return std::nullopt;
    }
  }
  return std::nullopt;
}

// Where the fields start: the first space-separated word shaped `key=`.
size_t FieldsStart(std::string_view payload) {
  for (size_t start = 0; start < payload.size();) {
    size_t i = start;
    while (i < payload.size() && IsKeyChar(payload[i])) ++i;
    if (i > start && i < payload.size() && payload[i] == '=') return start;
    const size_t space = payload.find(' ', start);
    if (space == std::string_view::npos) break;
    start = space + 1;
  }
  return payload.size();
}

// Splits `payload` into its message and `key=value` fields; false when the
// part after the message is not all fields.
bool ParsePayload(std::string_view payload, std::string_view* msg, std::vector<Field>* fields) {
  const size_t start = FieldsStart(payload);
  *msg = payload.substr(0, start);
  while (!msg->empty() && msg->back() == ' ') msg->remove_suffix(1);
  size_t pos = start;
  while (pos < payload.size()) {
    const size_t key_start = pos;
    while (pos < payload.size() && IsKeyChar(payload[pos])) ++pos;
    if (pos == key_start || pos >= payload.size() || payload[pos] != '=') return false;
    Field field;
    field.key = payload.substr(key_start, pos - key_start);
    ++pos;
    if (pos < payload.size() && payload[pos] == '"') {
      std::optional<std::string> value = ReadQuoted(payload, &pos);
      if (!value) return false;
      field.value = *std::move(value);
      field.quoted = true;
    } else {
      const size_t end = std::min(payload.find(' ', pos), payload.size());
      field.value = std::string(payload.substr(pos, end - pos));
      pos = end;
    }
    fields->push_back(std::move(field));
    if (pos == payload.size()) break;
    if (payload[pos] != ' ') return false;
    ++pos;
  }
  return true;
}

// Length of the valid UTF-8 sequence at s[i], or 0.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  size_t n = 0;
  unsigned char lo = 0x80, hi = 0xbf;  // bounds of the second byte
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    if (c == 0xe0) lo = 0xa0;  // no overlong forms
    if (c == 0xed) hi = 0x9f;  // no surrogates
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;
  } else {
    return 0;
  }
  if (i + n > s.size() || byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xbf) return 0;
  }
  return n;
}

// A JSON string literal of `s`; bytes that are not UTF-8 become U+FFFD.
void AppendJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const size_t n = Utf8SequenceLength(s, i);
      if (n == 0) {
        out->append("\\ufffd");
        ++i;
      } else {
        out->append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          absl::StrAppendFormat(out, "\\u%04x", c);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out->push_back('"');
}

bool IsJsonInteger(std::string_view v) {
  if (!v.empty() && v.front() == '-') v.remove_prefix(1);
  if (v.empty() || v.size() > 18 || (v.size() > 1 && v.front() == '0')) return false;
  for (char c : v) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return true;
}

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const spdlog::string_view_t level = spdlog::level::to_string_view(msg.level);
    const std::string line = JsonLogLine(msg.time, std::string_view(level.data(), level.size()),
                                         std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(line.data(), line.data() + line.size());
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

absl::StatusOr<LogFormat> ParseLogFormat(std::string_view name) {
  if (name == "text") return LogFormat::kText;
  if (name == "json") return LogFormat::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("log format: want text or json, got \"", std::string(name), "\""));
}

void SetLogFormat(LogFormat format) {
  if (format == LogFormat::kJson) {
    spdlog::set_formatter(std::make_unique<JsonFormatter>());
  } else {
    spdlog::set_formatter(std::make_unique<spdlog::pattern_formatter>());
  }
}

std::string LogValue(std::string_view value) {
  bool plain = !value.empty();
  bool digits = true;
  for (char c : value) {
    plain = plain && IsPlainChar(c);
    digits = digits && absl::ascii_isdigit(c);
  }
  // Quoted too: what a JSON log line would turn into a number or a bool
  // ("-5", "true"), so that a client-chosen value stays a string there.
  const bool json_literal = value.starts_with('-') || value == "true" || value == "false";
  if (plain && !digits && !json_literal) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    const unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (u < 0x20 || u == 0x7f) {
          absl::StrAppendFormat(&out, "\\x%02x", u);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
  return out;
}

std::string JsonLogLine(std::chrono::system_clock::time_point time, std::string_view level,
                        std::string_view payload) {
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
  const time_t seconds = static_cast<time_t>(micros / 1000000);
  struct tm utc;
  gmtime_r(&seconds, &utc);
  std::string out = absl::StrFormat(
      "{\"ts\":\"%04d-%02d-%02dT%02d:%02d:%02d.%06dZ\",\"level\":", utc.tm_year + 1900,
      utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, micros % 1000000);
  AppendJsonString(&out, level);
  std::string_view msg;
  std::vector<Field> fields;
  if (!ParsePayload(payload, &msg, &fields)) {
    msg = payload;
    fields.clear();
  }
  out.append(",\"msg\":");
  AppendJsonString(&out, msg);
  for (const Field& f : fields) {
    out.push_back(',');
    // A field must not stand in for the line's own members.
    const bool reserved = f.key == "ts" || f.key == "level" || f.key == "msg";
    AppendJsonString(&out, reserved ? "field." + std::string(f.key) : std::string(f.key));
    out.push_back(':');
    if (!f.quoted && (IsJsonInteger(f.value) || f.value == "true" || f.value == "false")) {
      out.append(f.value);
    } else {
      AppendJsonString(&out, f.value);
    }
  }
  out.push_back('}');
  return out;
}

}  // namespace ctxgraph::server
