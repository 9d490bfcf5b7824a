#include "replay/log_db.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/options.h>

#include "common/log.h"
#include "replay/wal_prefix.h"

namespace portico::replay {
namespace {

namespace fs = std::filesystem;

std::shared_ptr<spdlog::logger> Logger() {
  static const auto logger = NamedLogger("replay");
  return logger;
}

std::string_view View(const rocksdb::Slice& s) { return {s.data(), s.size()}; }

// Same order as RocksLogDb::handles_.
constexpr const char* kFamilies[] = {"default", eventstore::kEventsColumnFamily,
                                     eventstore::kStreamsColumnFamily};

Status Unreadable(const rocksdb::Status& s, const std::string& context) {
  return Status::Unavailable(context + ": " + s.ToString());
}

// A fresh private directory for a secondary instance's info log.
Result<std::string> MakeTempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") +
                        "/portico-replay-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    return Status::Unavailable("cannot create a temporary directory in " + pattern);
  }
  return pattern;
}

class RocksCursor final : public RawCursor {
 public:
  RocksCursor(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, std::optional<std::string> lower,
              std::optional<std::string> upper)
      : lower_(std::move(lower)), upper_(std::move(upper)) {
    rocksdb::ReadOptions options;
    options.fill_cache = false;
    options.readahead_size = 4 << 20;
    options.verify_checksums = true;
    if (lower_) {
      lower_slice_ = rocksdb::Slice(*lower_);
      options.iterate_lower_bound = &lower_slice_;
    }
    if (upper_) {
      upper_slice_ = rocksdb::Slice(*upper_);
      options.iterate_upper_bound = &upper_slice_;
    }
    it_.reset(db->NewIterator(options, cf));
    if (lower_) {
      it_->Seek(lower_slice_);
    } else {
      it_->SeekToFirst();
    }
  }

  bool Valid() const override { return it_->Valid(); }
  std::string_view key() const override { return View(it_->key()); }
  std::string_view value() const override { return View(it_->value()); }
  void Next() override { it_->Next(); }
  Status status() const override {
    const rocksdb::Status s = it_->status();
    if (s.ok()) return Status::Ok();
    if (s.IsCorruption()) return Status::Corruption("the store's files are damaged: " + s.ToString());
    return Status::Unavailable("reading the log: " + s.ToString());
  }

 private:
  const std::optional<std::string> lower_, upper_;
  rocksdb::Slice lower_slice_, upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

class RocksLogDb final : public LogDb {
 public:
  static Result<std::unique_ptr<LogDb>> Open(const std::string& log_dir, OpenMode mode);

  ~RocksLogDb() override {
    if (db_) {
      for (auto* handle : handles_) {
        if (handle != nullptr) (void)db_->DestroyColumnFamilyHandle(handle);
      }
      (void)db_->Close();
      db_.reset();
    }
    if (!secondary_dir_.empty()) {
      std::error_code ignored;
      fs::remove_all(secondary_dir_, ignored);
    }
  }

  OpenMode mode() const override { return mode_; }
  Result<std::optional<eventstore::HeadRecord>> head_record() const override {
    if (head_malformed_) return Status::Corruption("the head record is malformed");
    return head_;
  }

  Result<Position> LastStoredPosition() const override {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), events()));
    it->SeekToLast();
    Position last(0);
    if (it->Valid()) {
      const auto position = eventstore::DecodePosition(View(it->key()));
      if (!position) return Status::Corruption("the last key of the log is malformed");
      last = *position;
    }
    if (!it->status().ok()) return Unreadable(it->status(), "finding the last position");
    return last;
  }

  Result<std::optional<std::string>> ReadEvent(Position position) const override {
    std::string value;
    const rocksdb::Status s =
        db_->Get(rocksdb::ReadOptions(), events(), eventstore::PositionKey(position), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (s.IsCorruption()) return Status::Corruption("the store's files are damaged: " + s.ToString());
    if (!s.ok()) return Unreadable(s, "reading position " + std::to_string(position.value()));
    return std::optional<std::string>(std::move(value));
  }

  std::unique_ptr<RawCursor> EventCursor(Position from, Position to) const override {
    std::optional<std::string> upper;
    if (to.value() != UINT64_MAX) upper = eventstore::PositionKey(Position(to.value() + 1));
    return std::make_unique<RocksCursor>(db_.get(), events(), eventstore::PositionKey(from),
                                         std::move(upper));
  }

  std::unique_ptr<RawCursor> StreamIndexCursor() const override {
    return std::make_unique<RocksCursor>(db_.get(), handles_[2], std::nullopt, std::nullopt);
  }

 private:
  rocksdb::ColumnFamilyHandle* events() const { return handles_[1]; }

  Status ReadMetadata() {
    std::string format;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_[0], eventstore::kFormatKey, &format);
    if (s.IsNotFound()) return Status::NotFound("it holds no portico format record");
    if (!s.ok()) return Unreadable(s, "reading the format record");
    if (format != std::string(1, static_cast<char>(eventstore::kFormatVersion))) {
      return Status::FailedPrecondition("the log is not in format " +
                                        std::to_string(eventstore::kFormatVersion) +
                                        ", the only one this build reads");
    }
    std::string head;
    s = db_->Get(rocksdb::ReadOptions(), handles_[0], eventstore::kHeadKey, &head);
    if (s.IsNotFound()) return Status::Ok();
    if (!s.ok()) return Unreadable(s, "reading the head record");
    head_ = eventstore::DecodeHeadRecord(head);
    head_malformed_ = !head_.has_value();
    return Status::Ok();
  }

  OpenMode mode_ = OpenMode::kReadOnly;
  std::string secondary_dir_;
  std::unique_ptr<rocksdb::Env> env_;  // kSecondary: outlives db_
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::ColumnFamilyHandle* handles_[3] = {};
  std::optional<eventstore::HeadRecord> head_;
  bool head_malformed_ = false;
};

Status CheckIsLog(const std::string& log_dir) {
  std::error_code error;
  const fs::path dir(log_dir);
  const fs::path data_dir = dir.parent_path();
  if (!data_dir.empty() && !fs::is_directory(data_dir, error)) {
    return Status::NotFound("data directory " + data_dir.string() + " does not exist");
  }
  if (!fs::is_directory(dir, error)) {
    return Status::NotFound(data_dir.string() + " holds no event log (" + log_dir + " does not exist)");
  }
  if (!fs::exists(dir / "CURRENT", error)) {
    return Status::NotFound(log_dir + " is not a portico event log (no RocksDB database in it)");
  }
  std::vector<std::string> families;
  const rocksdb::Status s = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), log_dir, &families);
  if (!s.ok()) return Unreadable(s, "the store in " + log_dir + " cannot be opened");
  for (const char* wanted : kFamilies) {
    if (std::find(families.begin(), families.end(), wanted) == families.end()) {
      return Status::NotFound(log_dir + " is not a portico event log (no \"" + std::string(wanted) +
                              "\" column family)");
    }
  }
  return Status::Ok();
}

Result<std::unique_ptr<LogDb>> RocksLogDb::Open(const std::string& log_dir, OpenMode mode) {
  RETURN_IF_ERROR(CheckIsLog(log_dir));
  if (mode == OpenMode::kAuto) {
    mode = LogIsLockedByAnotherProcess(log_dir) ? OpenMode::kSecondary : OpenMode::kReadOnly;
  }
  std::unique_ptr<RocksLogDb> out(new RocksLogDb());
  out->mode_ = mode;
  rocksdb::DBOptions options;
  options.create_if_missing = false;
  options.create_missing_column_families = false;
  options.max_open_files = -1;  // keep every table file open (required beside a primary)
  options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const char* name : kFamilies) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s;
  if (mode == OpenMode::kSecondary) {
    ASSIGN_OR_RETURN(out->secondary_dir_, MakeTempDir());
    // The server's WAL is read only up to its last intact record (wal_prefix.h).
    out->env_ = rocksdb::NewCompositeEnv(NewWalPrefixFileSystem(rocksdb::FileSystem::Default()));
    options.env = out->env_.get();
    s = rocksdb::DB::OpenAsSecondary(options, log_dir, out->secondary_dir_, descriptors, &handles, &raw);
    if (s.ok()) {
      out->db_.reset(raw);
      s = raw->TryCatchUpWithPrimary();
    }
  } else {
    s = rocksdb::DB::OpenForReadOnly(options, log_dir, descriptors, &handles, &raw);
    if (s.ok()) out->db_.reset(raw);
  }
  for (std::size_t i = 0; i < handles.size() && i < 3; ++i) out->handles_[i] = handles[i];
  if (!s.ok()) {
    return Unreadable(s, "the store in " + log_dir + " cannot be opened (" +
                             std::string(OpenModeName(mode)) + ")");
  }
  RETURN_IF_ERROR(out->ReadMetadata());
  Logger()->debug("opened {} ({})", log_dir, OpenModeName(mode));
  return std::unique_ptr<LogDb>(std::move(out));
}

}  // namespace

std::string_view OpenModeName(OpenMode mode) {
  switch (mode) {
    case OpenMode::kAuto: return "auto";
    case OpenMode::kReadOnly: return "read-only";
    case OpenMode::kSecondary: return "secondary";
  }
  return "auto";
}

std::optional<OpenMode> ParseOpenMode(std::string_view name) {
  for (OpenMode mode : {OpenMode::kAuto, OpenMode::kReadOnly, OpenMode::kSecondary}) {
    if (OpenModeName(mode) == name) return mode;
  }
  return std::nullopt;
}

Result<std::unique_ptr<LogDb>> LogDb::Open(const std::string& log_dir, OpenMode mode) {
  return RocksLogDb::Open(log_dir, mode);
}

bool LogIsLockedByAnotherProcess(const std::string& log_dir) {
  const std::string path = log_dir + "/LOCK";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct flock lock = {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  const bool locked = ::fcntl(fd, F_GETLK, &lock) == 0 && lock.l_type != F_UNLCK;
  ::close(fd);
  return locked;
}

}  // namespace portico::replay
