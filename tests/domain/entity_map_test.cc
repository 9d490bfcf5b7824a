// EntityMap: lookups by id, entities that never move, insertion-order iteration, deep copies
// and order-blind equality.
#include "domain/entity_map.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "domain/state.h"

namespace portico::domain {
namespace {

Resource MakeResource(const std::string& id, const std::string& title = "") {
  Resource r;
  r.id = ResourceId(id);
  r.title = title;
  return r;
}

std::string Id(int i) { return "res-" + std::to_string(i); }

TEST(EntityMapTest, FindsWhatWasInsertedAndNothingElse) {
  EntityMap<Resource> map;
  EXPECT_EQ(map.Find("res-1"), nullptr) << "an empty map";
  const auto [added, was_added] = map.Insert(MakeResource("res-1", "first"));
  ASSERT_TRUE(was_added);
  EXPECT_EQ(added->title, "first");
  EXPECT_EQ(map.Find("res-1"), added);
  EXPECT_EQ(map.Find("res-2"), nullptr);
  EXPECT_EQ(map.Find(""), nullptr);
  EXPECT_EQ(map.size(), 1u);

  // A second entity with the same id is not added, and leaves the first one as it was.
  const auto [existing, added_again] = map.Insert(MakeResource("res-1", "second"));
  EXPECT_FALSE(added_again);
  EXPECT_EQ(existing, added);
  EXPECT_EQ(existing->title, "first");
  EXPECT_EQ(map.size(), 1u);
}

TEST(EntityMapTest, FindOrAddCreatesAnEntityWithOnlyItsIdOnce) {
  EntityMap<Resource> map;
  map.Insert(MakeResource("res-0"));
  const auto make_id = [](std::string_view id) { return ResourceId(std::string(id)); };
  const auto [created, index, added] = map.FindOrAdd("res-7", make_id);
  ASSERT_TRUE(added);
  EXPECT_EQ(index, 1u) << "the second entity added";
  EXPECT_EQ(*created, MakeResource("res-7"));
  created->title = "kept";
  const auto [found, index_again, added_again] = map.FindOrAdd("res-7", make_id);
  EXPECT_FALSE(added_again);
  EXPECT_EQ(found, created);
  EXPECT_EQ(index_again, 1u);
  EXPECT_EQ(found->title, "kept");
}

TEST(EntityMapTest, AnIndexNamesTheSameEntityInEveryCopy) {
  EntityMap<Resource> map;
  for (int i = 0; i < 300; ++i) map.Insert(MakeResource(Id(i), "t" + std::to_string(i)));
  const EntityMap<Resource> copy = map;
  for (int i = 0; i < 300; i += 7) {
    const auto index = map.FindIndex(Id(i), EntityMap<Resource>::Hash(Id(i)));
    ASSERT_TRUE(index.has_value()) << Id(i);
    EXPECT_EQ(*index, static_cast<std::uint32_t>(i)) << "indexes follow the order added";
    EXPECT_EQ(&map.at(*index), map.Find(Id(i)));
    EXPECT_EQ(copy.at(*index).id.value(), Id(i));
    EXPECT_NE(&copy.at(*index), &map.at(*index));
  }
  EXPECT_FALSE(map.FindIndex("res-300", EntityMap<Resource>::Hash("res-300")).has_value());
}

TEST(EntityMapTest, EntitiesNeverMoveAsTheMapGrows) {
  EntityMap<Resource> map;
  std::vector<const Resource*> first;
  for (int i = 0; i < 20'000; ++i) {
    const Resource* r = map.Insert(MakeResource(Id(i), "title of " + Id(i))).first;
    if (i < 100) first.push_back(r);
  }
  ASSERT_EQ(map.size(), 20'000u);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(map.Find(Id(i)), first[i]) << Id(i);
    EXPECT_EQ(first[i]->title, "title of " + Id(i));
  }
  for (int i = 0; i < 20'000; i += 997) {
    const Resource* r = map.Find(Id(i), EntityMap<Resource>::Hash(Id(i)));
    ASSERT_NE(r, nullptr) << Id(i);
    EXPECT_EQ(r->id.value(), Id(i));
  }
  EXPECT_EQ(map.Find("res-20000"), nullptr);
}

TEST(EntityMapTest, IteratesInTheOrderEntitiesWereAdded) {
  EntityMap<Resource> map;
  map.reserve(1000);  // sizes the lookup table only
  for (int i = 999; i >= 0; --i) map.Insert(MakeResource(Id(i)));
  int expected = 999;
  for (const Resource& r : map) EXPECT_EQ(r.id.value(), Id(expected--));
  EXPECT_EQ(expected, -1) << "every entity once";
}

TEST(EntityMapTest, ACopyIsDeepAndGrowsOnItsOwn) {
  EntityMap<Resource> original;
  for (int i = 0; i < 40; ++i) original.Insert(MakeResource(Id(i), "original"));  // a chunk part full
  EntityMap<Resource> copy = original;
  EXPECT_TRUE(copy == original);
  ASSERT_NE(copy.Find(Id(3)), original.Find(Id(3)));

  Resource* in_copy = copy.Find(Id(39));
  for (int i = 40; i < 1000; ++i) copy.Insert(MakeResource(Id(i), "copy"));
  EXPECT_EQ(copy.Find(Id(39)), in_copy) << "the copy's entities stay put as it grows";
  in_copy->title = "changed";
  EXPECT_EQ(original.Find(Id(39))->title, "original");
  EXPECT_EQ(original.size(), 40u);
  EXPECT_EQ(original.Find(Id(500)), nullptr);

  EntityMap<Resource> assigned;
  assigned.Insert(MakeResource("gone"));
  assigned = copy;
  EXPECT_EQ(assigned.Find("gone"), nullptr);
  EXPECT_TRUE(assigned == copy);
}

TEST(EntityMapTest, AMovedMapKeepsItsEntitiesWhereTheyWere) {
  EntityMap<Resource> from;
  for (int i = 0; i < 100; ++i) from.Insert(MakeResource(Id(i)));
  const Resource* r = from.Find(Id(42));
  EntityMap<Resource> to = std::move(from);
  EXPECT_EQ(to.Find(Id(42)), r);
  EXPECT_EQ(to.size(), 100u);
  EXPECT_TRUE(from.empty());  // NOLINT(bugprone-use-after-move): the moved-from state is part of the contract
  EXPECT_EQ(from.Find(Id(42)), nullptr);
  from.Insert(MakeResource("again"));
  EXPECT_NE(from.Find("again"), nullptr) << "a moved-from map can be used again";
}

TEST(EntityMapTest, EqualityComparesEntitiesNotTheirOrder) {
  EntityMap<Resource> a, b;
  for (int i = 0; i < 50; ++i) a.Insert(MakeResource(Id(i), "t"));
  for (int i = 49; i >= 0; --i) b.Insert(MakeResource(Id(i), "t"));
  EXPECT_TRUE(a == b);
  b.Find(Id(10))->title = "other";
  EXPECT_FALSE(a == b) << "one field of one entity differs";
  b.Find(Id(10))->title = "t";
  b.Insert(MakeResource(Id(50), "t"));
  EXPECT_FALSE(a == b) << "one more entity";
  a.Insert(MakeResource("res-x", "t"));
  EXPECT_FALSE(a == b) << "as many entities, not the same ids";
}

}  // namespace
}  // namespace portico::domain
