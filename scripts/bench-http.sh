#!/usr/bin/env bash
# Issue 5's HTTP benchmark: portico against nginx serving a static file, on loopback.
#
# Installs wrk, nginx-light, python3 and curl with apt-get when missing, builds portico,
# starts it on a temporary data directory (embedded Kafka), seeds a dataset over its HTTP API,
# starts nginx (its own temporary prefix and config, an unprivileged loopback port, in the
# foreground) serving a 200-byte JSON file, then measures with wrk (keep-alive, --latency):
#   check    GET /v1/check (staff key)              portico
#   portal   GET /v1/portal/resources (portal token) portico
#   nginx    GET /bench.json                         nginx
#   commands PUT /v1/resources/{unique id}           portico: durable commands
# and logins (argon2id) with a small Python client. Prints JSON lines: one per wrk run, one
# per round with the ratio of /v1/check to nginx, and the dataset and login lines. Everything
# it started is stopped and its temporary directory removed at the end.
#
# Environment (defaults in brackets): BENCH_DURATION seconds per wrk run [10],
# BENCH_CONNECTIONS [64], BENCH_WRK_THREADS [2], BENCH_ROUNDS of check/portal/nginx [3],
# BENCH_ORGS [200], BENCH_USERS [2000], BENCH_RESOURCES [20000], BUILD_DIR [./build],
# BENCH_SKIP_BUILD (set: use the portico binary already built).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$root/build}"
duration="${BENCH_DURATION:-10}"
connections="${BENCH_CONNECTIONS:-64}"
wrk_threads="${BENCH_WRK_THREADS:-2}"
rounds="${BENCH_ROUNDS:-3}"
orgs="${BENCH_ORGS:-200}"
users="${BENCH_USERS:-2000}"
resources="${BENCH_RESOURCES:-20000}"
login_users=8
logins_per_user=5  # 40 logins: within the login rate limits' bursts (10 per user, 50 per address)
password="bench-password-0123456789"
client="$root/tests/bench/http_bench_client.py"

log() { echo "bench-http: $*" >&2; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v python3 >/dev/null || missing+=(python3)
command -v curl >/dev/null || missing+=(curl)
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"

[ -n "${BENCH_SKIP_BUILD:-}" ] || bash "$root/scripts/build.sh" portico >&2

work="$(mktemp -d /tmp/portico-bench-http.XXXXXX)"
portico_pid=""
nginx_pid=""
cleanup() {
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  [ -n "$portico_pid" ] && kill "$portico_pid" 2>/dev/null && wait "$portico_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_for() {  # url: until it answers 200, at most 60 s
  for _ in $(seq 600); do
    curl -fs -o /dev/null "$1" && return 0
    sleep 0.1
  done
  log "$1 did not answer"; return 1
}

# portico
staff_key="bench-admin-key-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
portico_port="$(free_port)"
portico_url="http://127.0.0.1:$portico_port"
PORTICO_ADMIN_KEY="$staff_key" "$build_dir/gateway/portico" serve --data-dir "$work/data" \
  --http "127.0.0.1:$portico_port" >"$work/portico.log" 2>&1 &
portico_pid=$!
wait_for "$portico_url/readyz"
log "portico on $portico_url (log: $work/portico.log); seeding"
python3 "$client" seed "$portico_url" "$staff_key" "$orgs" "$users" "$resources" "$login_users" \
  "$password"
token="$(python3 "$client" token "$portico_url" bench-0 "$password")"

# nginx: its own prefix, config and port; `daemon off` keeps it in the foreground (our child)
nginx_port="$(free_port)"
mkdir -p "$work/nginx/www" "$work/nginx/logs"
# Started as root, nginx's workers run as nobody: let them reach the file (traverse only).
chmod 711 "$work"
chmod 755 "$work/nginx" "$work/nginx/www"
python3 -c 'import json; body = json.dumps({"allowed": True, "reason": "granted", "scope": "org", "detail": "x" * 120}); print(body + " " * (199 - len(body)))' \
  >"$work/nginx/www/bench.json"
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes 2;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  types { application/json json; }
  keepalive_requests 100000000;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/nginx/www;
  }
}
EOF
"$nginx_bin" -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/logs/error.log" \
  2>>"$work/nginx/logs/error.log" &
nginx_pid=$!
nginx_url="http://127.0.0.1:$nginx_port"
wait_for "$nginx_url/bench.json"

# One wrk run, printed as a JSON line; its requests/s is also left in $work/rps.
measure() {  # name url [wrk args...]
  local name="$1" url="$2"
  shift 2
  local out="$work/wrk-$name.txt"
  wrk -t "$wrk_threads" -c "$connections" -d "${duration}s" --latency "$@" "$url" >"$out"
  python3 - "$name" "$connections" "$out" "$work/rps" <<'PY'
import json, re, sys
name, connections, path, rps_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
text = open(path).read()
def ms(value):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
    return round(float(number) * {"us": 0.001, "ms": 1, "s": 1000}[unit], 3)
latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", text, re.M))
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
errors = re.search(r"Socket errors:.*", text)
line = {"bench": "http", "target": name, "connections": connections,
        "requests_per_s": round(rps), "p50_ms": ms(latency["50"]), "p99_ms": ms(latency["99"]),
        "non_2xx": int(bad.group(1)) if bad else 0}
if errors:
    line["socket_errors"] = errors.group(0)
print(json.dumps(line))
open(rps_path, "w").write(str(round(rps)))
PY
}

check_url="$portico_url/v1/check?user_id=u-bench-0&capability=tasks.view.current&resource_id=r-bench"
for round in $(seq "$rounds"); do
  measure check "$check_url" -H "Authorization: Bearer $staff_key"
  check_rps="$(cat "$work/rps")"
  measure portal "$portico_url/v1/portal/resources" -H "Authorization: Bearer $token"
  measure nginx "$nginx_url/bench.json"
  nginx_rps="$(cat "$work/rps")"
  python3 -c 'import json, sys; c, n = float(sys.argv[2]), float(sys.argv[3]); print(json.dumps({"bench": "http_ratio", "round": int(sys.argv[1]), "check_per_s": round(c), "nginx_per_s": round(n), "check_over_nginx": round(c / n, 3)}))' \
    "$round" "$check_rps" "$nginx_rps"
done
BENCH_STAFF_KEY="$staff_key" BENCH_ORGS="$orgs" BENCH_PREFIX="w" \
  measure commands "$portico_url" -s "$root/tests/bench/http_put_resources.lua"
python3 "$client" login "$portico_url" bench- "$login_users" "$logins_per_user" "$password" 8
