#include "stripe/form.hpp"

namespace maxis::stripe {

Form& Form::Add(std::string key, std::string value) {
    fields_.emplace_back(std::move(key), std::move(value));
    return *this;
}

std::string FormEscape(const std::string& text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
            c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

std::string Form::Encode() const {
    std::string out;
    for (const auto& [k, v] : fields_) {
        if (!out.empty()) out += '&';
        out += FormEscape(k) + "=" + FormEscape(v);
    }
    return out;
}

}  // namespace maxis::stripe
