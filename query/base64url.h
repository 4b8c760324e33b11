// Unpadded base64url (RFC 4648 section 5), for tokens that travel in text.
#ifndef CTXGRAPH_QUERY_BASE64URL_H_
#define CTXGRAPH_QUERY_BASE64URL_H_

#include <optional>
#include <string>
#include <string_view>

namespace ctxgraph {

std::string Base64UrlEncode(std::string_view bytes);
// nullopt on any character outside the alphabet or an impossible length.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace ctxgraph

#endif  // CTXGRAPH_QUERY_BASE64URL_H_
