#!/usr/bin/env python3
"""Tensor-heavy workflow: one MLP layer's forward and backward with 1,000,000-element float32 tensors sent as JSON.

Each workflow, on one keep-alive connection per client (bench_workload.Conn):

    POST   /v1/sessions
    POST   /v1/sessions/{sid}/tensors?data=false   W [1000, 1000] float32, requires_grad (nested JSON, ~12 MB)
    POST   /v1/sessions/{sid}/tensors?data=false   b [1000], requires_grad
    POST   /v1/sessions/{sid}/tensors?data=false   x [16, 1000]
    POST   /v1/sessions/{sid}/ops?data=false       [Wt = t(W), h = matmul(x, Wt), a = add(h, b), y = relu(a),
                                                    loss = mean(y)]
    POST   /v1/sessions/{sid}/tensors/loss/backward {}  -> {"grads": {"W": [[...1,000,000...]], "b": [...]}}
    DELETE /v1/sessions/{sid}

The backward answer carries W's gradient (API.md: the .grad of every named leaf reached), so reading it is part of
every workflow. One untimed workflow first checks both gradients against NumPy (float64 from the same float32
inputs); the timed ones check status codes and the size of the answer. The server's CPU time (/proc/PID/stat) is
sampled around the timed part only, and so is this client's own CPU time (a client using
as much CPU per workflow as the time a workflow takes is the limit). Prints one line `JSON {...}`.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import sys
import time

import numpy as np
import orjson

TICK = os.sysconf("SC_CLK_TCK")
BATCH, IN, OUT = 16, 1000, 1000


def load_workload(path):
    spec = importlib.util.spec_from_file_location("bench_workload", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def problem():
    """Inputs whose pre-activations all keep a clear distance from 0, so float32 and float64 agree on relu's mask."""
    for seed in range(100):
        rng = np.random.default_rng(seed)
        W = (rng.standard_normal((OUT, IN)) / np.sqrt(IN)).astype(np.float32)
        b = (rng.standard_normal(OUT) * 0.1).astype(np.float32)
        x = rng.standard_normal((BATCH, IN)).astype(np.float32)
        pre = x.astype(np.float64) @ W.astype(np.float64).T + b
        if np.abs(pre).min() > 1e-4:
            dpre = (pre > 0) / pre.size
            return W, b, x, dpre.T @ x.astype(np.float64), dpre.sum(0)
    sys.exit("no well-conditioned seed found")


def body(name, arr, requires_grad):
    return orjson.dumps({"name": name, "data": arr, "requires_grad": requires_grad},
                        option=orjson.OPT_SERIALIZE_NUMPY)


OPS = orjson.dumps([
    {"op": "t", "args": ["W"], "name": "Wt"},
    {"op": "matmul", "args": ["x", "Wt"], "name": "h"},
    {"op": "add", "args": ["h", "b"], "name": "a"},
    {"op": "relu", "args": ["a"], "name": "y"},
    {"op": "mean", "args": ["y"], "name": "loss"},
])


class Failure(Exception):
    pass


async def call(conn, method, path, payload, expect):
    status, answer = await conn.request(method, path, payload)
    if status != expect:
        raise Failure(f"{method} {path}: expected {expect}, got {status}: {answer[:300]!r}")
    return answer


async def workflow(conn, bodies, check=None):
    sid = json.loads(await call(conn, "POST", "/v1/sessions", None, 201))["id"]
    base = f"/v1/sessions/{sid}"
    try:
        for b in bodies:
            await call(conn, "POST", base + "/tensors?data=false", b, 201)
        await call(conn, "POST", base + "/ops?data=false", OPS, 201)
        grads = await call(conn, "POST", base + "/tensors/loss/backward", b"{}", 200)
        if len(grads) < OUT * IN * 2:
            raise Failure(f"backward answer too short for W's gradient: {len(grads)} bytes")
        if check is not None:
            g = orjson.loads(grads)["grads"]
            gw, gb = np.array(g["W"], dtype=np.float64), np.array(g["b"], dtype=np.float64)
            rw, rb = check
            if gw.shape != rw.shape or gb.shape != rb.shape:
                raise Failure(f"gradient shapes {gw.shape} {gb.shape}")
            err = max(np.abs(gw - rw).max() / np.abs(rw).max(), np.abs(gb - rb).max() / np.abs(rb).max())
            if err > 1e-4:
                raise Failure(f"gradient off by {err:.2e} (relative to its largest element)")
            return err
    finally:
        await call(conn, "DELETE", base, None, 204)
    return None


async def client(wl, conn_args, bodies, deadline, lat, errors):
    conn = wl.Conn(*conn_args)
    try:
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            try:
                await workflow(conn, bodies)
                lat.append(time.perf_counter() - t0)
            except (Failure, ValueError, KeyError, ConnectionError, asyncio.IncompleteReadError, OSError) as e:
                errors.append(str(e))
                conn.close()
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workload", required=True)
    ap.add_argument("--base", required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--clients", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=12.0)
    ap.add_argument("--min-workflows", type=int, default=2, help="run past --seconds until this many completed")
    a = ap.parse_args()
    wl = load_workload(a.workload)
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    conn_args = (*wl.parse_base(a.base, False), {})
    W, b, x, rw, rb = problem()
    bodies = [body("W", W, True), body("b", b, True), body("x", x, False)]

    async def go():
        conn = wl.Conn(*conn_args)
        try:
            err = await workflow(conn, bodies, check=(rw, rb))
        finally:
            conn.close()
        lat: list[float] = []
        errors: list[str] = []
        c0 = cpu_seconds(a.pid)
        own0 = time.process_time()
        t0 = time.perf_counter()
        await asyncio.gather(*(client(wl, conn_args, bodies, t0 + a.seconds, lat, errors)
                               for _ in range(a.clients)))
        # a slow server may finish fewer than --min-workflows in time: a bounded extra round
        extra = 0
        while len(lat) < a.min_workflows and extra < a.min_workflows and not errors:
            conn2 = wl.Conn(*conn_args)
            try:
                t1 = time.perf_counter()
                await workflow(conn2, bodies)
                lat.append(time.perf_counter() - t1)
            finally:
                conn2.close()
            extra += 1
        elapsed = time.perf_counter() - t0
        return err, lat, errors, elapsed, cpu_seconds(a.pid) - c0, time.process_time() - own0

    err, lat, errors, elapsed, cpu, own = asyncio.run(go())
    lat.sort()
    print("JSON " + json.dumps({
        "clients": a.clients, "mode": "mlp", "seconds": round(elapsed, 3), "workflows": len(lat),
        "errors": len(errors), "first_error": errors[0] if errors else None,
        "workflows_per_s": round(len(lat) / elapsed, 3), "server_cpu_s": round(cpu, 3),
        "client_cpu_s": round(own, 3),
        "wf_p50_ms": round(wl.pct(lat, 0.5) * 1000, 1), "wf_p99_ms": round(wl.pct(lat, 0.99) * 1000, 1),
        "request_bytes": sum(len(x) for x in bodies), "grad_relative_error": err,
    }))


if __name__ == "__main__":
    main()
