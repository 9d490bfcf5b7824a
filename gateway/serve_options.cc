#include "gateway/serve_options.h"

#include <chrono>
#include <cstdint>
#include <sstream>

#include <boost/program_options.hpp>

namespace portico::gateway {
namespace po = boost::program_options;

namespace {

po::options_description Describe(ServeOptions& out, std::int64_t& sweep_seconds) {
  po::options_description desc("portico serve options");
  desc.add_options()
      ("data-dir", po::value(&out.data_dir)->default_value(out.data_dir),
       "directory holding the event log and the read models' checkpoints")
      ("http", po::value(&out.http)->default_value(out.http), "HOST:PORT to serve HTTP on")
      ("kafka", po::value(&out.kafka)->default_value(out.kafka),
       "'embedded' (an in-process Kafka broker on loopback) or HOST:PORT,... of a cluster")
      ("admin-key-file", po::value(&out.admin_key_file),
       "file holding the first staff key (else PORTICO_ADMIN_KEY, else one is generated)")
      ("demo", po::bool_switch(&out.demo),
       "seed a small demo dataset (organisations, users on each preset, resources, notes) "
       "when the event log is empty")
      ("session-sweep-seconds", po::value(&sweep_seconds)->default_value(sweep_seconds),
       "how often sessions past their idle or absolute expiry are ended in the log (0: never)");
  return desc;
}

}  // namespace

Result<ServeOptions> ParseServeOptions(const std::vector<std::string>& args) {
  ServeOptions out;
  std::int64_t sweep_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(out.session_sweep_interval).count();
  auto desc = Describe(out, sweep_seconds);
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return Status::InvalidArgument(e.what());
  }
  if (out.data_dir.empty()) return Status::InvalidArgument("--data-dir must not be empty");
  if (out.http.rfind(':') == std::string::npos) {
    return Status::InvalidArgument("--http must be HOST:PORT, got '" + out.http + "'");
  }
  if (out.kafka.empty()) return Status::InvalidArgument("--kafka must not be empty");
  if (sweep_seconds < 0 || sweep_seconds > 86'400) {
    return Status::InvalidArgument("--session-sweep-seconds must be 0 to 86400");
  }
  out.session_sweep_interval = std::chrono::seconds(sweep_seconds);
  return out;
}

std::string ServeUsage() {
  ServeOptions defaults;
  std::int64_t sweep_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(defaults.session_sweep_interval).count();
  std::ostringstream out;
  out << "usage: portico serve [options]\n\n" << Describe(defaults, sweep_seconds);
  return out.str();
}

}  // namespace portico::gateway
