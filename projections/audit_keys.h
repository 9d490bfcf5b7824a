// Building blocks of the audit model (audit_model.h), internal to projections/.
//
// KeyTable interns the ids the audit model meets (users, organisations, resources, notes,
// levels, actors, other stream names) as dense 32-bit keys. Each id is stored once, whatever
// the number of events naming it. Per key it keeps a posting list (the positions of the
// events about it, ascending, no duplicates) and one link (a user's organisation, a
// resource's organisation, a note's resource), which is how an event naming only a user is
// also found by its organisation. The same id under two kinds (a user and an organisation
// both called "acme") are two keys.
//
// Layout, for a rebuild that interns several ids per event into a table of a million keys:
// the ids are found through an open-addressing table of 8-byte slots (part of the hash and the
// key, linear probing, at most half full), then compared with the entry's text; an entry
// (text, link, posting list) is one 64-byte record in a vector, and a posting list keeps its
// first two positions inline (most resources, notes and users are named by one or two
// events), so interning a new id allocates nothing beyond the id when it is long.
//
// IntersectPostings walks the positions present in every one of several posting lists.
//
// Not thread-safe (the audit model guards it).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/state.h"

namespace portico::projections {

enum class KeyKind : char {
  kUser = 'u',
  kOrg = 'o',
  kResource = 'r',
  kNote = 'n',
  kLevel = 'l',
  kActor = 'a',   // staff key names, portal user ids and system components acting
  kStream = 's',  // any other stream name, whole ("settings")
};

// An ascending list of positions; the first two are stored inline.
class Postings {
 public:
  Postings() = default;
  Postings(Postings&& other) noexcept;
  Postings& operator=(Postings&& other) noexcept;
  Postings(const Postings&) = delete;
  Postings& operator=(const Postings&) = delete;
  ~Postings();

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const std::uint64_t* begin() const { return data(); }
  const std::uint64_t* end() const { return data() + size_; }
  std::uint64_t operator[](std::size_t i) const { return data()[i]; }
  std::uint64_t back() const { return data()[size_ - 1]; }
  void push_back(std::uint64_t position);

 private:
  static constexpr std::uint32_t kInline = 2;
  const std::uint64_t* data() const { return capacity_ > kInline ? heap_ : inline_; }

  std::uint32_t size_ = 0;
  std::uint32_t capacity_ = kInline;
  union {
    std::uint64_t inline_[kInline] = {};
    std::uint64_t* heap_;  // malloc'ed, capacity_ positions
  };
};

class KeyTable {
 public:
  static constexpr std::uint32_t kNone = 0xffffffffu;

  KeyTable() = default;
  KeyTable(const KeyTable&) = delete;
  KeyTable& operator=(const KeyTable&) = delete;

  // The key of (kind, id), created when new.
  std::uint32_t Intern(KeyKind kind, std::string_view id);
  // kNone when unknown.
  std::uint32_t Find(KeyKind kind, std::string_view id) const;

  KeyKind kind(std::uint32_t key) const { return static_cast<KeyKind>(entries_[key].text[0]); }
  std::string_view id(std::uint32_t key) const { return std::string_view(entries_[key].text).substr(1); }

  std::uint32_t link(std::uint32_t key) const { return entries_[key].link; }
  void set_link(std::uint32_t key, std::uint32_t target) { entries_[key].link = target; }

  const Postings& postings(std::uint32_t key) const { return entries_[key].postings; }
  // Appends the position unless it is already the last one.
  void Post(std::uint32_t key, std::uint64_t position);

  std::size_t size() const { return entries_.size(); }

  // Makes room for `keys` more keys (at most kMaxReservedKeys), so that a catch-up does not
  // grow the table step by step: each step re-probes every key and moves every entry. The
  // entries are only reserved (memory nobody writes is never touched); the slot table is
  // built at its new size, 16 bytes per reserved key.
  static constexpr std::size_t kMaxReservedKeys = 4u << 20;
  void Reserve(std::size_t keys);

 private:
  struct Entry {
    std::string text;  // kind character + id
    std::uint32_t link = kNone;
    Postings postings;
  };
  struct Slot {
    std::uint32_t tag = 0;      // the hash's high half
    std::uint32_t key = kNone;  // kNone: empty
  };

  static std::uint64_t Hash(KeyKind kind, std::string_view id);
  // The slot holding (kind, id), or the empty slot where it belongs.
  std::size_t Probe(KeyKind kind, std::string_view id, std::uint64_t h) const;
  void Grow() { Rehash(slots_.empty() ? 1024 : slots_.size() * 2); }
  void Rehash(std::size_t slot_count);  // a power of two, more than twice size()

  std::vector<Slot> slots_;  // size a power of two, or empty
  std::vector<Entry> entries_;
};

// Calls accept(p) for each position p in [lo, hi] present in every list (at least one list),
// ascending, until accept returns false. Drives from the shortest list and gallops through the
// others, so the cost follows the shortest list, not the longest.
void IntersectPostings(std::vector<const Postings*> lists, std::uint64_t lo, std::uint64_t hi,
                       const std::function<bool(std::uint64_t)>& accept);

}  // namespace portico::projections
