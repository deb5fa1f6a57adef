#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace maxis::crypto {

/// Cryptographically secure random bytes from OpenSSL's CSPRNG. Throws core::Error(kInternal) if it fails.
std::string RandomBytes(std::size_t n);
/// A random token of n bytes rendered as lowercase hex (2n characters).
std::string RandomHex(std::size_t n);

std::string HexEncode(std::string_view bytes);
/// Lower- or upper-case hex to bytes; nullopt when the length is odd or a character is not hex.
std::optional<std::string> HexDecode(std::string_view hex);
/// Unpadded base64url (RFC 4648 §5).
std::string Base64UrlEncode(std::string_view bytes);
/// Unpadded base64url to bytes; nullopt on a character outside the alphabet or an impossible length.
std::optional<std::string> Base64UrlDecode(std::string_view text);

std::string Sha256(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);

/// Ed25519 (RFC 8032) signature check: a 32-byte raw public key, a 64-byte signature. False on any
/// malformed input, never an exception.
bool Ed25519Verify(std::string_view public_key, std::string_view message, std::string_view signature);
/// Signs with a 32-byte raw private key (seed); returns the 64-byte signature. Used by tests and tools.
std::string Ed25519Sign(std::string_view private_key, std::string_view message);
/// The raw public key of a 32-byte raw private key.
std::string Ed25519PublicKey(std::string_view private_key);

/// Compares in time that depends only on the lengths, never on where the inputs differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace maxis::crypto
