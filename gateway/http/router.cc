#include "gateway/http/router.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <exception>
#include <stdexcept>

#include "common/log.h"
#include "gateway/http/response.h"
#include "gateway/http/utf8.h"

namespace portico::gateway {

// A pattern split into segments; a parameter segment holds its name and is_param.
struct CompiledPattern {
  struct Segment {
    std::string text;  // the literal, or the parameter's name
    bool is_param = false;
  };
  std::vector<Segment> segments;
};

namespace {

bool IsParamName(std::string_view name) {
  if (name.empty() || !(std::islower(static_cast<unsigned char>(name[0])) || name[0] == '_')) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
}

std::vector<CompiledPattern::Segment> CompilePattern(std::string_view pattern) {
  if (pattern.empty() || pattern[0] != '/') {
    throw std::invalid_argument("route pattern must start with '/': " + std::string(pattern));
  }
  std::vector<CompiledPattern::Segment> out;
  if (pattern == "/") return out;
  std::size_t start = 1;
  while (start <= pattern.size()) {
    std::size_t end = std::min(pattern.find('/', start), pattern.size());
    std::string_view seg = pattern.substr(start, end - start);
    if (seg.empty()) {
      throw std::invalid_argument("empty segment in route pattern " + std::string(pattern));
    }
    if (seg.front() == '{') {
      if (seg.back() != '}' || !IsParamName(seg.substr(1, seg.size() - 2))) {
        throw std::invalid_argument("bad parameter in route pattern " + std::string(pattern));
      }
      out.push_back({std::string(seg.substr(1, seg.size() - 2)), true});
    } else {
      if (seg.find_first_of("{}") != std::string_view::npos) {
        throw std::invalid_argument("bad segment in route pattern " + std::string(pattern));
      }
      out.push_back({std::string(seg), false});
    }
    start = end + 1;
  }
  return out;
}

bool SameShape(const CompiledPattern& a, const CompiledPattern& b) {
  return std::equal(a.segments.begin(), a.segments.end(), b.segments.begin(), b.segments.end(),
                    [](const auto& x, const auto& y) {
                      return x.is_param == y.is_param && (x.is_param || x.text == y.text);
                    });
}

// True when `a` is more specific than `b` (both matched the same path).
bool MoreSpecific(const CompiledPattern& a, const CompiledPattern& b) {
  for (std::size_t i = 0; i < a.segments.size(); ++i) {
    if (a.segments[i].is_param != b.segments[i].is_param) return !a.segments[i].is_param;
  }
  return false;
}

bool Matches(const CompiledPattern& c, const std::vector<std::string>& path, PathParams* params) {
  if (c.segments.size() != path.size()) return false;
  for (std::size_t i = 0; i < path.size(); ++i) {
    const auto& seg = c.segments[i];
    if (seg.is_param ? path[i].empty() : seg.text != path[i]) return false;
  }
  if (params != nullptr) {
    params->clear();
    for (std::size_t i = 0; i < path.size(); ++i) {
      if (c.segments[i].is_param) params->emplace_back(c.segments[i].text, path[i]);
    }
  }
  return true;
}

// A 400 for the first parameter that is not UTF-8 once percent-decoded: handlers echo
// parameters in problem details, and those must stay valid JSON.
std::optional<Problem> NonUtf8Param(const PathParams& params) {
  for (const auto& [name, value] : params) {
    if (!IsValidUtf8(value)) {
      return Problem::BadRequest("path parameter " + name + " is not valid UTF-8").WithField(name);
    }
  }
  return std::nullopt;
}

}  // namespace

std::string_view RouteContext::Param(std::string_view name) const {
  for (const auto& [key, value] : params) {
    if (key == name) return value;
  }
  return {};
}

Router::Router() = default;
Router::~Router() = default;

const Route& Router::Add(Verb method, std::string_view pattern, Handler handler,
                         RouteOptions options) {
  CompiledPattern compiled{CompilePattern(pattern)};
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    if (routes_[i]->method == method && SameShape(compiled_[i], compiled)) {
      throw std::invalid_argument("duplicate route " + std::string(pattern));
    }
  }
  auto route = std::make_unique<Route>();
  route->method = method;
  route->pattern = std::string(pattern);
  route->handler = std::move(handler);
  route->options = options;
  route->index = routes_.size();
  routes_.push_back(std::move(route));
  compiled_.push_back(std::move(compiled));
  return *routes_.back();
}

RouteMatch Router::Find(Verb method, std::string_view target) const {
  RouteMatch match;
  auto url = boost::urls::parse_origin_form(target);
  if (!url) {
    match.problem = Problem::BadRequest("the request target is not a valid path");
    return match;
  }
  std::vector<std::string> path;
  for (auto seg : url->encoded_segments()) path.push_back(seg.decode());

  const CompiledPattern* best = nullptr;
  std::vector<Verb> allowed;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    if (!Matches(compiled_[i], path, nullptr)) continue;
    if (routes_[i]->method != method) {
      allowed.push_back(routes_[i]->method);
      continue;
    }
    if (best == nullptr || MoreSpecific(compiled_[i], *best)) {
      best = &compiled_[i];
      match.route = routes_[i].get();
    }
  }
  if (match.route != nullptr) {
    Matches(*best, path, &match.params);
    if (auto problem = NonUtf8Param(match.params)) {
      match = RouteMatch{.problem = std::move(problem)};
    }
    return match;
  }
  if (allowed.empty()) {
    match.problem = Problem::NotFound("no such resource");
    return match;
  }
  std::sort(allowed.begin(), allowed.end());
  allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
  std::string allow;
  for (Verb v : allowed) {
    if (!allow.empty()) allow += ", ";
    allow += boost::beast::http::to_string(v);
  }
  match.problem = Problem::MethodNotAllowed(allow);
  return match;
}

boost::asio::awaitable<void> RefuseUpgrade(boost::beast::tcp_stream& stream,
                                           const Request& request, const Problem& problem,
                                           RouteContext& context) {
  context.upgrade_status = problem.status;
  Response response = ProblemResponse(problem);
  FinalizeResponse(response, request.version(), false);
  // A failed write needs no handling: the server closes the connection when this returns.
  co_await boost::beast::http::async_write(
      stream, response, boost::asio::as_tuple(boost::asio::use_awaitable));
}

boost::asio::awaitable<Response> Router::Dispatch(Request& request, RouteContext& context) const {
  co_return co_await Invoke(Find(request.method(), request.target()), request, context);
}

boost::asio::awaitable<Response> Router::Invoke(RouteMatch match, Request& request,
                                                RouteContext& context) const {
  if (match.route == nullptr) co_return ProblemResponse(*match.problem);
  context.route = match.route;
  context.params = std::move(match.params);
  try {
    co_return co_await match.route->handler(request, context);
  } catch (const std::exception& e) {
    static const auto log = NamedLogger("gateway");
    log->error("handler of {} {} threw: {}", boost::beast::http::to_string(match.route->method),
               match.route->pattern, e.what());
  }
  co_return ProblemResponse(Problem::Internal());
}

}  // namespace portico::gateway
