#!/usr/bin/env python3
"""A/B of server builds at 16 clients, for changes smaller than the machine's run-to-run noise.

  scripts/bench/ab.py base=/tmp/main-server new=.build-perf-release/release/autograd-server [--rounds 5] [--seconds 3]

Each NAME=BINARY[:VAR=VALUE,--flag=value,...] is started on a free loopback port; the runs (bench_workload and wrk
with workflow.lua, single and batch) alternate between the servers, in reversed order every other round. Prints
each run and then medians: the server's CPU ms per workflow (utime + stime from /proc/PID/stat), request p50/p99,
workflows/s, the server threads' mean run-queue wait per time slice and switches per request (/proc/PID/task/*/
schedstat). Logs of the servers go to $TMPDIR/ab-NAME.log.
"""
import argparse, json, os, socket, statistics, subprocess, sys, tempfile, time
ap = argparse.ArgumentParser()
ap.add_argument("servers", nargs="+")
ap.add_argument("--rounds", type=int, default=4)
ap.add_argument("--seconds", type=float, default=3)
ap.add_argument("--kinds", default="wl-single,wl-batch,wrk-single,wrk-batch")
ap.add_argument("--extra", default="")
ap.add_argument("--taskset-client", default="")
ap.add_argument("--taskset-server", default="")
a = ap.parse_args()
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
WL = os.path.join(os.path.dirname(ROOT), "shared", "bench", "bench_workload.py")
if not os.path.exists(WL):
    WL = "/work/shared/bench/bench_workload.py"
LUA = os.path.join(HERE, "workflow.lua")
TMP = tempfile.gettempdir()
def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p
def cpu(pid):
    with open(f"/proc/{pid}/stat") as f: st = f.read().rsplit(")", 1)[1].split()
    return (int(st[11]) + int(st[12])) / os.sysconf("SC_CLK_TCK")
procs = []
servers = []
for spec in a.servers:
    name, rest = spec.split("=", 1)
    parts = rest.split(":", 1)
    binary = parts[0]; env = dict(os.environ); env["AUTOGRAD_MAX_SESSIONS"] = "20000"
    args = []
    if len(parts) > 1:
        for kv in parts[1].split(","):
            if kv.startswith("--"): args += kv.split("=", 1)
            else:
                k, v = kv.split("=", 1); env[k] = v
    port = free_port()
    p = subprocess.Popen(a.taskset_server.split() + [binary, "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"] + args,
                         env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(TMP, f"ab-{name}.log"), "w"))
    procs.append(p); servers.append((name, f"http://127.0.0.1:{port}", p.pid))
time.sleep(1.5)
pre = a.taskset_client.split() if a.taskset_client else []
def sstat(pid):
    w = n = 0
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            f = open(f"/proc/{pid}/task/{t}/schedstat").read().split()
        except OSError:
            continue
        w += int(f[1]); n += int(f[2])
    return w, n
def run(kind, base, pid):
    tool, mode = kind.split("-")
    global S0
    S0 = sstat(pid)
    c0 = cpu(pid)
    if tool == "wl":
        out = os.path.join(TMP, f"ab-wl-{time.time_ns()}.json")
        subprocess.run(pre + [sys.executable, WL, "--base", base, "--clients", "16", "--seconds", str(a.seconds), "--mode", mode, "--json", out], capture_output=True)
        c = cpu(pid) - c0
        r = json.loads(open(out).readline()); os.unlink(out)
        wf = r.get("workflows"); p99 = r.get("req_p99_ms", r.get("p99_ms"))
        if p99 is None:
            p99 = next((v for k, v in r.items() if "p99" in k), None)
        return c, wf, p99, r
    else:
        pr = subprocess.run(pre + ["wrk", "-t16", "-c16", f"-d{int(a.seconds)}s", "--timeout", "10s", "-s", LUA, base, "--", mode], capture_output=True, text=True)
        c = cpu(pid) - c0
        line = [l for l in pr.stdout.splitlines() if l.startswith("WRKJSON ")][-1]
        r = json.loads(line[8:])
        p99 = next((v for k, v in r.items() if "p99" in k), None)
        return c, r["workflows"], p99, r
res = {}
try:
    for rd in range(a.rounds):
        for kind in a.kinds.split(","):
            order = servers if rd % 2 == 0 else servers[::-1]
            for name, base, pid in order:
                c, wf, p99, r = run(kind, base, pid)
                w1, n1 = sstat(pid); wait = (w1 - S0[0]) / max(n1 - S0[1], 1) / 1000; sw = (n1 - S0[1]) / max(r.get("requests", 1), 1)
                res.setdefault((kind, name), []).append((c * 1000 / max(wf, 1), p99, wf / a.seconds, wait, r.get("req_p50_ms", 0), sw))
                print(f"r{rd} {kind:10} {name:8} cpu/wf {c*1000/max(wf,1):.3f} ms  p50 {r.get('req_p50_ms')} p99 {p99}  wf/s {wf/a.seconds:.0f}  rq-wait/switch {wait:.1f} us sw/req {sw:.3f}  load {open('/proc/loadavg').read().split()[0]}", flush=True)
finally:
    for p in procs: p.terminate()
print("medians:")
for kind in a.kinds.split(","):
    for name, _, _ in servers:
        v = res.get((kind, name), [])
        if v:
            print(f"{kind:10} {name:8} cpu/wf {statistics.median(x[0] for x in v):.3f} ms  p99 {statistics.median(x[1] for x in v):.3f} ms  wf/s {statistics.median(x[2] for x in v):.0f}  p50 {statistics.median(x[4] for x in v):.3f}  rq-wait {statistics.median(x[3] for x in v):.1f} us  sw/req {statistics.median(x[5] for x in v):.3f}  n={len(v)}")
