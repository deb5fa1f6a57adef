#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace maxis::core {

/// Label pairs in a fixed order, e.g. {{"route", "/healthz"}, {"method", "GET"}}.
using Labels = std::vector<std::pair<std::string, std::string>>;

/// A process-wide registry of counters, histograms and sampled gauges, rendered in the Prometheus text
/// exposition format (version 0.0.4). Thread-safe: Inc/Observe look the series up under a mutex; a hot path
/// keeps the Series reference from Counter/Histogram instead and then only touches atomics.
class Metrics {
public:
    void DefineCounter(const std::string& name, const std::string& help);
    void DefineHistogram(const std::string& name, const std::string& help, std::vector<double> buckets);
    /// A gauge sampled at scrape time; the callback returns (labels, value) samples.
    void DefineGauge(const std::string& name, const std::string& help,
                     std::function<std::vector<std::pair<Labels, double>>()> sample);

    void Inc(const std::string& name, const Labels& labels, double by = 1);
    void Observe(const std::string& name, const Labels& labels, double value);

    /// One labelled series of a counter or a histogram. A hot path looks it up once and keeps the reference,
    /// which stays valid as long as the registry: updating it is then a few atomic operations, no lock.
    class Series {
    public:
        void Add(double by = 1);     // counters
        void Observe(double value);  // histograms

    private:
        friend class Metrics;
        std::atomic<double> value{0};                           // counters
        const std::vector<double>* buckets = nullptr;           // histograms: the family's upper bounds
        std::vector<std::atomic<std::uint64_t>> bucket_counts;  // histograms (cumulative at render)
        std::atomic<double> sum{0};
        std::atomic<std::uint64_t> count{0};
    };
    Series& Counter(const std::string& name, const Labels& labels);
    Series& Histogram(const std::string& name, const Labels& labels);

    [[nodiscard]] std::string RenderPrometheus() const;

private:
    struct Family {
        std::string help;
        enum class Kind { kCounter, kHistogram, kGauge } kind;
        std::vector<double> buckets;
        std::function<std::vector<std::pair<Labels, double>>()> sample;
        std::map<Labels, std::unique_ptr<Series>> series;
    };
    Series& SeriesFor(Family& family, const Labels& labels);
    void Define(const std::string& name, Family family);

    mutable std::mutex mutex_;
    std::map<std::string, Family> families_;
};

}  // namespace maxis::core
