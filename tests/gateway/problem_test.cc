#include "gateway/http/problem.h"

#include <gtest/gtest.h>

#include "gateway/http/response.h"
#include "test_util.h"

namespace portico::gateway {
namespace {

using testing::BodyJson;
using field = boost::beast::http::field;

TEST(ProblemTest, MapsStatusCodesPerApi) {
  EXPECT_EQ(Problem::FromStatus(Status::InvalidArgument("x")).status, 400u);
  EXPECT_EQ(Problem::FromStatus(Status::Unauthenticated("x")).status, 401u);
  EXPECT_EQ(Problem::FromStatus(Status::PermissionDenied("x")).status, 403u);
  EXPECT_EQ(Problem::FromStatus(Status::NotFound("x")).status, 404u);
  EXPECT_EQ(Problem::FromStatus(Status::AlreadyExists("x")).status, 409u);
  EXPECT_EQ(Problem::FromStatus(Status::Aborted("x")).status, 409u);
  EXPECT_EQ(Problem::FromStatus(Status::FailedPrecondition("x")).status, 422u);
  EXPECT_EQ(Problem::FromStatus(Status::ResourceExhausted("x")).status, 413u);
  EXPECT_EQ(Problem::FromStatus(Status::Unavailable("x")).status, 503u);
  EXPECT_EQ(Problem::FromStatus(Status::Corruption("x")).status, 500u);
  EXPECT_EQ(Problem::FromStatus(Status::Internal("x")).status, 500u);
}

TEST(ProblemTest, ConflictCarriesCurrentVersion) {
  Response response = ProblemResponse(Problem::FromStatus(Status::Aborted("stale", 7)));
  auto body = BodyJson(response);
  EXPECT_EQ(body.at("status").as_int64(), 409);
  EXPECT_EQ(body.at("current_version").to_number<std::uint64_t>(), 7u);
  EXPECT_EQ(body.at("detail").as_string(), "stale");
  EXPECT_FALSE(body.as_object().contains("field"));
}

TEST(ProblemTest, InternalErrorsDoNotLeak) {
  Response response = ProblemResponse(Problem::FromStatus(Status::Corruption("key 0x42 bad")));
  EXPECT_EQ(response.result(), HttpStatus::internal_server_error);
  EXPECT_EQ(response.body().find("0x42"), std::string::npos);
}

TEST(ProblemTest, ResponseIsProblemJsonWithAllMembers) {
  Response response = ProblemResponse(Problem::BadRequest("name is too long").WithField("name"));
  EXPECT_EQ(response.result(), HttpStatus::bad_request);
  EXPECT_EQ(response[field::content_type], "application/problem+json");
  auto body = BodyJson(response).as_object();
  EXPECT_EQ(body.at("type").as_string(), "urn:portico:problem:invalid-argument");
  EXPECT_FALSE(body.at("title").as_string().empty());
  EXPECT_EQ(body.at("status").as_int64(), 400);
  EXPECT_EQ(body.at("detail").as_string(), "name is too long");
  EXPECT_EQ(body.at("field").as_string(), "name");
}

TEST(ProblemTest, RetryAfterHeaders) {
  Response limited =
      ProblemResponse(Problem::TooManyRequests("slow down", std::chrono::seconds(7)));
  EXPECT_EQ(limited.result(), HttpStatus::too_many_requests);
  EXPECT_EQ(limited[field::retry_after], "7");

  Response unavailable = ProblemResponse(Problem::FromStatus(Status::Unavailable("catching up")));
  EXPECT_EQ(unavailable.result(), HttpStatus::service_unavailable);
  EXPECT_EQ(unavailable[field::retry_after], "1");

  Response unauthenticated = ProblemResponse(Problem::FromStatus(Status::Unauthenticated("no")));
  EXPECT_EQ(unauthenticated[field::www_authenticate], "Bearer");
}

TEST(ResponseTest, FinalizeAddsSecurityHeaders) {
  Response response = JsonResponse(HttpStatus::ok, {{"a", 1}});
  FinalizeResponse(response, 11, true);
  EXPECT_EQ(response[field::content_type], "application/json");
  EXPECT_EQ(response["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(response["X-Frame-Options"], "DENY");
  EXPECT_EQ(response["Referrer-Policy"], "no-referrer");
  EXPECT_EQ(response[field::cache_control], "no-store");
  EXPECT_EQ(response[field::content_length], std::to_string(response.body().size()));

  Response cached = TextResponse(HttpStatus::ok, "text/plain", "x");
  cached.set(field::cache_control, "max-age=60");
  FinalizeResponse(cached, 11, false);
  EXPECT_EQ(cached[field::cache_control], "max-age=60");
}

}  // namespace
}  // namespace portico::gateway
