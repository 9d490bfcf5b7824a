// EntityMap<V>: the entities of one kind (organisations, users, resources, notes) by their id,
// for AccessState. V has a member `id` whose value() is the id string.
//
// Why not std::unordered_map: a rebuild folds a million resources into AccessState, and there
// a node map costs a node of its own per entity (the key a second copy of the id), a bucket
// array, and three dependent memory reads per lookup (the bucket, the node before, the node),
// cache misses each. The access read model then kept a flat table of its own next to it for
// its checks. Here:
//   - the entities live in chunks that never move (chunk k holds 16 << k of them), in the
//     order they were added, so a pointer to an entity stays valid for the map's lifetime;
//   - the lookup table is open addressing over 8-byte slots (32 bits of the id's hash and the
//     entity's index), linear probing, at most half full: a lookup reads one slot and then the
//     entity, whose id it compares. Growing the table rehashes slots, not entities.
// Entities are never removed: no kind kept in an EntityMap is ever deleted from the state.
// At most 2^32 - 1 entities (32-bit indexes).
//
// Iteration visits the entities in the order they were added. Equality compares the sets of
// entities, whatever their order. Not thread-safe: one writer, or readers of a stable map.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iterator>
#include <memory>
#include <new>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace portico::domain {

template <typename V>
class EntityMap {
 public:
  // An entity's place in the order entities were added: 0, 1, 2, ... It never changes, and a
  // copy of the map gives each entity the same index. Indexes of the state that list
  // entities (AccessState::resources_by_org) hold these 4 bytes instead of a copy of the id.
  using Index = std::uint32_t;

  static std::uint64_t Hash(std::string_view id) { return std::hash<std::string_view>{}(id); }

  EntityMap() = default;
  EntityMap(const EntityMap& other) { CopyFrom(other); }
  EntityMap& operator=(const EntityMap& other) {
    if (this != &other) {
      EntityMap copy(other);
      *this = std::move(copy);
    }
    return *this;
  }
  // A moved-from map is empty.
  EntityMap(EntityMap&& other) noexcept { *this = std::move(other); }
  EntityMap& operator=(EntityMap&& other) noexcept {
    chunks_ = std::exchange(other.chunks_, {});
    slots_ = std::exchange(other.slots_, nullptr);
    slot_count_ = std::exchange(other.slot_count_, 0);
    mask_ = std::exchange(other.mask_, 0);
    size_ = std::exchange(other.size_, 0);
    return *this;
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Sizes the lookup table for `n` entities in all, so that it does not grow before then.
  void reserve(std::size_t n) {
    if (n * 2 > slot_count_) Rehash(std::bit_ceil(n * 2));
  }

  const V* Find(std::string_view id) const { return Find(id, Hash(id)); }
  V* Find(std::string_view id) { return const_cast<V*>(std::as_const(*this).Find(id)); }

  // Find with the id's Hash computed beforehand.
  const V* Find(std::string_view id, std::uint64_t h) const {
    const std::uint32_t found = FindIndexPlusOne(id, h);
    return found == 0 ? nullptr : &at(found - 1);
  }

  // The index of the entity with this id, if there is one.
  std::optional<Index> FindIndex(std::string_view id, std::uint64_t h) const {
    const std::uint32_t found = FindIndexPlusOne(id, h);
    if (found == 0) return std::nullopt;
    return found - 1;
  }

  // The entity at an index below size().
  const V& at(Index i) const {
    const std::size_t k = ChunkOf(i);
    return chunks_[k][i - ChunkStart(k)];
  }
  V& at(Index i) { return const_cast<V&>(std::as_const(*this).at(i)); }

  // Memory-level parallelism for a caller that looks up several ids at once (a check: its
  // user and its resource): PrefetchSlot each hash, then PrefetchEntity each, then Find each.
  // The cache misses of the different lookups then overlap instead of following one another;
  // the hints change no result.
  void PrefetchSlot(std::uint64_t h) const {
    if (slot_count_ != 0) __builtin_prefetch(&slots_[Tag(h) & mask_]);
  }
  // Reads the id's home slot (waiting for it) and prefetches the entity it most likely holds,
  // every cache line of it: a check reads fields from the whole of a user (about 360 bytes)
  // and of a resource, and the first line alone would leave the others to miss in turn.
  void PrefetchEntity(std::uint64_t h) const {
    if (slot_count_ == 0) return;
    const Slot s = slots_[Tag(h) & mask_];
    if (s.index_plus_one == 0 || s.tag != Tag(h)) return;
    const char* entity = reinterpret_cast<const char*>(&at(s.index_plus_one - 1));
    for (std::size_t offset = 0; offset < sizeof(V); offset += 64) __builtin_prefetch(entity + offset);
    __builtin_prefetch(entity + sizeof(V) - 1);  // the last line, when V does not start on one
  }

  // Adds the entity unless one with its id is present. Returns the entity in the map (the
  // one already there, or the new one) and whether it was added.
  std::pair<V*, bool> Insert(V&& entity) {
    const std::string_view id = entity.id.value();
    const std::uint64_t h = Hash(id);
    if (V* found = const_cast<V*>(Find(id, h))) return {found, false};
    return {Add(std::move(entity), h), true};
  }

  // The entity with this id; or a new one, default-constructed but for its id (`make_id`
  // turns the id into V's id type).
  struct Found {
    V* entity;
    Index index;
    bool added;
  };
  template <typename MakeId>
  Found FindOrAdd(std::string_view id, MakeId make_id) {
    const std::uint64_t h = Hash(id);
    if (const std::uint32_t found = FindIndexPlusOne(id, h); found != 0) return {&at(found - 1), found - 1, false};
    V entity;
    entity.id = make_id(id);
    const auto index = static_cast<Index>(size_);
    return {Add(std::move(entity), h), index, true};
  }

  template <bool kConst>
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = V;
    using difference_type = std::ptrdiff_t;
    using pointer = std::conditional_t<kConst, const V*, V*>;
    using reference = std::conditional_t<kConst, const V&, V&>;

    Iterator() = default;
    Iterator(std::conditional_t<kConst, const EntityMap*, EntityMap*> map, std::size_t index)
        : map_(map), index_(index) {}
    reference operator*() const { return const_cast<reference>(std::as_const(*map_).at(index_)); }
    pointer operator->() const { return &**this; }
    Iterator& operator++() {
      ++index_;
      return *this;
    }
    Iterator operator++(int) {
      Iterator before = *this;
      ++index_;
      return before;
    }
    bool operator==(const Iterator& other) const { return index_ == other.index_; }

   private:
    std::conditional_t<kConst, const EntityMap*, EntityMap*> map_ = nullptr;
    std::size_t index_ = 0;
  };
  using iterator = Iterator<false>;
  using const_iterator = Iterator<true>;

  iterator begin() { return iterator(this, 0); }
  iterator end() { return iterator(this, size_); }
  const_iterator begin() const { return const_iterator(this, 0); }
  const_iterator end() const { return const_iterator(this, size_); }

  bool operator==(const EntityMap& other) const {
    if (size_ != other.size_) return false;
    for (const V& v : *this) {
      const V* theirs = other.Find(v.id.value());
      if (theirs == nullptr || !(*theirs == v)) return false;
    }
    return true;
  }

 private:
  struct Slot {
    std::uint32_t tag = 0;             // 32 bits of the id's hash; its low bits pick the home slot
    std::uint32_t index_plus_one = 0;  // 0: empty
  };
  static constexpr std::size_t kFirstChunk = 16;

  static std::uint32_t Tag(std::uint64_t h) { return static_cast<std::uint32_t>(h ^ (h >> 32)); }

  // Entity i lives in chunk k = bit_width(i / 16 + 1) - 1, which starts at 16 * (2^k - 1).
  static std::size_t ChunkOf(std::size_t i) { return std::bit_width(i / kFirstChunk + 1) - 1; }
  static std::size_t ChunkStart(std::size_t k) { return kFirstChunk * ((std::size_t{1} << k) - 1); }
  static std::size_t ChunkCapacity(std::size_t k) { return kFirstChunk << k; }

  // The index of the entity with this id, plus one; 0 when there is none.
  std::uint32_t FindIndexPlusOne(std::string_view id, std::uint64_t h) const {
    if (slot_count_ == 0) return 0;
    const std::uint32_t tag = Tag(h);
    for (std::size_t i = tag & mask_;; i = (i + 1) & mask_) {
      const Slot s = slots_[i];
      if (s.index_plus_one == 0) return 0;
      if (s.tag == tag && at(s.index_plus_one - 1).id.value() == id) return s.index_plus_one;
    }
  }

  V* Add(V&& entity, std::uint64_t h) {
    if ((size_ + 1) * 2 > slot_count_) Rehash(slot_count_ == 0 ? 16 : slot_count_ * 2);
    const std::size_t k = ChunkOf(size_);
    if (k == chunks_.size()) {
      std::vector<V> chunk;
      chunk.reserve(ChunkCapacity(k));  // never grows past it: entities stay put
      chunks_.push_back(std::move(chunk));
    }
    V& added = chunks_[k].emplace_back(std::move(entity));
    Place(slots_.get(), mask_, Tag(h), static_cast<std::uint32_t>(size_ + 1));
    ++size_;
    return &added;
  }

  // The slots live in calloc'ed memory: a large table then comes zeroed from fresh pages,
  // without a pass of its own to clear it (a million resources: 16 MiB).
  struct Free {
    void operator()(Slot* p) const { std::free(p); }
  };
  using Slots = std::unique_ptr<Slot[], Free>;

  static Slots AllocateSlots(std::size_t count) {
    static_assert(std::is_trivially_copyable_v<Slot>);
    Slot* p = static_cast<Slot*>(std::calloc(count, sizeof(Slot)));
    if (p == nullptr) throw std::bad_alloc();
    return Slots(p);
  }

  static void Place(Slot* slots, std::size_t mask, std::uint32_t tag, std::uint32_t index_plus_one) {
    std::size_t i = tag & mask;
    while (slots[i].index_plus_one != 0) i = (i + 1) & mask;
    slots[i] = Slot{tag, index_plus_one};
  }

  void Rehash(std::size_t slot_count) {
    Slots bigger = AllocateSlots(slot_count);
    const std::size_t mask = slot_count - 1;
    for (std::size_t i = 0; i < slot_count_; ++i) {
      const Slot s = slots_[i];
      if (s.index_plus_one != 0) Place(bigger.get(), mask, s.tag, s.index_plus_one);
    }
    slots_ = std::move(bigger);
    slot_count_ = slot_count;
    mask_ = mask;
  }

  void CopyFrom(const EntityMap& other) {
    if (other.slot_count_ != 0) {
      slots_ = AllocateSlots(other.slot_count_);
      std::memcpy(slots_.get(), other.slots_.get(), other.slot_count_ * sizeof(Slot));
    }
    slot_count_ = other.slot_count_;
    mask_ = other.mask_;
    size_ = other.size_;
    chunks_.reserve(other.chunks_.size());
    for (std::size_t k = 0; k < other.chunks_.size(); ++k) {
      chunks_.emplace_back().reserve(ChunkCapacity(k));
      chunks_.back().insert(chunks_.back().end(), other.chunks_[k].begin(), other.chunks_[k].end());
    }
  }

  std::vector<std::vector<V>> chunks_;  // chunk k: capacity ChunkCapacity(k), reserved up front
  Slots slots_;                         // slot_count_ of them: a power of two, at most half full
  std::size_t slot_count_ = 0;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace portico::domain
