#include "core/metrics.hpp"

#include <fmt/format.h>

#include "core/errors.hpp"

namespace maxis::core {

namespace {

std::string EscapeLabel(const std::string& v) {
    std::string out;
    for (char c : v) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

std::string FormatLabels(const Labels& labels, const std::string& extra_key = {}, const std::string& extra = {}) {
    if (labels.empty() && extra_key.empty()) return {};
    std::string out = "{";
    bool first = true;
    for (const auto& [k, v] : labels) {
        out += fmt::format("{}{}=\"{}\"", first ? "" : ",", k, EscapeLabel(v));
        first = false;
    }
    if (!extra_key.empty()) out += fmt::format("{}{}=\"{}\"", first ? "" : ",", extra_key, extra);
    return out + "}";
}

std::string FormatValue(double v) {
    if (v == static_cast<double>(static_cast<std::int64_t>(v))) return fmt::format("{}", static_cast<std::int64_t>(v));
    return fmt::format("{}", v);
}

void AtomicAdd(std::atomic<double>& a, double by) {
    double old = a.load(std::memory_order_relaxed);
    while (!a.compare_exchange_weak(old, old + by, std::memory_order_relaxed)) {
    }
}

}  // namespace

// Defining a family again keeps its series (references handed out stay valid); the kind cannot change.
void Metrics::Define(const std::string& name, Family family) {
    std::lock_guard lock(mutex_);
    auto it = families_.find(name);
    if (it == families_.end()) {
        families_.emplace(name, std::move(family));
        return;
    }
    if (it->second.kind != family.kind) {
        throw Error(ErrorCode::kInternal, "metric '" + name + "' is already defined with another type");
    }
    it->second.help = std::move(family.help);
    if (family.sample) it->second.sample = std::move(family.sample);
    if (it->second.series.empty()) it->second.buckets = std::move(family.buckets);  // none counted yet
}

void Metrics::DefineCounter(const std::string& name, const std::string& help) {
    Define(name, Family{help, Family::Kind::kCounter, {}, {}, {}});
}

void Metrics::DefineHistogram(const std::string& name, const std::string& help, std::vector<double> buckets) {
    Define(name, Family{help, Family::Kind::kHistogram, std::move(buckets), {}, {}});
}

void Metrics::DefineGauge(const std::string& name, const std::string& help,
                          std::function<std::vector<std::pair<Labels, double>>()> sample) {
    Define(name, Family{help, Family::Kind::kGauge, {}, std::move(sample), {}});
}

Metrics::Series& Metrics::SeriesFor(Family& family, const Labels& labels) {
    auto it = family.series.find(labels);
    if (it != family.series.end()) return *it->second;
    auto series = std::make_unique<Series>();
    if (family.kind == Family::Kind::kHistogram) {
        series->buckets = &family.buckets;
        series->bucket_counts = std::vector<std::atomic<std::uint64_t>>(family.buckets.size());
    }
    return *family.series.emplace(labels, std::move(series)).first->second;
}

Metrics::Series& Metrics::Counter(const std::string& name, const Labels& labels) {
    std::lock_guard lock(mutex_);
    auto it = families_.find(name);
    if (it == families_.end() || it->second.kind != Family::Kind::kCounter) {
        throw Error(ErrorCode::kInternal, "metric '" + name + "' is not a defined counter");
    }
    return SeriesFor(it->second, labels);
}

Metrics::Series& Metrics::Histogram(const std::string& name, const Labels& labels) {
    std::lock_guard lock(mutex_);
    auto it = families_.find(name);
    if (it == families_.end() || it->second.kind != Family::Kind::kHistogram) {
        throw Error(ErrorCode::kInternal, "metric '" + name + "' is not a defined histogram");
    }
    return SeriesFor(it->second, labels);
}

void Metrics::Inc(const std::string& name, const Labels& labels, double by) { Counter(name, labels).Add(by); }

void Metrics::Observe(const std::string& name, const Labels& labels, double value) {
    Histogram(name, labels).Observe(value);
}

void Metrics::Series::Add(double by) { AtomicAdd(value, by); }

void Metrics::Series::Observe(double v) {
    if (buckets != nullptr) {
        for (std::size_t i = 0; i < buckets->size(); ++i) {
            if (v <= (*buckets)[i]) {
                bucket_counts[i].fetch_add(1, std::memory_order_relaxed);
                break;
            }
        }
    }
    AtomicAdd(sum, v);
    count.fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::RenderPrometheus() const {
    // Gauge callbacks may take their own locks or query the database: render the rest under the lock,
    // keep the callbacks, and call them once the lock is released.
    struct Part {
        std::string name;
        std::string text;
        std::function<std::vector<std::pair<Labels, double>>()> sample;
    };
    std::vector<Part> parts;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [name, family] : families_) {
            static constexpr const char* kTypes[] = {"counter", "histogram", "gauge"};
            Part part{name,
                      fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, family.help, name,
                                  kTypes[static_cast<int>(family.kind)]),
                      family.sample};
            std::string& out = part.text;
            if (family.kind == Family::Kind::kCounter) {
                for (const auto& [labels, s] : family.series) {
                    out += fmt::format("{}{} {}\n", name, FormatLabels(labels), FormatValue(s->value.load()));
                }
            } else if (family.kind == Family::Kind::kHistogram) {
                for (const auto& [labels, s] : family.series) {
                    std::uint64_t cumulative = 0;
                    for (std::size_t i = 0; i < family.buckets.size(); ++i) {
                        cumulative += s->bucket_counts[i].load();
                        out += fmt::format("{}_bucket{} {}\n", name,
                                           FormatLabels(labels, "le", FormatValue(family.buckets[i])), cumulative);
                    }
                    out += fmt::format("{}_bucket{} {}\n", name, FormatLabels(labels, "le", "+Inf"), s->count.load());
                    out += fmt::format("{}_sum{} {}\n", name, FormatLabels(labels), FormatValue(s->sum.load()));
                    out += fmt::format("{}_count{} {}\n", name, FormatLabels(labels), s->count.load());
                }
            }
            parts.push_back(std::move(part));
        }
    }
    std::string out;
    for (auto& part : parts) {
        out += part.text;
        if (!part.sample) continue;
        for (const auto& [labels, v] : part.sample()) {
            out += fmt::format("{}{} {}\n", part.name, FormatLabels(labels), FormatValue(v));
        }
    }
    return out;
}

}  // namespace maxis::core
