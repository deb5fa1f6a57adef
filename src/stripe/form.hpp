#pragma once
#include <string>
#include <utility>
#include <vector>

namespace maxis::stripe {

/// Stripe's request bodies: application/x-www-form-urlencoded with bracketed keys
/// ("line_items[0][price_data][currency]=eur"). Fields keep their order.
class Form {
public:
    Form& Add(std::string key, std::string value);
    Form& Add(std::string key, long long value) { return Add(std::move(key), std::to_string(value)); }
    [[nodiscard]] std::string Encode() const;
    [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

private:
    std::vector<std::pair<std::string, std::string>> fields_;
};

/// Percent-encodes for a form body (RFC 3986 unreserved characters kept).
std::string FormEscape(const std::string& text);

}  // namespace maxis::stripe
