#include "crypto/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <memory>

#include "core/errors.hpp"

namespace maxis::crypto {

using core::Error;
using core::ErrorCode;

std::string RandomBytes(std::size_t n) {
    std::string out(n, '\0');
    if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
        throw Error(ErrorCode::kInternal, "the system random generator failed");
    }
    return out;
}

std::string RandomHex(std::size_t n) { return HexEncode(RandomBytes(n)); }

std::string HexEncode(std::string_view bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
    return out;
}

std::string Base64UrlEncode(std::string_view bytes) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::size_t i = 0;
    auto at = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
    for (; i + 2 < bytes.size(); i += 3) {
        unsigned v = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
        for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
    }
    if (bytes.size() - i == 1) {
        unsigned v = at(i) << 16;
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
    } else if (bytes.size() - i == 2) {
        unsigned v = (at(i) << 16) | (at(i + 1) << 8);
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
    }
    return out;
}

std::optional<std::string> HexDecode(std::string_view hex) {
    if (hex.size() % 2 != 0) return std::nullopt;
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        int hi = nibble(hex[i]);
        int lo = nibble(hex[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>((hi << 4) | lo);
    }
    return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
    if (text.size() % 4 == 1) return std::nullopt;
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '-') return 62;
        if (c == '_') return 63;
        return -1;
    };
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (char c : text) {
        int v = value(c);
        if (v < 0) return std::nullopt;
        buffer = (buffer << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xFF);
        }
    }
    // Leftover bits must be zero, so that every byte string has exactly one encoding.
    if ((buffer & ((1U << bits) - 1)) != 0) return std::nullopt;
    return out;
}

namespace {

struct PkeyDeleter {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxDeleter {
    void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

PkeyPtr PrivateKey(std::string_view private_key) {
    if (private_key.size() != 32) throw Error(ErrorCode::kInvalidArgument, "an Ed25519 private key has 32 bytes");
    PkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, Bytes(private_key), private_key.size()));
    if (!key) throw Error(ErrorCode::kInternal, "Ed25519 key import failed");
    return key;
}

}  // namespace

bool Ed25519Verify(std::string_view public_key, std::string_view message, std::string_view signature) {
    if (public_key.size() != 32 || signature.size() != 64) return false;
    PkeyPtr key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, Bytes(public_key), public_key.size()));
    if (!key) return false;
    MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) return false;
    return EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(), Bytes(message), message.size()) == 1;
}

std::string Ed25519Sign(std::string_view private_key, std::string_view message) {
    auto key = PrivateKey(private_key);
    MdCtxPtr ctx(EVP_MD_CTX_new());
    std::string sig(64, '\0');
    std::size_t len = sig.size();
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
        EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, Bytes(message), message.size()) !=
            1) {
        throw Error(ErrorCode::kInternal, "Ed25519 signing failed");
    }
    return sig;
}

std::string Ed25519PublicKey(std::string_view private_key) {
    auto key = PrivateKey(private_key);
    std::string pub(32, '\0');
    std::size_t len = pub.size();
    if (EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char*>(pub.data()), &len) != 1) {
        throw Error(ErrorCode::kInternal, "Ed25519 public key export failed");
    }
    return pub;
}

std::string Sha256(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1) {
        throw Error(ErrorCode::kInternal, "SHA-256 failed");
    }
    return std::string(reinterpret_cast<char*>(md), len);
}

std::string Sha384(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha384(), nullptr) != 1) {
        throw Error(ErrorCode::kInternal, "SHA-384 failed");
    }
    return std::string(reinterpret_cast<char*>(md), len);
}

std::string Base64Encode(std::string_view bytes) {
    std::string out = Base64UrlEncode(bytes);
    for (auto& c : out) {
        if (c == '-') c = '+';
        if (c == '_') c = '/';
    }
    while (out.size() % 4 != 0) out += '=';
    return out;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &len) == nullptr) {
        throw Error(ErrorCode::kInternal, "HMAC-SHA256 failed");
    }
    return std::string(reinterpret_cast<char*>(md), len);
}

std::string Sha1Hmac(std::string_view key, std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
             data.size(), md, &len) == nullptr) {
        throw Error(ErrorCode::kInternal, "HMAC-SHA1 failed");
    }
    return std::string(reinterpret_cast<char*>(md), len);
}

std::string Totp(std::string_view secret, long long unix_seconds, int digits, int step_seconds) {
    auto counter = static_cast<std::uint64_t>(unix_seconds / step_seconds);
    std::string message(8, '\0');
    for (int i = 7; i >= 0; --i) {
        message[static_cast<std::size_t>(i)] = static_cast<char>(counter & 0xFF);
        counter >>= 8;
    }
    auto mac = Sha1Hmac(secret, message);
    auto offset = static_cast<std::size_t>(mac.back() & 0x0F);
    std::uint32_t binary = (static_cast<std::uint32_t>(static_cast<unsigned char>(mac[offset]) & 0x7F) << 24) |
                           (static_cast<std::uint32_t>(static_cast<unsigned char>(mac[offset + 1])) << 16) |
                           (static_cast<std::uint32_t>(static_cast<unsigned char>(mac[offset + 2])) << 8) |
                           static_cast<std::uint32_t>(static_cast<unsigned char>(mac[offset + 3]));
    std::uint32_t modulo = 1;
    for (int i = 0; i < digits; ++i) modulo *= 10;
    auto code = std::to_string(binary % modulo);
    return std::string(static_cast<std::size_t>(digits) - code.size(), '0') + code;
}

std::string Base32Encode(std::string_view bytes) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (unsigned char c : bytes) {
        buffer = (buffer << 8) | c;
        bits += 8;
        while (bits >= 5) {
            out += kAlphabet[(buffer >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 31];
    return out;
}

std::optional<std::string> Base32Decode(std::string_view text) {
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (char c : text) {
        if (c == '=' || c == ' ') continue;
        int v;
        if (c >= 'A' && c <= 'Z')
            v = c - 'A';
        else if (c >= 'a' && c <= 'z')
            v = c - 'a';
        else if (c >= '2' && c <= '7')
            v = c - '2' + 26;
        else
            return std::nullopt;
        buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
        bits += 5;
        if (bits >= 8) {
            out += static_cast<char>((buffer >> (bits - 8)) & 0xFF);
            bits -= 8;
        }
    }
    return out;
}

std::string PkceChallenge(std::string_view verifier) { return Base64UrlEncode(Sha256(verifier)); }

namespace {

struct CipherCtxDeleter {
    void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;
constexpr std::size_t kGcmNonce = 12;
constexpr std::size_t kGcmTag = 16;

unsigned char* Out(std::string& s, std::size_t at) { return reinterpret_cast<unsigned char*>(s.data()) + at; }

}  // namespace

std::string Aes256GcmSealWithNonce(std::string_view key, std::string_view nonce, std::string_view plaintext,
                                   std::string_view aad) {
    if (key.size() != 32 || nonce.size() != kGcmNonce)
        throw Error(ErrorCode::kInternal, "AES-256-GCM needs a 32-byte key and a 12-byte nonce");
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    std::string out(nonce);
    out.resize(kGcmNonce + plaintext.size() + kGcmTag);
    int len = 0;
    bool ok =
        ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key), Bytes(nonce)) == 1 &&
        (aad.empty() || EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) == 1) &&
        EVP_EncryptUpdate(ctx.get(), Out(out, kGcmNonce), &len, Bytes(plaintext), static_cast<int>(plaintext.size())) ==
            1 &&
        EVP_EncryptFinal_ex(ctx.get(), Out(out, kGcmNonce + static_cast<std::size_t>(len)), &len) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kGcmTag, Out(out, kGcmNonce + plaintext.size())) == 1;
    if (!ok) throw Error(ErrorCode::kInternal, "AES-256-GCM encryption failed");
    return out;
}

std::string Aes256GcmSeal(std::string_view key, std::string_view plaintext, std::string_view aad) {
    return Aes256GcmSealWithNonce(key, RandomBytes(kGcmNonce), plaintext, aad);
}

std::optional<std::string> Aes256GcmOpen(std::string_view key, std::string_view sealed, std::string_view aad) {
    if (key.size() != 32 || sealed.size() < kGcmNonce + kGcmTag) return std::nullopt;
    auto nonce = sealed.substr(0, kGcmNonce);
    auto body = sealed.substr(kGcmNonce, sealed.size() - kGcmNonce - kGcmTag);
    std::string tag(sealed.substr(sealed.size() - kGcmTag));
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    std::string out(body.size(), '\0');
    int len = 0;
    bool ok =
        ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key), Bytes(nonce)) == 1 &&
        (aad.empty() || EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) == 1) &&
        EVP_DecryptUpdate(ctx.get(), Out(out, 0), &len, Bytes(body), static_cast<int>(body.size())) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kGcmTag, tag.data()) == 1 &&
        EVP_DecryptFinal_ex(ctx.get(), Out(out, static_cast<std::size_t>(len)), &len) == 1;
    if (!ok) return std::nullopt;
    return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace maxis::crypto
