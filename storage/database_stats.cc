// Database::Stats: RocksDB's properties gathered into StorageStats.
#include <map>

#include "absl/strings/numbers.h"
#include "storage/database.h"

namespace ctxgraph {
namespace {

uint64_t IntProperty(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, const std::string& name) {
  uint64_t value = 0;
  if (!db->GetIntProperty(cf, name, &value)) return 0;
  return value;
}

uint64_t MapValue(const std::map<std::string, std::string>& map, const std::string& key) {
  auto it = map.find(key);
  double value = 0;  // RocksDB prints these counts as doubles
  if (it == map.end() || !absl::SimpleAtod(it->second, &value) || value < 0) return 0;
  return static_cast<uint64_t>(value);
}

}  // namespace

StorageStats Database::Stats() const {
  using Properties = rocksdb::DB::Properties;
  rocksdb::DB* db = db_.get();
  StorageStats stats;
  for (rocksdb::ColumnFamilyHandle* cf : handles_) {
    StorageStats::ColumnFamily c;
    c.name = cf->GetName();
    c.estimate_num_keys = IntProperty(db, cf, Properties::kEstimateNumKeys);
    c.sst_files_bytes = IntProperty(db, cf, Properties::kTotalSstFilesSize);
    // A string property per level, not an int one; cheaper than
    // GetColumnFamilyMetaData, which builds a record for every file.
    for (int level = 0; level < db->NumberLevels(cf); ++level) {
      std::string files;
      uint64_t n = 0;
      if (db->GetProperty(cf, Properties::kNumFilesAtLevelPrefix + std::to_string(level), &files) &&
          absl::SimpleAtoi(files, &n)) {
        c.sst_files += n;
      }
    }
    c.memtable_bytes = IntProperty(db, cf, Properties::kCurSizeAllMemTables);
    c.pending_compaction_bytes = IntProperty(db, cf, Properties::kEstimatePendingCompactionBytes);
    std::map<std::string, std::string> cfstats;
    if (db->GetMapProperty(cf, Properties::kCFStats, &cfstats)) {
      c.write_slowdowns = MapValue(cfstats, "io_stalls.total_slowdown");
      c.write_stops = MapValue(cfstats, "io_stalls.total_stop");
    }
    stats.column_families.push_back(std::move(c));
  }
  rocksdb::ColumnFamilyHandle* any = handles_.front();
  stats.block_cache_usage_bytes = IntProperty(db, any, Properties::kBlockCacheUsage);
  stats.delayed_write_rate = IntProperty(db, any, Properties::kActualDelayedWriteRate);
  stats.write_stopped = IntProperty(db, any, Properties::kIsWriteStopped) != 0;
  if (read_cache_ != nullptr) {
    stats.read_cache_bytes = read_cache_->bytes();
    stats.read_cache_hits = read_cache_->hits();
    stats.read_cache_misses = read_cache_->misses();
  }
  if (id_cache_ != nullptr) {
    stats.id_cache_bytes = id_cache_->bytes();
    stats.id_cache_hits = id_cache_->hits();
    stats.id_cache_misses = id_cache_->misses();
  }
  return stats;
}

}  // namespace ctxgraph
