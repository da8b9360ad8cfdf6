// glet: one binary, one subcommand per file in src/cli/. This file only dispatches: CLI11 parse
// errors become exit 2 with one line naming the flag; --help exits 0; a subcommand's Status maps
// to the exit code through ExitCodeFor().
#include <CLI/CLI.hpp>
#include <iostream>
#include <string>

#include "cli/command.h"
#include "core/logging.h"
#include "core/version.h"
#include "serve/process_setup.h"

int main(int argc, char** argv) {
  glet::serve::TuneProcessForServing();
  using glet::cli::RunSlot;
  CLI::App app{
      "glet: serve many DNN models, each with its own latency SLO, on right-sized device slices "
      "(glets).",
      "glet"};
  app.set_version_flag("--version", std::string("glet ") + glet::kGletVersion);
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error|off")
      ->capture_default_str();
  RunSlot slot;
  glet::cli::AddInferCommand(app, slot);
  glet::cli::AddProfileCommand(app, slot);
  glet::cli::AddDagCommand(app, slot);
  glet::cli::AddScheduleCommand(app, slot);
  glet::cli::AddClientCommand(app, slot);
  glet::cli::AddProxyCommand(app, slot);
  glet::cli::AddBackendCommand(app, slot);
  glet::cli::AddFrontendCommand(app, slot);
  glet::cli::AddServeCommand(app, slot);
  glet::cli::AddSimulateCommand(app, slot);

  std::string sub_name = "glet";
  bool known_sub = true;
  if (argc > 1 && argv[1][0] != '-') {
    try {
      app.get_subcommand(argv[1]);
    } catch (const CLI::OptionNotFound&) {
      known_sub = false;
    }
  }
  if (!known_sub) {
    std::string known;
    for (const CLI::App* sub : app.get_subcommands({})) {
      known += (known.empty() ? "" : ", ") + sub->get_name();
    }
    std::cerr << "glet: unknown subcommand '" << argv[1] << "' (known: " << known << ")"
              << std::endl;
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    for (CLI::App* sub : app.get_subcommands()) {
      sub_name = "glet " + sub->get_name();
    }
    std::cerr << sub_name << ": " << e.what() << " (see " << sub_name << " --help)" << std::endl;
    return 2;
  }
  for (CLI::App* sub : app.get_subcommands()) {
    sub_name = "glet " + sub->get_name();
  }
  if (glet::Status s = glet::SetLogLevel(log_level); !s.ok()) {
    std::cerr << "glet: " << s.message() << std::endl;
    return 2;
  }
  if (!slot.run) {
    std::cerr << "glet: no subcommand given (see glet --help)" << std::endl;
    return 2;
  }
  glet::Status status = slot.run();
  if (!status.ok()) {
    std::cerr << sub_name << ": " << status.message() << std::endl;
  }
  return glet::cli::ExitCodeFor(status);
}
