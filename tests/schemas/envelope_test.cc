// Envelope round trip, stamping and the hash that chains the log.
#include "schemas/envelope.h"

#include <gtest/gtest.h>

namespace portico::schemas {
namespace {

std::string SampleEnvelope() {
  EventMeta meta;
  meta.stream_id = "org:acme";
  meta.actor_kind = schema::ActorKind::Staff;
  meta.actor_id = "admin";
  schema::EventBodyUnion body;
  schema::OrgRegisteredT org;
  org.org_id = "acme";
  org.name = "Acme Plumbing";
  org.kind = schema::OrgKind::Client;
  body.Set(std::move(org));
  return EncodeEnvelope(meta, body);
}

TEST(EnvelopeTest, EncodeThenVerifyReadsTheFieldsBack) {
  std::string bytes = SampleEnvelope();
  auto env = VerifyEnvelope(bytes);
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EXPECT_EQ((*env)->stream_id()->str(), "org:acme");
  EXPECT_EQ((*env)->actor()->id()->str(), "admin");
  EXPECT_EQ((*env)->schema_version(), kSchemaVersion);
  ASSERT_EQ((*env)->body_type(), schema::EventBody::OrgRegistered);
  EXPECT_EQ((*env)->body_as_OrgRegistered()->name()->str(), "Acme Plumbing");
  EXPECT_EQ(EventTypeName((*env)->body_type()), "OrgRegistered");
}

TEST(EnvelopeTest, SameInputGivesSameBytes) {
  EXPECT_EQ(SampleEnvelope(), SampleEnvelope());
}

TEST(EnvelopeTest, StampWritesStoreFieldsAndAVerifiableHash) {
  std::string bytes = SampleEnvelope();
  StoreFields fields;
  fields.position = 42;
  fields.stream_version = 3;
  fields.recorded_at_us = 1'700'000'000'000'000;
  fields.prev_hash.fill(7);
  fields.event_id.fill(9);
  Hash own = StampEnvelope(bytes, fields);

  auto env = VerifyEnvelope(bytes);
  ASSERT_TRUE(env.ok());
  EXPECT_EQ((*env)->position(), 42u);
  EXPECT_EQ((*env)->stream_version(), 3u);
  EXPECT_EQ((*env)->recorded_at_us(), 1'700'000'000'000'000);
  EXPECT_EQ(ToHash((*env)->prev_hash()), fields.prev_hash);
  EXPECT_EQ(ToHash((*env)->hash()), own);
  EXPECT_EQ(ComputeEnvelopeHash(bytes, **env), own);
}

TEST(EnvelopeTest, AnyChangedByteOutsideTheHashChangesTheHash) {
  std::string bytes = SampleEnvelope();
  Hash own = StampEnvelope(bytes, StoreFields{});
  auto env = VerifyEnvelope(bytes);
  ASSERT_TRUE(env.ok());
  const auto hash_offset =
      reinterpret_cast<const char*>((*env)->hash()) - bytes.data();
  int detected = 0, tried = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (static_cast<std::ptrdiff_t>(i) >= hash_offset && static_cast<std::ptrdiff_t>(i) < hash_offset + 32) continue;
    std::string damaged = bytes;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x01);
    auto denv = VerifyEnvelope(damaged);
    ++tried;
    // Either the verifier rejects it, or the recomputed hash no longer matches.
    if (!denv.ok() || ComputeEnvelopeHash(damaged, **denv) != own) ++detected;
  }
  EXPECT_EQ(detected, tried);
}

TEST(EnvelopeTest, GarbageIsCorruptionNotACrash) {
  for (std::string garbage : {std::string(), std::string("x"), std::string(64, '\xff'),
                              std::string(300, '\0')}) {
    auto env = VerifyEnvelope(garbage);
    ASSERT_FALSE(env.ok());
    EXPECT_TRUE(env.status().IsCorruption()) << env.status().ToString();
  }
}

TEST(EnvelopeTest, AnEnvelopeWithoutBodyIsRejected) {
  EventMeta meta;
  meta.stream_id = "s";
  std::string bytes = EncodeEnvelope(meta, schema::EventBodyUnion{});
  auto env = VerifyEnvelope(bytes);
  ASSERT_FALSE(env.ok());
  EXPECT_NE(env.status().message().find("no body"), std::string::npos);
}

// A body type from a newer schema is refused with a message that says so, never skipped.
TEST(EnvelopeTest, ABodyTypeFromANewerSchemaIsRefusedByName) {
  std::string bytes = SampleEnvelope();
  const auto newer = static_cast<std::uint8_t>(schema::EventBody::MAX) + 1;
  // The generated code has no mutator for a union's type field: set it through the table.
  auto* table = reinterpret_cast<flatbuffers::Table*>(schema::GetMutableEnvelope(bytes.data()));
  ASSERT_TRUE(table->SetField<std::uint8_t>(schema::Envelope::VT_BODY_TYPE, newer, 0));
  auto env = VerifyEnvelope(bytes);
  ASSERT_FALSE(env.ok());
  EXPECT_TRUE(env.status().IsCorruption());
  EXPECT_NE(env.status().message().find("body type " + std::to_string(newer) +
                                        ", which this build does not know"),
            std::string::npos)
      << env.status().ToString();
}

TEST(EnvelopeTest, AnEventFromTheLogMustCarryItsPosition) {
  std::string bytes = SampleEnvelope();
  StoreFields fields;
  fields.position = 42;
  (void)StampEnvelope(bytes, fields);

  auto at = VerifyEnvelopeAt(bytes, 42);
  ASSERT_TRUE(at.ok()) << at.status().ToString();
  EXPECT_EQ((*at)->position(), 42u);

  auto elsewhere = VerifyEnvelopeAt(bytes, 43);
  ASSERT_FALSE(elsewhere.ok());
  EXPECT_TRUE(elsewhere.status().IsCorruption());
  EXPECT_EQ(elsewhere.status().message(), "the log's event at position 43 carries position 42");

  auto damaged = VerifyEnvelopeAt(std::string_view(bytes).substr(0, bytes.size() / 2), 42);
  ASSERT_FALSE(damaged.ok());
  EXPECT_TRUE(damaged.status().IsCorruption());
  EXPECT_EQ(damaged.status().message().rfind("the log's event at position 42 is unusable: ", 0), 0u)
      << damaged.status().message();
}

}  // namespace
}  // namespace portico::schemas
