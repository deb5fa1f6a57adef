#include "support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace maxis::testing {

std::string BinaryPath(const std::string& name) { return std::string(MAXIS_BINARY_DIR) + "/bin/" + name; }

struct Process::Impl {
    pid_t pid = -1;
    int in_fd = -1, out_fd = -1, err_fd = -1;
    mutable std::mutex mutex;
    std::condition_variable changed;
    std::string out, err;
    bool out_closed = false, err_closed = false;
    std::thread reader;
    int status = -1;
    bool reaped = false;

    void ReadLoop() {
        pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
        int open = 2;
        char buf[4096];
        while (open > 0) {
            if (::poll(fds, 2, 200) <= 0) continue;
            for (int i = 0; i < 2; ++i) {
                if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
                ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
                std::lock_guard lock(mutex);
                if (n <= 0) {
                    ::close(fds[i].fd);
                    fds[i].fd = -1;
                    --open;
                } else {
                    (i == 0 ? out : err).append(buf, static_cast<std::size_t>(n));
                }
                changed.notify_all();
            }
        }
    }
};

Process::Process(std::vector<std::string> argv, std::map<std::string, std::string> env, std::string cwd)
    : impl_(std::make_unique<Impl>()) {
    int in[2], out[2], err[2];
    if (::pipe(in) != 0 || ::pipe(out) != 0 || ::pipe(err) != 0) throw std::runtime_error("pipe failed");
    std::map<std::string, std::string> merged;
    for (char** e = environ; *e != nullptr; ++e) {
        std::string kv(*e);
        auto eq = kv.find('=');
        merged[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (const auto& [k, v] : env) {
        if (v.empty())
            merged.erase(k);
        else
            merged[k] = v;
    }
    std::vector<std::string> env_strings;
    for (const auto& [k, v] : merged) env_strings.push_back(k + "=" + v);
    std::vector<char*> envp, args;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    for (auto& s : argv) args.push_back(s.data());
    args.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) posix_spawn_file_actions_addclose(&actions, fd);
    if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    int rc = posix_spawn(&impl_->pid, args[0], &actions, &attr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
    impl_->in_fd = in[1];
    impl_->out_fd = out[0];
    impl_->err_fd = err[0];
    impl_->reader = std::thread([this] { impl_->ReadLoop(); });
}

Process::~Process() {
    if (!impl_->reaped && impl_->pid > 0) {
        ::kill(impl_->pid, SIGKILL);
        Wait(std::chrono::seconds(10));
    }
    CloseStdin();
    if (impl_->reader.joinable()) impl_->reader.join();
}

void Process::WriteStdin(const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(impl_->in_fd, data.data() + done, data.size() - done);
        if (n <= 0) throw std::runtime_error("write to child failed");
        done += static_cast<std::size_t>(n);
    }
}

void Process::CloseStdin() {
    if (impl_->in_fd >= 0) {
        ::close(impl_->in_fd);
        impl_->in_fd = -1;
    }
}

std::vector<std::string> Process::WaitForStdout(const std::regex& pattern, std::chrono::milliseconds timeout) {
    std::unique_lock lock(impl_->mutex);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        std::smatch match;
        if (std::regex_search(impl_->out, match, pattern)) return {match.begin(), match.end()};
        if (impl_->changed.wait_until(lock, deadline) == std::cv_status::timeout) return {};
    }
}

void Process::Signal(int sig) {
    if (!impl_->reaped) ::kill(impl_->pid, sig);
}

int Process::Wait(std::chrono::milliseconds timeout) {
    if (impl_->reaped) return impl_->status;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        pid_t r = ::waitpid(impl_->pid, &status, WNOHANG);
        if (r == impl_->pid) {
            impl_->reaped = true;
            impl_->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            if (impl_->reader.joinable()) impl_->reader.join();
            return impl_->status;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1;
}

std::string Process::Stdout() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->out;
}

std::string Process::Stderr() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->err;
}

RunResult Run(std::vector<std::string> argv, const std::string& input, std::map<std::string, std::string> env,
              std::string cwd, std::chrono::milliseconds timeout) {
    Process p(std::move(argv), std::move(env), std::move(cwd));
    p.WriteStdin(input);
    p.CloseStdin();
    int code = p.Wait(timeout);
    return RunResult{code, p.Stdout(), p.Stderr()};
}

}  // namespace maxis::testing
