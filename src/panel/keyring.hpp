#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maxis::panel {

/// The keys the panel seals with, derived from MAXIS_SECRET_KEY (and from previous master keys during a
/// rotation). Each key has a short id that travels with what it sealed, and is part of the authenticated
/// data, so that a value sealed under one key or format version is never accepted as another.
class Keyring {
public:
    /// masters: raw master key bytes, the current one first. Empty: a random key for this process only
    /// (sessions then end when Maxis restarts).
    explicit Keyring(std::vector<std::string> masters);

    /// The session cookie's value for a session id: "1.<key id>.<base64url(nonce | ciphertext | tag)>".
    [[nodiscard]] std::string SealCookie(std::string_view session_id) const;
    /// The session id, or nullopt for a tampered, truncated, unknown-key or otherwise malformed value.
    [[nodiscard]] std::optional<std::string> OpenCookie(std::string_view cookie) const;

    /// Secrets stored in the database (TOTP seeds): sealed under the data key, bound to a purpose (e.g. the
    /// user id) so that a sealed value copied onto another row does not open.
    [[nodiscard]] std::string SealSecret(std::string_view plaintext, std::string_view purpose) const;
    [[nodiscard]] std::optional<std::string> OpenSecret(std::string_view sealed, std::string_view key_id,
                                                        std::string_view purpose) const;
    [[nodiscard]] const std::string& current_key_id() const { return keys_.front().id; }

private:
    struct Key {
        std::string id;
        std::string cookie_key;
        std::string data_key;
    };
    [[nodiscard]] const Key* Find(std::string_view id) const;
    std::vector<Key> keys_;
};

}  // namespace maxis::panel
