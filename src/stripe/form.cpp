#include "stripe/form.hpp"

#include "http/fetch.hpp"

namespace maxis::stripe {

Form& Form::Add(std::string key, std::string value) {
    fields_.emplace_back(std::move(key), std::move(value));
    return *this;
}

std::string FormEscape(const std::string& text) { return http::UrlEscape(text); }

std::string Form::Encode() const {
    std::string out;
    for (const auto& [k, v] : fields_) {
        if (!out.empty()) out += '&';
        out += FormEscape(k) + "=" + FormEscape(v);
    }
    return out;
}

}  // namespace maxis::stripe
