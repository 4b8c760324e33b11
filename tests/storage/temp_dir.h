// A temporary directory removed at scope exit, for tests on a real RocksDB.
#ifndef CTXGRAPH_TESTS_STORAGE_TEMP_DIR_H_
#define CTXGRAPH_TESTS_STORAGE_TEMP_DIR_H_

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace ctxgraph {

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "ctxgraph-test-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace ctxgraph

#endif  // CTXGRAPH_TESTS_STORAGE_TEMP_DIR_H_
