// Tokenizer: turns text into the terms the keyword index stores and search
// looks up. Index and query go through the same Tokenizer, so they agree.
//
// A term is a maximal run of Unicode letters, digits and combining marks
// (ICU properties Alphabetic, Nd and M*), case-folded code point by code
// point (ICU simple case folding: "Straße" and "STRASSE" stay different,
// "ÉTÉ" and "été" match). Everything else separates terms. Runs of
// ideographs are not segmented into words. Terms longer than kMaxTermBytes
// and stop words are dropped. Invalid UTF-8 bytes separate terms.
//
// Immutable after construction; safe to share across threads.
#ifndef CTXGRAPH_STORAGE_TOKENIZER_H_
#define CTXGRAPH_STORAGE_TOKENIZER_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"

namespace ctxgraph {

class Tokenizer {
 public:
  static constexpr size_t kMaxTermBytes = 64;

  // The classic English stop word list (Lucene's): a, an, and, are, ...
  static std::vector<std::string> DefaultStopWords();

  // `stop_words` are folded like text, so "The" stops "the".
  explicit Tokenizer(const std::vector<std::string>& stop_words);

  // INVALID_ARGUMENT naming the first stop word that folds into more than
  // one term: "e-mail" would stop "e" and "mail". One with no term stops
  // nothing and passes.
  static absl::Status CheckStopWords(const std::vector<std::string>& stop_words);

  // Calls `emit` with each term of `text`, in order; the view is valid only
  // during the call.
  void ForEachTerm(std::string_view text, absl::FunctionRef<void(std::string_view)> emit) const;
  std::vector<std::string> Terms(std::string_view text) const;
  // Like ForEachTerm, with each term's byte range [begin, end) in `text`.
  void ForEachTermAt(
      std::string_view text,
      absl::FunctionRef<void(std::string_view term, size_t begin, size_t end)> emit) const;

  // Whether `term` (already folded) is a stop word.
  bool IsStopWord(std::string_view term) const {
    return term.size() <= longest_stop_word_ &&
           stop_words_.contains(absl::string_view(term.data(), term.size()));
  }

 private:
  // Folds `text` into terms without stop word filtering.
  static void Split(std::string_view text,
                    absl::FunctionRef<void(std::string_view, size_t, size_t)> emit);

  absl::flat_hash_set<std::string> stop_words_;
  // Bytes; a longer term needs no lookup (most terms are longer).
  size_t longest_stop_word_ = 0;
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_STORAGE_TOKENIZER_H_
