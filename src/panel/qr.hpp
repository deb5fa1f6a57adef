#pragma once
#include <string>
#include <string_view>

namespace maxis::panel {

/// The QR code of text (libqrencode, error correction M) as a standalone SVG image with a quiet zone,
/// served by Maxis itself so that no third-party service ever sees a TOTP seed.
std::string QrSvg(std::string_view text);

}  // namespace maxis::panel
