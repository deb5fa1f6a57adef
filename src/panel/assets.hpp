#pragma once
#include <map>
#include <string>
#include <string_view>

namespace maxis::panel {

struct Asset {
    std::string_view body;
    std::string content_type;
    std::string integrity;  // "sha384-...", computed at start-up
};

/// The panel's front end, compiled into the binary (web/admin-panel and uPlot from npm), with the
/// Subresource Integrity value of every script and stylesheet.
class Assets {
public:
    Assets();
    [[nodiscard]] const Asset* Find(std::string_view name) const;
    /// The HTML of a page: every script and stylesheet with its integrity attribute, nothing inline.
    [[nodiscard]] std::string Page(std::string_view page, std::string_view lang) const;

private:
    std::map<std::string, Asset, std::less<>> assets_;
};

}  // namespace maxis::panel
