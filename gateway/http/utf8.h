// UTF-8 checks for text that came off the wire percent-decoded (path parameters, query keys and
// values): Boost.URL decodes %FF into a raw byte, and Boost.JSON serializes strings without
// validating them, so a decoded value echoed into a problem's `detail` or `field` could make
// the reply invalid JSON. The router and QueryReader reject such values up front (400).
#pragma once

#include <string_view>

namespace portico::gateway {

// True when `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF).
bool IsValidUtf8(std::string_view text);

}  // namespace portico::gateway
