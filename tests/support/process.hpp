#pragma once
#include <chrono>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

namespace maxis::testing {

/// The built binary's path, e.g. BinaryPath("maxis").
std::string BinaryPath(const std::string& name);

/// A child process with its standard streams piped, for end-to-end tests of the real binaries.
class Process {
public:
    /// env adds to (or, with an empty value, removes from) the test's own environment.
    Process(std::vector<std::string> argv, std::map<std::string, std::string> env = {}, std::string cwd = {});
    ~Process();  // kills the child if it still runs
    void WriteStdin(const std::string& data);
    void CloseStdin();
    /// Waits until stdout matches the pattern; returns the whole match and its groups (empty on timeout).
    std::vector<std::string> WaitForStdout(const std::regex& pattern, std::chrono::milliseconds timeout);
    void Signal(int sig);
    /// The exit code (128 + signal when killed by one), or -1 on timeout.
    int Wait(std::chrono::milliseconds timeout);
    [[nodiscard]] std::string Stdout() const;
    [[nodiscard]] std::string Stderr() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

struct RunResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

/// Runs to completion with the given standard input.
RunResult Run(std::vector<std::string> argv, const std::string& input = {}, std::map<std::string, std::string> env = {},
              std::string cwd = {}, std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace maxis::testing
