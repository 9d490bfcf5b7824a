#!/usr/bin/env python3
"""HTTP client side of scripts/bench-http.sh (standard library only).

  http_bench_client.py seed URL STAFF_KEY ORGS USERS RESOURCES LOGIN_USERS PASSWORD
      Seeds a dataset over the HTTP API with keep-alive connections: ORGS client
      organisations org-0.. (access enabled), USERS users without passwords (no argon2id) spread over them,
      LOGIN_USERS users bench-0.. with PASSWORD in org-0 (client-manager), RESOURCES tasks
      spread over the organisations, and r-bench (org-0, contact u-bench-0). Waits until the
      read models have applied the whole log. Prints one JSON line.
  http_bench_client.py login URL USERNAME_PREFIX LOGIN_USERS PER_USER PASSWORD CONCURRENCY
      Logs in LOGIN_USERS * PER_USER times (argon2id verify plus a durable SessionStarted
      each) from CONCURRENCY threads and prints one JSON line with logins/s and latencies.
      The login rate limits (10 per user, 50 per address as a burst) bound PER_USER and the
      total.
  http_bench_client.py token URL USERNAME PASSWORD
      Prints a portal session token.
"""
import concurrent.futures
import http.client
import json
import sys
import threading
import time
import urllib.parse


class Client:
    """One keep-alive connection."""

    def __init__(self, url, key=None):
        parsed = urllib.parse.urlparse(url)
        self.conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
        self.key = key

    def send(self, method, path, body=None, key=None):
        headers = {"Content-Type": "application/json"}
        auth = key or self.key
        if auth:
            headers["Authorization"] = "Bearer " + auth
        data = None if body is None else json.dumps(body)
        self.conn.request(method, path, body=data, headers=headers)
        reply = self.conn.getresponse()
        payload = reply.read()
        return reply.status, (json.loads(payload) if payload else None)


def must(status_body, what):
    status, body = status_body
    if status >= 300:
        sys.exit(f"bench seed: {what}: HTTP {status}: {body}")
    return body


def parallel(url, key, requests, workers=8):
    """Runs (method, path, body, what) requests over `workers` keep-alive connections."""
    local = threading.local()

    def run(request):
        if not hasattr(local, "client"):
            local.client = Client(url, key)
        method, path, body, what = request
        return must(local.client.send(method, path, body), what)

    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return list(pool.map(run, requests))


def seed(url, key, orgs, users, resources, login_users, password):
    started = time.monotonic()
    parallel(url, key, [("POST", "/v1/orgs", {"org_id": f"org-{i}", "name": f"Client {i}",
                                              "kind": "client"}, f"org {i}")
                        for i in range(orgs)])
    parallel(url, key, [("POST", f"/v1/orgs/org-{i}/access", {"mode": "enabled"},
                         f"access of org {i}") for i in range(orgs)])
    parallel(url, key, [("POST", f"/v1/orgs/org-{i % orgs}/users",
                         {"user_id": f"u-seed-{i}", "username": f"seed{i}",
                          "display_name": f"Seed {i}", "email": f"seed{i}@example.com",
                          "user_type": "active", "level": "client-base"}, f"user {i}")
                        for i in range(users)])
    # With passwords: one argon2id hash each, so only the few that log in.
    parallel(url, key, [("POST", "/v1/orgs/org-0/users",
                         {"user_id": f"u-bench-{i}", "username": f"bench-{i}",
                          "display_name": f"Bench {i}", "email": f"bench{i}@example.com",
                          "user_type": "active", "level": "client-manager",
                          "password": password}, f"login user {i}")
                        for i in range(login_users)], workers=2)
    parallel(url, key, [("PUT", f"/v1/resources/r-seed-{i}",
                         {"type": "task", "org_id": f"org-{i % orgs}", "title": f"Seeded task {i}"},
                         f"resource {i}")
                        for i in range(resources)])
    last = must(Client(url, key).send("PUT", "/v1/resources/r-bench",
                                      {"type": "task", "org_id": "org-0", "title": "The bench task",
                                       "contact_user_id": "u-bench-0"}), "r-bench")
    position = last["position"]
    client = Client(url, key)
    deadline = time.monotonic() + 120
    while True:
        status = must(client.send("GET", "/v1/status"), "status")
        applied = min(status["projections"].values()) if status["projections"] else 0
        if applied >= position:
            break
        if time.monotonic() > deadline:
            sys.exit(f"bench seed: the read models reached {applied}, not {position}")
        time.sleep(0.2)
    print(json.dumps({"bench": "http_seed", "orgs": orgs, "users": users + login_users,
                      "resources": resources + 1, "log_events": position,
                      "seconds": round(time.monotonic() - started, 1)}))


def login_once(url, username, password):
    client = Client(url)
    began = time.monotonic()
    status, body = client.send("POST", "/v1/portal/login",
                               {"username": username, "password": password})
    took = time.monotonic() - began
    if status != 200:
        sys.exit(f"bench login: {username}: HTTP {status}: {body}")
    return took, body["token"]


def login(url, prefix, login_users, per_user, password, concurrency):
    names = [f"{prefix}{i % login_users}" for i in range(login_users * per_user)]
    began = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(lambda name: login_once(url, name, password), names))
    seconds = time.monotonic() - began
    latencies = sorted(took for took, _ in results)
    print(json.dumps({
        "bench": "http_login", "logins": len(names), "concurrency": concurrency,
        "logins_per_s": round(len(names) / seconds, 1),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 1),
        "argon2id": "crypto_pwhash_str OPSLIMIT_INTERACTIVE (2) MEMLIMIT_INTERACTIVE (64 MiB)"}))


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    command, args = argv[1], argv[2:]
    if command == "seed" and len(args) == 7:
        url, key, orgs, users, resources, login_users, password = args
        seed(url, key, int(orgs), int(users), int(resources), int(login_users), password)
    elif command == "login" and len(args) == 6:
        url, prefix, login_users, per_user, password, concurrency = args
        login(url, prefix, int(login_users), int(per_user), password, int(concurrency))
    elif command == "token" and len(args) == 3:
        print(login_once(*args)[1])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
