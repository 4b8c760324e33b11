#include "storage/tokenizer.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ctxgraph {
namespace {

bool IsAsciiTermByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool IsTermCodePoint(UChar32 c) {
  if (u_hasBinaryProperty(c, UCHAR_ALPHABETIC)) return true;
  const int8_t type = u_charType(c);
  return type == U_DECIMAL_DIGIT_NUMBER || type == U_NON_SPACING_MARK ||
         type == U_COMBINING_SPACING_MARK || type == U_ENCLOSING_MARK;
}

}  // namespace

std::vector<std::string> Tokenizer::DefaultStopWords() {
  return {"a",   "an",    "and",  "are",   "as",    "at",   "be",   "but", "by",  "for",  "if",
          "in",  "into",  "is",   "it",    "no",    "not",  "of",   "on",  "or",  "such", "that",
          "the", "their", "then", "there", "these", "they", "this", "to",  "was", "will", "with"};
}

Tokenizer::Tokenizer(const std::vector<std::string>& stop_words) {
  for (const auto& word : stop_words) {
    Split(word, [&](std::string_view term, size_t, size_t) {
      stop_words_.emplace(term);
      longest_stop_word_ = std::max(longest_stop_word_, term.size());
    });
  }
}

absl::Status Tokenizer::CheckStopWords(const std::vector<std::string>& stop_words) {
  for (const auto& word : stop_words) {
    std::vector<std::string> terms;
    Split(word, [&](std::string_view term, size_t, size_t) { terms.emplace_back(term); });
    // A line with no term (blank, punctuation) stops nothing: harmless.
    if (terms.size() <= 1) continue;
    return absl::InvalidArgumentError(absl::StrCat("search stop words: \"", absl::CHexEscape(word),
                                                   "\" is ", terms.size(), " terms (",
                                                   absl::StrJoin(terms, " "), "), not one"));
  }
  return absl::OkStatus();
}

void Tokenizer::Split(std::string_view text,
                      absl::FunctionRef<void(std::string_view, size_t, size_t)> emit) {
  std::string term;
  bool overlong = false;
  size_t begin = 0;  // of the term being built
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t length = static_cast<int32_t>(text.size());
  int32_t i = 0;
  // Called at the first byte after a term (i may have moved past a separator).
  auto flush = [&](size_t end) {
    if (!term.empty() && !overlong) emit(term, begin, end);
    term.clear();
    overlong = false;
  };
  while (i < length) {
    const int32_t start = i;
    const uint8_t b = bytes[i];
    if (term.empty() && !overlong) begin = static_cast<size_t>(start);
    if (b < 0x80) {  // ASCII: the common case, without ICU calls
      ++i;
      if (!IsAsciiTermByte(b)) {
        flush(start);
        continue;
      }
      if (term.size() >= kMaxTermBytes) {
        overlong = true;
        continue;
      }
      term.push_back(static_cast<char>(b >= 'A' && b <= 'Z' ? b + ('a' - 'A') : b));
      continue;
    }
    UChar32 c;
    U8_NEXT(bytes, i, length, c);
    if (c < 0 || !IsTermCodePoint(c)) {
      flush(start);
      continue;
    }
    const UChar32 folded = u_foldCase(c, U_FOLD_CASE_DEFAULT);
    uint8_t encoded[U8_MAX_LENGTH];
    int32_t n = 0;
    UBool error = false;
    U8_APPEND(encoded, n, U8_MAX_LENGTH, folded, error);
    if (error) {
      flush(start);
      continue;
    }
    if (term.size() + n > kMaxTermBytes) {
      overlong = true;
      continue;
    }
    term.append(reinterpret_cast<const char*>(encoded), n);
  }
  flush(text.size());
}

void Tokenizer::ForEachTerm(std::string_view text,
                            absl::FunctionRef<void(std::string_view)> emit) const {
  Split(text, [&](std::string_view term, size_t, size_t) {
    if (!IsStopWord(term)) emit(term);
  });
}

void Tokenizer::ForEachTermAt(
    std::string_view text,
    absl::FunctionRef<void(std::string_view term, size_t begin, size_t end)> emit) const {
  Split(text, [&](std::string_view term, size_t begin, size_t end) {
    if (!IsStopWord(term)) emit(term, begin, end);
  });
}

std::vector<std::string> Tokenizer::Terms(std::string_view text) const {
  std::vector<std::string> out;
  ForEachTerm(text, [&](std::string_view term) { out.emplace_back(term); });
  return out;
}

}  // namespace ctxgraph
