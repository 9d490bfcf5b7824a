#include "gateway/http/router.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "gateway/http/response.h"
#include "test_util.h"

namespace portico::gateway {
namespace {

using testing::BodyJson;
using testing::MakeRequest;
using testing::RunSync;

// A handler answering with its route pattern and parameters.
Handler Echo() {
  return [](Request&, RouteContext& context) -> boost::asio::awaitable<Response> {
    boost::json::object params;
    for (const auto& [name, value] : context.params) params[name] = value;
    co_return JsonResponse(HttpStatus::ok, {{"route", context.route->pattern}, {"params", params}});
  };
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    router_.Add(Verb::get, "/v1/orgs/{org_id}", Echo());
    router_.Add(Verb::post, "/v1/orgs", Echo());
    router_.Add(Verb::get, "/v1/orgs/{org_id}/users", Echo());
    router_.Add(Verb::post, "/v1/orgs/{org_id}/users", Echo());
    router_.Add(Verb::delete_, "/v1/users/{user_id}/grants/{capability}", Echo());
    router_.Add(Verb::get, "/v1/portal/resources/{id}", Echo());
    router_.Add(Verb::get, "/v1/portal/resources/mine", Echo());
    router_.Add(Verb::get, "/boom",
                [](Request&, RouteContext&) -> boost::asio::awaitable<Response> {
                  throw std::runtime_error("secret internals");
                  co_return Response{};
                });
  }

  Router router_;
};

TEST_F(RouterTest, MatchesLiteralsAndParameters) {
  auto match = router_.Find(Verb::get, "/v1/orgs/acme/users?limit=3");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->pattern, "/v1/orgs/{org_id}/users");
  EXPECT_EQ(match.route->method, Verb::get);
  ASSERT_EQ(match.params.size(), 1u);
  EXPECT_EQ(match.params[0], (std::pair<std::string, std::string>("org_id", "acme")));

  match = router_.Find(Verb::post, "/v1/orgs/acme/users");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->method, Verb::post);
}

TEST_F(RouterTest, DecodesParametersAndKeepsThemInOrder) {
  auto match = router_.Find(Verb::delete_, "/v1/users/u%201/grants/tasks.view.current");
  ASSERT_NE(match.route, nullptr);
  ASSERT_EQ(match.params.size(), 2u);
  EXPECT_EQ(match.params[0].second, "u 1");
  EXPECT_EQ(match.params[1].first, "capability");
  EXPECT_EQ(match.params[1].second, "tasks.view.current");
}

TEST_F(RouterTest, LiteralBeatsParameter) {
  auto match = router_.Find(Verb::get, "/v1/portal/resources/mine");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->pattern, "/v1/portal/resources/mine");
  match = router_.Find(Verb::get, "/v1/portal/resources/r1");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->pattern, "/v1/portal/resources/{id}");
}

TEST_F(RouterTest, UnknownPathIs404) {
  for (const char* target :
       {"/v1/nothing", "/v1/orgs/acme/users/extra", "/v1/orgs/", "/v1/orgs//users", "/"}) {
    auto match = router_.Find(Verb::get, target);
    EXPECT_EQ(match.route, nullptr) << target;
    ASSERT_TRUE(match.problem) << target;
    EXPECT_EQ(match.problem->status, 404u) << target;
  }
}

TEST_F(RouterTest, KnownPathWithOtherMethodIs405WithAllow) {
  auto match = router_.Find(Verb::put, "/v1/orgs/acme/users");
  ASSERT_TRUE(match.problem);
  EXPECT_EQ(match.problem->status, 405u);
  ASSERT_EQ(match.problem->headers.size(), 1u);
  EXPECT_EQ(match.problem->headers[0].first, "Allow");
  EXPECT_EQ(match.problem->headers[0].second, "GET, POST");
}

TEST_F(RouterTest, InvalidTargetIs400) {
  auto match = router_.Find(Verb::get, "not a path");
  ASSERT_TRUE(match.problem);
  EXPECT_EQ(match.problem->status, 400u);
}

TEST_F(RouterTest, RejectsBadAndDuplicatePatterns) {
  Router router;
  router.Add(Verb::get, "/a/{x}", Echo());
  EXPECT_THROW(router.Add(Verb::get, "/a/{y}", Echo()), std::invalid_argument);
  EXPECT_NO_THROW(router.Add(Verb::post, "/a/{y}", Echo()));
  EXPECT_THROW(router.Add(Verb::get, "a", Echo()), std::invalid_argument);
  EXPECT_THROW(router.Add(Verb::get, "/a//b", Echo()), std::invalid_argument);
  EXPECT_THROW(router.Add(Verb::get, "/a/{Bad}", Echo()), std::invalid_argument);
  EXPECT_THROW(router.Add(Verb::get, "/a/x{y}", Echo()), std::invalid_argument);
}

TEST_F(RouterTest, DispatchRunsTheHandlerWithoutSockets) {
  Request request = MakeRequest(Verb::get, "/v1/orgs/acme");
  RouteContext context;
  Response response = RunSync(router_.Dispatch(request, context));
  EXPECT_EQ(response.result(), HttpStatus::ok);
  auto body = BodyJson(response);
  EXPECT_EQ(body.at("route").as_string(), "/v1/orgs/{org_id}");
  EXPECT_EQ(body.at("params").at("org_id").as_string(), "acme");
  EXPECT_EQ(context.Param("org_id"), "acme");
  EXPECT_EQ(context.Param("missing"), "");
}

TEST_F(RouterTest, DispatchAnswersProblems) {
  Request request = MakeRequest(Verb::get, "/v1/unknown");
  RouteContext context;
  Response response = RunSync(router_.Dispatch(request, context));
  EXPECT_EQ(response.result(), HttpStatus::not_found);
  EXPECT_EQ(response[boost::beast::http::field::content_type], "application/problem+json");
  EXPECT_EQ(BodyJson(response).at("status").as_int64(), 404);

  request = MakeRequest(Verb::patch, "/v1/orgs/acme");
  response = RunSync(router_.Dispatch(request, context));
  EXPECT_EQ(response.result(), HttpStatus::method_not_allowed);
  EXPECT_EQ(response[boost::beast::http::field::allow], "GET");
}

TEST_F(RouterTest, PathParameterThatIsNotUtf8Is400NamingIt) {
  // Without the check the handler would echo the raw byte 0xFF into a body no strict JSON
  // parser accepts.
  Request request = MakeRequest(Verb::get, "/v1/orgs/ac%FFme/users");
  RouteContext context;
  Response response = RunSync(router_.Dispatch(request, context));
  EXPECT_EQ(response.result(), HttpStatus::bad_request);
  auto body = BodyJson(response);  // boost::json::parse rejects invalid UTF-8
  EXPECT_EQ(body.at("field").as_string(), "org_id");
  EXPECT_EQ(body.at("detail").as_string(), "path parameter org_id is not valid UTF-8");

  request = MakeRequest(Verb::get, "/v1/orgs/caf%C3%A9");
  response = RunSync(router_.Dispatch(request, context));
  EXPECT_EQ(response.result(), HttpStatus::ok);
  EXPECT_EQ(BodyJson(response).at("params").at("org_id").as_string(), "café");
}

TEST_F(RouterTest, HandlerExceptionIs500WithoutInternals) {
  Request request = MakeRequest(Verb::get, "/boom");
  RouteContext context;
  Response response = RunSync(router_.Dispatch(request, context));
  EXPECT_EQ(response.result(), HttpStatus::internal_server_error);
  EXPECT_EQ(response.body().find("secret"), std::string::npos);
}

}  // namespace
}  // namespace portico::gateway
