// The shape every subcommand file follows. src/cli/<name>.cpp defines one
//   void Add<Name>Command(CLI::App& root, RunSlot& slot);
// which adds its CLI11 subcommand, binds its flags to a heap-held options struct, and, when the
// subcommand is selected, stores in `slot` the function that runs it. main.cpp parses, then runs
// the slot and maps its Status to the exit code (0 ok, 2 bad input, 1 run-time failure).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "core/status.h"

namespace glet::cli {

struct RunSlot {
  std::function<Status()> run;
};

void AddInferCommand(CLI::App& root, RunSlot& slot);
void AddProfileCommand(CLI::App& root, RunSlot& slot);
void AddDagCommand(CLI::App& root, RunSlot& slot);
void AddScheduleCommand(CLI::App& root, RunSlot& slot);
void AddClientCommand(CLI::App& root, RunSlot& slot);
void AddProxyCommand(CLI::App& root, RunSlot& slot);
void AddBackendCommand(CLI::App& root, RunSlot& slot);
void AddFrontendCommand(CLI::App& root, RunSlot& slot);
void AddServeCommand(CLI::App& root, RunSlot& slot);
void AddSimulateCommand(CLI::App& root, RunSlot& slot);

// CLI11 checks whose messages say what is wrong in plain words ("must be an integer >= 1").
CLI::Validator IntAtLeast(int64_t min);
CLI::Validator NumberAtLeast(double min);

// 0 for OK, 2 for kInvalidArgument (bad usage or input), 1 for everything else.
int ExitCodeFor(const Status& status);

}  // namespace glet::cli
