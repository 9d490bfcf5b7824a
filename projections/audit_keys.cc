#include "projections/audit_keys.h"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <functional>
#include <new>

namespace portico::projections {
namespace {

// The first index >= from whose value is >= target (list.size() when none), searching
// exponentially from `from`.
std::size_t Gallop(const Postings& list, std::size_t from, std::uint64_t target) {
  std::size_t step = 1, lo = from, hi = from;
  while (hi < list.size() && list[hi] < target) {
    lo = hi + 1;
    hi = from + step;
    step *= 2;
  }
  hi = std::min(hi, list.size());
  return static_cast<std::size_t>(std::lower_bound(list.begin() + static_cast<std::ptrdiff_t>(lo),
                                                   list.begin() + static_cast<std::ptrdiff_t>(hi), target) -
                                  list.begin());
}

}  // namespace

Postings::Postings(Postings&& other) noexcept : size_(other.size_), capacity_(other.capacity_) {
  if (capacity_ > kInline) {
    heap_ = other.heap_;
  } else {
    std::copy(other.inline_, other.inline_ + kInline, inline_);
  }
  other.size_ = 0;
  other.capacity_ = kInline;
}

Postings& Postings::operator=(Postings&& other) noexcept {
  if (this != &other) {
    this->~Postings();
    new (this) Postings(std::move(other));
  }
  return *this;
}

Postings::~Postings() {
  if (capacity_ > kInline) std::free(heap_);
}

void Postings::push_back(std::uint64_t position) {
  if (size_ == capacity_) {
    const std::uint32_t grown = capacity_ * 2;
    auto* bigger = static_cast<std::uint64_t*>(
        capacity_ > kInline ? std::realloc(heap_, grown * sizeof(std::uint64_t))
                            : std::malloc(grown * sizeof(std::uint64_t)));
    if (bigger == nullptr) throw std::bad_alloc();
    if (capacity_ == kInline) std::copy(inline_, inline_ + kInline, bigger);
    heap_ = bigger;
    capacity_ = grown;
  }
  (capacity_ > kInline ? heap_ : inline_)[size_++] = position;
}

std::uint64_t KeyTable::Hash(KeyKind kind, std::string_view id) {
  std::uint64_t h = std::hash<std::string_view>{}(id) ^ (static_cast<std::uint64_t>(kind) * 0x9e3779b97f4a7c15ull);
  h ^= h >> 33;  // spread every bit into the low bits (the slot) and the high half (the tag)
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

std::size_t KeyTable::Probe(KeyKind kind, std::string_view id, std::uint64_t h) const {
  const std::size_t mask = slots_.size() - 1;
  const auto tag = static_cast<std::uint32_t>(h >> 32);
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.key == kNone) return i;
    if (s.tag == tag) {
      const std::string& text = entries_[s.key].text;
      if (text[0] == static_cast<char>(kind) && std::string_view(text).substr(1) == id) return i;
    }
  }
}

void KeyTable::Reserve(std::size_t keys) {
  const std::size_t total = entries_.size() + std::min(keys, kMaxReservedKeys);
  entries_.reserve(total);
  if ((total + 1) * 2 > slots_.size()) Rehash(std::bit_ceil((total + 1) * 2));
}

void KeyTable::Rehash(std::size_t slot_count) {
  std::vector<Slot> bigger(slot_count);
  const std::size_t mask = bigger.size() - 1;
  // In key order: the entries are read sequentially, only the slots at random.
  for (std::uint32_t key = 0; key < entries_.size(); ++key) {
    const std::string& text = entries_[key].text;
    const std::uint64_t h = Hash(static_cast<KeyKind>(text[0]), std::string_view(text).substr(1));
    std::size_t i = h & mask;
    while (bigger[i].key != kNone) i = (i + 1) & mask;
    bigger[i] = Slot{static_cast<std::uint32_t>(h >> 32), key};
  }
  slots_.swap(bigger);
}

std::uint32_t KeyTable::Intern(KeyKind kind, std::string_view id) {
  if ((entries_.size() + 1) * 2 > slots_.size()) Grow();
  const std::uint64_t h = Hash(kind, id);
  Slot& slot = slots_[Probe(kind, id, h)];
  if (slot.key != kNone) return slot.key;
  const auto key = static_cast<std::uint32_t>(entries_.size());
  std::string text;
  text.reserve(id.size() + 1);
  text.push_back(static_cast<char>(kind));
  text.append(id);
  entries_.push_back(Entry{std::move(text), kNone, {}});
  slot = Slot{static_cast<std::uint32_t>(h >> 32), key};
  return key;
}

std::uint32_t KeyTable::Find(KeyKind kind, std::string_view id) const {
  if (slots_.empty()) return kNone;
  return slots_[Probe(kind, id, Hash(kind, id))].key;
}

void KeyTable::Post(std::uint32_t key, std::uint64_t position) {
  Postings& list = entries_[key].postings;
  if (list.empty() || list.back() != position) list.push_back(position);
}

void IntersectPostings(std::vector<const Postings*> lists, std::uint64_t lo, std::uint64_t hi,
                       const std::function<bool(std::uint64_t)>& accept) {
  if (lists.empty() || lo > hi) return;
  std::sort(lists.begin(), lists.end(), [](const Postings* a, const Postings* b) { return a->size() < b->size(); });
  const Postings& driver = *lists[0];
  std::vector<std::size_t> cursor(lists.size(), 0);
  for (std::size_t i = Gallop(driver, 0, lo); i < driver.size() && driver[i] <= hi; ++i) {
    const std::uint64_t p = driver[i];
    bool everywhere = true;
    for (std::size_t l = 1; l < lists.size() && everywhere; ++l) {
      cursor[l] = Gallop(*lists[l], cursor[l], p);
      everywhere = cursor[l] < lists[l]->size() && (*lists[l])[cursor[l]] == p;
      if (cursor[l] == lists[l]->size()) return;  // that list is exhausted: no more matches
    }
    if (everywhere && !accept(p)) return;
  }
}

}  // namespace portico::projections
