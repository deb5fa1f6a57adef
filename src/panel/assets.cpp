#include "panel/assets.hpp"

#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "crypto/crypto.hpp"

namespace maxis::panel::embedded {
const std::vector<std::pair<std::string_view, std::string_view>>& Files();
}
namespace maxis::panel::vendor {
const std::vector<std::pair<std::string_view, std::string_view>>& Files();
}
namespace maxis::panel::docs {
const std::vector<std::pair<std::string_view, std::string_view>>& Files();
}

namespace maxis::panel {

namespace {

std::string ContentType(std::string_view name) {
    auto ends = [&](std::string_view ext) {
        return name.size() >= ext.size() && name.substr(name.size() - ext.size()) == ext;
    };
    if (ends(".js")) return "text/javascript; charset=utf-8";
    if (ends(".css")) return "text/css; charset=utf-8";
    if (ends(".svg")) return "image/svg+xml";
    if (ends(".json")) return "application/json";
    if (ends(".md")) return "text/markdown; charset=utf-8";
    return "application/octet-stream";
}

// Scripts run in this order: uPlot (a classic script) before the panel's module.
constexpr std::string_view kStyles[] = {"uPlot.min.css", "panel.css"};
constexpr std::string_view kScripts[] = {"uPlot.iife.min.js"};
constexpr std::string_view kModule = "panel.js";

}  // namespace

Assets::Assets() {
    auto add = [this](std::string_view path, std::string_view body) {
        auto slash = path.rfind('/');
        std::string name(slash == std::string_view::npos ? path : path.substr(slash + 1));
        assets_[name] = Asset{body, ContentType(name), "sha384-" + crypto::Base64Encode(crypto::Sha384(body))};
    };
    for (const auto& [path, body] : embedded::Files()) add(path, body);
    for (const auto& [path, body] : vendor::Files()) add(path, body);
    for (const auto& [path, body] : docs::Files()) add(path, body);
    for (auto name : {kStyles[0], kStyles[1], kScripts[0], kModule}) {
        if (!assets_.contains(name)) {
            throw core::Error(core::ErrorCode::kInternal, "the panel asset " + std::string(name) + " was not built in");
        }
    }
}

const Asset* Assets::Find(std::string_view name) const {
    auto it = assets_.find(name);
    return it == assets_.end() ? nullptr : &it->second;
}

std::string Assets::Page(std::string_view page, std::string_view lang) const {
    auto tag = [this](std::string_view name, bool script, bool module) {
        const auto& a = assets_.at(std::string(name));
        std::string url = "/admin-panel/assets/" + std::string(name);
        if (!script) {
            return "<link rel=\"stylesheet\" href=\"" + url + "\" integrity=\"" + a.integrity +
                   "\" crossorigin=\"anonymous\">\n";
        }
        return "<script " + std::string(module ? "type=\"module\" " : "defer ") + "src=\"" + url + "\" integrity=\"" +
               a.integrity + "\" crossorigin=\"anonymous\"></script>\n";
    };
    std::string html = "<!doctype html>\n<html lang=\"" + std::string(lang) +
                       "\">\n<head>\n<meta charset=\"utf-8\">\n"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                       "<meta name=\"referrer\" content=\"no-referrer\">\n<title>Maxis</title>\n"
                       "<link rel=\"icon\" href=\"/admin-panel/assets/favicon.svg\" type=\"image/svg+xml\">\n";
    for (auto s : kStyles) html += tag(s, false, false);
    for (auto s : kScripts) html += tag(s, true, false);
    html += tag(kModule, true, true);
    html += "</head>\n<body data-page=\"" + std::string(page) +
            "\">\n<a class=\"skip\" href=\"#main\">Aller au contenu / Skip to content</a>\n"
            "<header id=\"top\"></header>\n<main id=\"main\" tabindex=\"-1\"><p class=\"loading\">…</p></main>\n"
            "<noscript><p>Le panneau a besoin de JavaScript. The panel needs "
            "JavaScript.</p></noscript>\n</body>\n</html>\n";
    return html;
}

}  // namespace maxis::panel
