"""Soak load for autograd-server: N keep-alive connections doing the tutorial's graph over and over.

Each worker loops: create a session (a quarter with a 1 s TTL that it then abandons, so expiry frees them), create
a leaf, apply a batch of ops, backward, read .grad, and delete the session (unless abandoned). A sampler reads the
server's VmRSS and open descriptors each second. After the load it waits for the TTL, creates and deletes one
session (creation drops expired sessions), lets the server settle, and compares with the baseline.

usage: soak.py PORT PID SECONDS [CONNECTIONS]
"""

import http.client
import json
import os
import sys
import threading
import time

PORT, PID, DURATION = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
CONNECTIONS = int(sys.argv[4]) if len(sys.argv) > 4 else 64
# Idle lifetime of abandoned sessions: long enough that a round under heavy CPU contention (seconds between two
# requests of one session were seen on 2 shared cores) never outlives it, short enough to expire within the run.
ABANDONED_TTL = 5.0
# glibc keeps freed memory in per-thread arenas and returns it lazily, so RSS after a load settles above the idle
# figure even with no leak. The baseline is therefore taken after a warm-up round at full concurrency (arenas and
# thread pools exist by then), and the end figure may exceed it by the larger of 32 MiB or 25 %. A leak of even 1 KiB
# per session over the thousands of sessions a run creates would show well beyond that; the sessions-per-MiB figure
# printed below makes the bound concrete for each run.
RSS_TOLERANCE_BYTES = 32 << 20
RSS_TOLERANCE_RATIO = 0.25


def rss_bytes():
    with open(f"/proc/{PID}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def open_fds():
    return len(os.listdir(f"/proc/{PID}/fd"))


class Client:
    def __init__(self):
        self.conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)

    def call(self, method, path, body=None, expect=(200, 201, 204)):
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data is not None else {}
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        payload = response.read()
        if response.status not in expect:
            raise RuntimeError(f"{method} {path} -> {response.status}: {payload[:300]!r}")
        return json.loads(payload) if payload else None

    def close(self):
        self.conn.close()


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.sessions = 0
        self.abandoned = 0
        self.errors = []

    def add(self, requests, abandoned):
        with self.lock:
            self.requests += requests
            self.sessions += 1
            self.abandoned += abandoned


def one_round(client, abandon):
    created = client.call("POST", "/v1/sessions", {"ttl_seconds": ABANDONED_TTL} if abandon else {})
    base = f"/v1/sessions/{created['id']}"
    client.call("POST", f"{base}/tensors", {"name": "x", "shape": [2, 2], "init": "ones", "requires_grad": True})
    client.call("POST", f"{base}/ops", [
        {"op": "add", "args": ["x", 2], "name": "y"},
        {"op": "mul", "args": ["y", "y"], "name": "t"},
        {"op": "mul", "args": ["t", 3], "name": "z"},
        {"op": "mean", "args": ["z"], "name": "out"},
    ])
    client.call("POST", f"{base}/tensors/out/backward", {})
    grad = client.call("GET", f"{base}/tensors/x/grad")
    if grad["grad"] != [[4.5, 4.5], [4.5, 4.5]]:
        raise RuntimeError(f"wrong gradient {grad}")
    if abandon:
        return 5
    client.call("DELETE", base)
    return 6


def worker(index, deadline, stats):
    client = Client()
    round_number = 0
    try:
        while time.monotonic() < deadline:
            abandon = (round_number + index) % 4 == 0
            requests = one_round(client, abandon)
            stats.add(requests, 1 if abandon else 0)
            round_number += 1
    except Exception as error:  # any failure is a soak failure; keep the first few
        with stats.lock:
            stats.errors.append(f"worker {index}: {error!r}")
    finally:
        client.close()


def sample_until(stop, samples):
    while not stop.is_set():
        samples.append((time.monotonic(), rss_bytes(), open_fds()))
        stop.wait(1.0)


def settle():
    """Waits out the abandoned sessions' TTL, then makes the server drop them (creation sweeps expired sessions)."""
    time.sleep(ABANDONED_TTL + 1.0)
    client = Client()
    created = client.call("POST", "/v1/sessions", {})
    client.call("DELETE", f"/v1/sessions/{created['id']}")
    listing = client.call("GET", "/v1/sessions")
    client.close()
    time.sleep(2.0)  # closed connections' descriptors are released by the server's own loop
    return len(listing["sessions"])


def main():
    mib = 1 << 20
    idle_rss, idle_fds = rss_bytes(), open_fds()
    # Warm-up at full concurrency so the baseline includes the allocator's arenas and the server's threads.
    stats = Stats()
    warm = [threading.Thread(target=worker, args=(i, time.monotonic() + 3, stats)) for i in range(CONNECTIONS)]
    for thread in warm:
        thread.start()
    for thread in warm:
        thread.join()
    settle()
    base_rss, base_fds = rss_bytes(), open_fds()

    stats = Stats()
    samples = []
    stop = threading.Event()
    sampler = threading.Thread(target=sample_until, args=(stop, samples))
    sampler.start()
    started = time.monotonic()
    deadline = started + DURATION
    threads = [threading.Thread(target=worker, args=(i, deadline, stats)) for i in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    stop.set()
    sampler.join()
    left = settle()
    end_rss, end_fds = rss_bytes(), open_fds()

    peak_rss = max(s[1] for s in samples)
    peak_fds = max(s[2] for s in samples)
    allowed_rss = base_rss + max(RSS_TOLERANCE_BYTES, int(base_rss * RSS_TOLERANCE_RATIO))
    print(f"connections {CONNECTIONS}, {elapsed:.0f} s: {stats.sessions} sessions "
          f"({stats.abandoned} left to expire), {stats.requests} requests, {stats.requests / elapsed:.0f} req/s")
    print(f"RSS MiB: idle {idle_rss / mib:.1f}, baseline after warm-up {base_rss / mib:.1f}, "
          f"peak {peak_rss / mib:.1f}, end {end_rss / mib:.1f} (allowed {allowed_rss / mib:.1f})")
    # A leak grows with the work done; allocator retention plateaus. The RSS at each quarter of the run tells which.
    quarters = [samples[min(len(samples) - 1, len(samples) * q // 4)][1] / mib for q in (1, 2, 3, 4)]
    print("RSS MiB at each quarter of the load: " + ", ".join(f"{q:.1f}" for q in quarters))
    print(f"open fds: idle {idle_fds}, baseline {base_fds}, peak {peak_fds}, end {end_fds}")
    print(f"sessions still listed after settling: {left}; errors: {len(stats.errors)}")
    for error in stats.errors[:10]:
        print("  " + error)
    failures = []
    if stats.errors:
        failures.append(f"{len(stats.errors)} errors")
    if stats.sessions == 0:
        failures.append("no session completed")
    if left != 0:
        failures.append(f"{left} sessions survived their TTL or deletion")
    if end_fds > base_fds:
        failures.append(f"descriptors {end_fds} above baseline {base_fds}")
    if end_rss > allowed_rss:
        failures.append(f"RSS {end_rss / mib:.1f} MiB above allowed {allowed_rss / mib:.1f} MiB")
    if failures:
        print("SOAK FAILED: " + "; ".join(failures))
        sys.exit(1)
    print("SOAK PASSED")


main()
