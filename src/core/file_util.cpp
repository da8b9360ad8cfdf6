#include "core/file_util.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace glet {

Result<std::string> ReadFileToString(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return InvalidArgumentError(path + ": is a directory, expected a file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return InvalidArgumentError(path + ": cannot open: " + std::strerror(errno));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    return InvalidArgumentError(path + ": read failed");
  }
  return ss.str();
}

Status WriteFileAtomic(const std::string& path, const std::string& contents) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      return InvalidArgumentError(path + ": cannot write: " + std::strerror(errno));
    }
    out << contents;
    out.flush();
    if (!out) {
      return InternalError(path + ": write failed");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    return InternalError(path + ": rename failed: " + ec.message());
  }
  return Status::Ok();
}

Status AppendToFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  if (!out) {
    return InvalidArgumentError(path + ": cannot write: " + std::strerror(errno));
  }
  out << contents;
  out.flush();
  if (!out) {
    return InternalError(path + ": write failed");
  }
  return Status::Ok();
}

bool FileExists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

Status CreateDirectories(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) {
    return InvalidArgumentError(path + ": cannot create directory: " + ec.message());
  }
  return Status::Ok();
}

std::string GletHome() {
  if (const char* h = std::getenv("GLET_HOME"); h != nullptr && *h != '\0') {
    return h;
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return std::string(home) + "/.cache/glet";
  }
  return "/tmp/glet-cache";
}

std::string ModelCacheDir() { return GletHome() + "/models"; }

}  // namespace glet
