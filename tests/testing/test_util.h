// Helpers shared by glet's tests: a temporary directory per test, paths into the source tree,
// and running the real `glet` binary as a child process with captured output.
#pragma once

#include <string>
#include <vector>

namespace glet::testing {

// A fresh directory under $TMPDIR, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // Writes `contents` to path()/name and returns the full path.
  std::string WriteFile(const std::string& name, const std::string& contents) const;

 private:
  std::string path_;
};

// Absolute path of a file in the source tree ("resource/models.json").
std::string SourcePath(const std::string& relative);
// Path of the built `glet` binary.
std::string GletBinary();
// The model cache the setup script exports into ($GLET_HOME/models); tests that need a real
// TorchScript file skip with a message when it is absent.
std::string ModelPath(const std::string& file_name);

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};
// Runs `argv` (argv[0] is the program), waits up to `timeout_s` seconds (then kills it and sets
// exit_code to -9). Environment is inherited plus `env` ("K=V" entries).
CommandResult RunCommand(const std::vector<std::string>& argv, int timeout_s = 120,
                         const std::vector<std::string>& env = {});
// RunCommand({GletBinary(), args...}).
CommandResult RunGlet(const std::vector<std::string>& args, int timeout_s = 120,
                      const std::vector<std::string>& env = {});

}  // namespace glet::testing
