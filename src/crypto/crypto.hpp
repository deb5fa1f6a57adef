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
std::string Sha384(std::string_view data);
/// Standard padded base64 (RFC 4648 §4), as Subresource Integrity values use.
std::string Base64Encode(std::string_view bytes);
std::string HmacSha256(std::string_view key, std::string_view data);

/// Ed25519 (RFC 8032) signature check: a 32-byte raw public key, a 64-byte signature. False on any
/// malformed input, never an exception.
bool Ed25519Verify(std::string_view public_key, std::string_view message, std::string_view signature);
/// Signs with a 32-byte raw private key (seed); returns the 64-byte signature. Used by tests and tools.
std::string Ed25519Sign(std::string_view private_key, std::string_view message);
/// The raw public key of a 32-byte raw private key.
std::string Ed25519PublicKey(std::string_view private_key);

std::string Sha1Hmac(std::string_view key, std::string_view data);

/// RFC 6238 TOTP (HMAC-SHA1, 30-second steps) for the given Unix time: the code as `digits` decimal digits.
std::string Totp(std::string_view secret, long long unix_seconds, int digits = 6, int step_seconds = 30);
/// RFC 4648 base32 (upper case, no padding), the form authenticator apps take.
std::string Base32Encode(std::string_view bytes);
std::optional<std::string> Base32Decode(std::string_view text);

/// RFC 7636 PKCE: the S256 code challenge of a verifier (base64url of its SHA-256).
std::string PkceChallenge(std::string_view verifier);

/// AES-256-GCM with a random 96-bit nonce: returns nonce || ciphertext || 16-byte tag. aad is
/// authenticated, not encrypted.
std::string Aes256GcmSeal(std::string_view key, std::string_view plaintext, std::string_view aad);
/// The same with a given nonce (tests against published vectors).
std::string Aes256GcmSealWithNonce(std::string_view key, std::string_view nonce, std::string_view plaintext,
                                   std::string_view aad);
/// Opens what Seal produced; nullopt when the key, the aad or any byte is wrong, or the input is short.
std::optional<std::string> Aes256GcmOpen(std::string_view key, std::string_view sealed, std::string_view aad);

/// Compares in time that depends only on the lengths, never on where the inputs differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace maxis::crypto
