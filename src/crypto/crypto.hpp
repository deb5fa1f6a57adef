#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace maxis::crypto {

/// Cryptographically secure random bytes from OpenSSL's CSPRNG. Throws core::Error(kInternal) if it fails.
std::string RandomBytes(std::size_t n);
/// A random token of n bytes rendered as lowercase hex (2n characters).
std::string RandomHex(std::size_t n);

std::string HexEncode(std::string_view bytes);
/// Unpadded base64url (RFC 4648 §5).
std::string Base64UrlEncode(std::string_view bytes);

std::string Sha256(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);

/// Compares in time that depends only on the lengths, never on where the inputs differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace maxis::crypto
