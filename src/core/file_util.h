// Small file-system helpers that report failures as Status naming the path.
#pragma once

#include <string>

#include "core/status.h"

namespace glet {

// Whole file as a string; a missing or unreadable file is kInvalidArgument "path: <reason>".
Result<std::string> ReadFileToString(const std::string& path);
// Writes to path.tmp then renames over path, so readers never see a half-written file.
Status WriteFileAtomic(const std::string& path, const std::string& contents);
// Appends (creating the file if needed).
Status AppendToFile(const std::string& path, const std::string& contents);
bool FileExists(const std::string& path);
// mkdir -p.
Status CreateDirectories(const std::string& path);
// $GLET_HOME, else $HOME/.cache/glet, else /tmp/glet-cache.
std::string GletHome();
// The folder holding exported TorchScript models: $GLET_HOME/models.
std::string ModelCacheDir();

}  // namespace glet
