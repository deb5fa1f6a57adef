#include "panel/keyring.hpp"

#include "crypto/crypto.hpp"

namespace maxis::panel {

namespace {
constexpr std::string_view kCookieVersion = "1";
std::string CookieAad(std::string_view key_id) {
    return "maxis.session.v" + std::string(kCookieVersion) + "." + std::string(key_id);
}
std::string DataAad(std::string_view key_id, std::string_view purpose) {
    return "maxis.data.v1." + std::string(key_id) + "." + std::string(purpose);
}
}  // namespace

Keyring::Keyring(std::vector<std::string> masters) {
    if (masters.empty()) masters.push_back(crypto::RandomBytes(32));
    for (const auto& m : masters) {
        Key k;
        k.id = crypto::HexEncode(crypto::HmacSha256(m, "maxis.key-id")).substr(0, 8);
        k.cookie_key = crypto::HmacSha256(m, "maxis.panel.session.v1");
        k.data_key = crypto::HmacSha256(m, "maxis.data.v1");
        keys_.push_back(std::move(k));
    }
}

const Keyring::Key* Keyring::Find(std::string_view id) const {
    for (const auto& k : keys_) {
        if (k.id == id) return &k;
    }
    return nullptr;
}

std::string Keyring::SealCookie(std::string_view session_id) const {
    const auto& k = keys_.front();
    return std::string(kCookieVersion) + "." + k.id + "." +
           crypto::Base64UrlEncode(crypto::Aes256GcmSeal(k.cookie_key, session_id, CookieAad(k.id)));
}

std::optional<std::string> Keyring::OpenCookie(std::string_view cookie) const {
    if (cookie.size() > 512) return std::nullopt;
    auto dot1 = cookie.find('.');
    if (dot1 == std::string_view::npos || cookie.substr(0, dot1) != kCookieVersion) return std::nullopt;
    auto dot2 = cookie.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos) return std::nullopt;
    const Key* key = Find(cookie.substr(dot1 + 1, dot2 - dot1 - 1));
    if (key == nullptr) return std::nullopt;
    auto sealed = crypto::Base64UrlDecode(cookie.substr(dot2 + 1));
    if (!sealed) return std::nullopt;
    return crypto::Aes256GcmOpen(key->cookie_key, *sealed, CookieAad(key->id));
}

std::string Keyring::SealSecret(std::string_view plaintext, std::string_view purpose) const {
    const auto& k = keys_.front();
    return crypto::Base64UrlEncode(crypto::Aes256GcmSeal(k.data_key, plaintext, DataAad(k.id, purpose)));
}

std::optional<std::string> Keyring::OpenSecret(std::string_view sealed, std::string_view key_id,
                                               std::string_view purpose) const {
    const Key* key = Find(key_id);
    if (key == nullptr) return std::nullopt;
    auto bytes = crypto::Base64UrlDecode(sealed);
    if (!bytes) return std::nullopt;
    return crypto::Aes256GcmOpen(key->data_key, *bytes, DataAad(key->id, purpose));
}

}  // namespace maxis::panel
