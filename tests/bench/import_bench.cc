// Import benchmark (issue 6): "importing 100,000 rows takes at most 10 s, plus argon2id time
// for rows that carry passwords". A plain program printing JSON lines; it asserts nothing.
//
// One System in a temporary data directory (synced RocksDB log, relay, embedded Kafka,
// projections, HTTP on loopback). For each run it builds a CSV file of --rows rows, POSTs it
// to /v1/imports and measures
//   seconds          request sent -> reply (parsed, hashed, decided, durable in the log)
//   visible_seconds  request sent -> GET /v1/imports/{id}?min_position=P answers (the read
//                    model, fed through Kafka, has every user)
// Runs: no passwords; then --password-share of the rows with a password (argon2id, on the
// worker pool's 4 threads), which also reports the hashes per second.
//
// Usage: import_bench [--rows N] [--password-share F]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <boost/json.hpp>

#include <spdlog/spdlog.h>

#include "app/http_client.h"
#include "gateway/app/system.h"

namespace {

using portico::app_testing::HttpClient;
using portico::app_testing::HttpReply;
using boost::beast::http::verb;
using Clock = std::chrono::steady_clock;

constexpr const char* kKey = "import-bench-admin-key-0123456789abcdef";

double Seconds(Clock::time_point from) { return std::chrono::duration<double>(Clock::now() - from).count(); }

std::string Csv(const std::string& prefix, int rows, double password_share) {
  std::string csv = "username,email,display_name,level,password\n";
  csv.reserve(static_cast<std::size_t>(rows) * 90);
  const int every = password_share > 0 ? static_cast<int>(1.0 / password_share) : 0;
  for (int i = 1; i <= rows; ++i) {
    const std::string name = prefix + std::to_string(i) + "@example.com";
    csv += name + "," + name + ",Person " + std::to_string(i) + ",client-base,";
    if (every > 0 && i % every == 0) csv += "bench password " + std::to_string(i);
    csv += "\n";
  }
  return csv;
}

void Run(const HttpClient& client, const std::string& org, int rows, double password_share) {
  const std::string csv = Csv(org + "-", rows, password_share);
  const auto start = Clock::now();
  const HttpReply reply = client.Send(verb::post, "/v1/imports?org_id=" + org, kKey, csv, "text/csv");
  const double seconds = Seconds(start);
  if (reply.status != 200) {
    std::printf("{\"bench\":\"import\",\"error\":%u,\"body\":%s}\n", reply.status,
                boost::json::serialize(boost::json::value(reply.body.substr(0, 300))).c_str());
    return;
  }
  const auto body = reply.json().as_object();
  const std::string id(body.at("import_id").as_string());
  const auto position = body.at("position").to_number<std::uint64_t>();
  double visible = -1;
  for (int attempt = 0; attempt < 120; ++attempt) {  // each GET waits up to 2 s
    const auto got = client.Send(verb::get, "/v1/imports/" + id + "?min_position=" + std::to_string(position), kKey);
    if (got.status == 200) {
      visible = Seconds(start);
      break;
    }
  }
  const int passwords = password_share > 0 ? rows / static_cast<int>(1.0 / password_share) : 0;
  std::printf(
      "{\"bench\":\"import\",\"rows\":%d,\"with_password\":%d,\"created\":%d,\"rejected\":%d,"
      "\"seconds\":%.3f,\"rows_per_s\":%.0f,\"visible_seconds\":%.3f,\"csv_bytes\":%zu}\n",
      rows, passwords, body.at("created").to_number<int>(), body.at("rejected").to_number<int>(), seconds,
      rows / seconds, visible, csv.size());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  int rows = 100'000;
  double password_share = 0.01;
  bool usable = argc % 2 == 1;  // flags come in pairs
  for (int i = 1; usable && i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--rows") {
      rows = std::atoi(argv[i + 1]);
      usable = rows > 0;
    } else if (flag == "--password-share") {
      password_share = std::atof(argv[i + 1]);
      usable = password_share >= 0 && password_share <= 1;
    } else {
      usable = false;
    }
  }
  if (!usable) {
    std::fprintf(stderr,
                 "usage: import_bench [--rows N (at least 1)] [--password-share F (0 to 1)]\n");
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);
  const auto dir = std::filesystem::temp_directory_path() / ("portico-import-bench-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  ::setenv("PORTICO_ADMIN_KEY", kKey, 1);
  portico::gateway::ServeOptions options;
  options.data_dir = dir.string();
  options.http = "127.0.0.1:0";
  auto system = portico::gateway::System::Start(options);
  if (!system.ok()) {
    std::printf("{\"bench\":\"import\",\"error\":\"%s\"}\n", system.status().ToString().c_str());
    return 1;
  }
  const HttpClient client((*system)->http_url());
  for (const std::string org : {"bench-a", "bench-b"}) {
    client.Send(verb::post, "/v1/orgs", kKey, boost::json::serialize(boost::json::object{
                                                  {"org_id", org}, {"name", org}, {"kind", "client"}}));
    client.Send(verb::post, "/v1/orgs/" + org + "/access", kKey,
                boost::json::serialize(boost::json::object{{"mode", "enabled"}}));
  }
  Run(client, "bench-a", rows, 0);
  Run(client, "bench-b", rows, password_share);
  (*system)->Stop();
  std::filesystem::remove_all(dir);
  return 0;
}
