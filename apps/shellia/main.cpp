#include <CLI/CLI.hpp>
#include <iostream>

int main(int argc, char** argv) {
    CLI::App app{"shellia: watches and controls Maxis (the controller arrives in its own release)"};
    app.set_version_flag("--version", std::string("shellia ") + MAXIS_VERSION);
    bool version = false;
    app.add_flag("-V", version, "Print the version and exit");
    CLI11_PARSE(app, argc, argv);
    std::cout << "shellia " << MAXIS_VERSION << "\n";
    return 0;
}
