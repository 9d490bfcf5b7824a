// Helpers shared by the event store tests and the crash-test child: temporary directories,
// sample envelopes, and opening a store.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "eventstore/event_store.h"
#include "schemas/envelope.h"

namespace portico::eventstore::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") +
                          "/portico-eventstore-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// An unstamped envelope for `stream` whose body (a NoteShared) carries `text`. The same
// arguments always give the same bytes.
inline std::string NoteEnvelope(const std::string& stream, const std::string& text,
                                const std::string& idempotency_key = {}) {
  schemas::EventMeta meta;
  meta.stream_id = stream;
  meta.actor_kind = schema::ActorKind::Staff;
  meta.actor_id = "tester";
  meta.idempotency_key = idempotency_key;
  schema::NoteSharedT note;
  note.note_id = "n1";
  note.resource_id = "r1";
  note.body = text;
  note.visibility = schema::NoteVisibility::Client;
  schema::EventBodyUnion body;
  body.Set(std::move(note));
  return schemas::EncodeEnvelope(meta, body);
}

inline std::vector<std::string> Notes(const std::string& stream,
                                      const std::vector<std::string>& texts) {
  std::vector<std::string> out;
  for (const std::string& text : texts) out.push_back(NoteEnvelope(stream, text));
  return out;
}

// The note text of a stored event (empty when it is not a note).
inline std::string NoteText(const StoredEvent& event) {
  const auto* note = event.envelope().body_as_NoteShared();
  return note != nullptr && note->body() != nullptr ? note->body()->str() : std::string();
}

// Every byte of the file at `path` (empty when it cannot be read).
inline std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::string StreamOf(const StoredEvent& event) {
  return event.envelope().stream_id()->str();
}

inline Options TestOptions(const std::string& dir) {
  Options options;
  options.dir = dir;
  return options;
}

}  // namespace portico::eventstore::testing
