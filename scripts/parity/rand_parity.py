#!/usr/bin/env python3
"""Seeded rand/randn through two servers of the API (ours and the PyTorch reference), compared bit for bit.

    scripts/parity/rand_parity.py http://127.0.0.1:8080 http://127.0.0.1:8000 [--big]

Creates `init: rand|randn` tensors for many seeds (negative, past 2^53, int64/uint64 edges), shapes and both
float dtypes on each server and compares the values as float32/float64 bit patterns (JSON carries shortest
round-trip decimals, so equal text means equal bits). Also sends seeds each server must refuse and compares the
status codes. `--big` adds 1,000,000-element tensors. Exit status 1 on any difference.
"""
import json
import struct
import sys
import urllib.request

SEEDS = [0, 1, 7, 42, 2**31 - 1, 2**32 - 1, 2**32, 2**32 + 5, 2**40 + 3, 2**53 - 1, 2**53 + 1,
         2**63 - 1, 2**63, 2**64 - 1, -1, -5, -(2**31), -(2**53) - 7, -(2**63), 123456789012345678]
SHAPES = [[0], [], [1], [2], [3], [15], [16], [17], [31], [2, 8], [33], [4, 5, 6], [1000]]
REFUSED = ["7.0", "1e3", "true", "\"7\"", "[7]", str(2**64), str(-(2**63) - 1), str(10**30)]


def call(base, method, path, body=None):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def flat(v):
    if isinstance(v, list):
        for x in v:
            yield from flat(x)
    else:
        yield v


def bits(values, dtype):
    fmt = "<f" if dtype == "float32" else "<d"
    return [struct.pack(fmt, float(x)) for x in flat(values)]


def main():
    ours, ref = sys.argv[1].rstrip("/"), sys.argv[2].rstrip("/")
    shapes = SHAPES + ([[1000000]] if "--big" in sys.argv else [])
    sessions = {b: call(b, "POST", "/v1/sessions", {})[1]["id"] for b in (ours, ref)}
    failures = checked = 0
    for init in ("rand", "randn"):
        for dtype in ("float32", "float64"):
            for seed in SEEDS:
                for shape in shapes:
                    body = json.dumps({"shape": shape, "init": init, "seed": seed, "dtype": dtype}).encode()
                    got = {b: call(b, "POST", f"/v1/sessions/{sessions[b]}/tensors", body) for b in (ours, ref)}
                    checked += 1
                    (s1, t1), (s2, t2) = got[ours], got[ref]
                    if s1 != s2 or bits(t1.get("data"), dtype) != bits(t2.get("data"), dtype):
                        failures += 1
                        print(f"DIFF {init} {dtype} seed={seed} shape={shape}: {s1} vs {s2}")
                    for b, (_, t) in got.items():
                        call(b, "DELETE", f"/v1/sessions/{sessions[b]}/tensors/{t['name']}")
    for literal in REFUSED:
        body = ('{"shape": [2], "init": "randn", "seed": %s}' % literal).encode()
        statuses = [call(b, "POST", f"/v1/sessions/{sessions[b]}/tensors", body)[0] for b in (ours, ref)]
        checked += 1
        if statuses[0] != statuses[1]:
            failures += 1
            print(f"DIFF seed {literal}: status {statuses[0]} vs {statuses[1]}")
    print(f"{checked} cases, {failures} differences")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
