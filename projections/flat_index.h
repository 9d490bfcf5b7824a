// FlatIndex<T>: an id -> const T* table with open addressing, for the hot lookups of the
// access model (users and resources by id).
//
// Why: AccessState keeps its entities in std::unordered_map, where a lookup costs three
// dependent memory reads (the bucket, the node before the bucket's first, the node). At a
// million resources those are cache misses each. Here a lookup reads one slot (the hash and
// the pointer, 16 bytes, linear probing at most half full) and then the entity itself, which
// the caller reads anyway: two misses instead of three.
//
// Keys are T::id.value(). The pointers point into the state's maps, whose nodes never move
// (std::unordered_map keeps references valid across rehashing); an entity must stay in its
// map as long as it is in this table: insert only, no erase (users and resources are never
// removed from AccessState).
// Not thread-safe: one writer, or readers of a stable table.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace portico::projections {

template <typename T>
class FlatIndex {
 public:
  static std::uint64_t Hash(std::string_view id) { return std::hash<std::string_view>{}(id); }

  const T* Find(std::string_view id) const { return Find(id, Hash(id)); }

  // Find with the id's Hash computed beforehand.
  const T* Find(std::string_view id, std::uint64_t h) const {
    if (slots_.empty()) return nullptr;
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.value == nullptr) return nullptr;
      if (s.hash == h && s.value->id.value() == id) return s.value;
    }
  }

  // Memory-level parallelism for a caller that looks up several ids at once (a check: its
  // user and its resource): PrefetchSlot each hash, then PrefetchEntity each, then Find each.
  // The cache misses of the different lookups then overlap instead of following one another;
  // the hints change no result.
  void PrefetchSlot(std::uint64_t h) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[h & mask_]);
  }
  // Reads the id's home slot (waiting for it) and prefetches the entity it most likely holds.
  void PrefetchEntity(std::uint64_t h) const {
    if (slots_.empty()) return;
    const Slot& s = slots_[h & mask_];
    if (s.value != nullptr && s.hash == h) __builtin_prefetch(s.value);
  }

  // Adds the entity unless its id is already present.
  void Insert(const T* value) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    if (Place(slots_, mask_, Hash(value->id.value()), value)) ++size_;
  }

  std::size_t size() const { return size_; }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    const T* value = nullptr;
  };

  static bool Place(std::vector<Slot>& slots, std::size_t mask, std::uint64_t h, const T* value) {
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& s = slots[i];
      if (s.value == nullptr) {
        s = Slot{h, value};
        return true;
      }
      if (s.hash == h && s.value->id.value() == value->id.value()) return false;
    }
  }

  void Grow() {
    std::vector<Slot> bigger(slots_.empty() ? 64 : slots_.size() * 2);
    const std::size_t mask = bigger.size() - 1;
    for (const Slot& s : slots_) {
      if (s.value != nullptr) Place(bigger, mask, s.hash, s.value);
    }
    slots_.swap(bigger);
    mask_ = mask;
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace portico::projections
