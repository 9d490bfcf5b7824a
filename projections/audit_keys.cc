#include "projections/audit_keys.h"

#include <algorithm>

namespace portico::projections {
namespace {

std::string Tagged(KeyKind kind, std::string_view id) {
  std::string key;
  key.reserve(id.size() + 1);
  key.push_back(static_cast<char>(kind));
  key.append(id);
  return key;
}

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

std::uint32_t KeyTable::Intern(KeyKind kind, std::string_view id) {
  scratch_.clear();
  scratch_.push_back(static_cast<char>(kind));
  scratch_.append(id);
  if (const auto it = ids_.find(scratch_); it != ids_.end()) return it->second;
  const auto key = static_cast<std::uint32_t>(entries_.size());
  const auto [it, inserted] = ids_.emplace(scratch_, key);
  entries_.push_back(Entry{&it->first, kNone, {}});
  return key;
}

std::uint32_t KeyTable::Find(KeyKind kind, std::string_view id) const {
  const auto it = ids_.find(Tagged(kind, id));
  return it == ids_.end() ? kNone : it->second;
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
