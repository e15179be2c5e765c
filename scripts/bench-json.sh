#!/usr/bin/env bash
# Tensor JSON throughput, ours vs orjson, on the same bytes in the same run: a 1,000,000-element float32 tensor of
# shape [1000, 1000] (numpy randn, seed 0) as nested JSON, as orjson writes it. Decode = bytes -> nested values
# (ours: JSONValue.parse + tensorLiteral; orjson: orjson.loads). Encode = float32 tensor -> bytes (ours:
# JSONWriter.writeTensor; orjson: orjson.dumps(ndarray, OPT_SERIALIZE_NUMPY), the competitor's path). MB/s are
# JSON bytes per second, best of N runs. Appends the result to BENCHMARKS.md under "## Tensor JSON".
# Usage: scripts/bench-json.sh [repetitions]   (SCRATCH=.build-NAME to choose the build folder)
set -euo pipefail
cd "$(dirname "$0")/.."
REPS="${1:-10}"
SCRATCH="${SCRATCH:-.build-codec}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

swift build -c release --scratch-path "$SCRATCH" --product TensorJSONBench >/dev/null
BIN="$SCRATCH/release/TensorJSONBench"

python3 - "$WORK/tensor.json" "$REPS" >"$WORK/orjson.txt" <<'PY'
import sys, time, numpy as np, orjson
path, reps = sys.argv[1], int(sys.argv[2])
a = np.random.default_rng(0).standard_normal((1000, 1000)).astype(np.float32)
data = orjson.dumps(a, option=orjson.OPT_SERIALIZE_NUMPY)
open(path, "wb").write(data)
def best(f):
    t = float("inf")
    for _ in range(reps):
        s = time.perf_counter(); f(); t = min(t, time.perf_counter() - s)
    return t
dec = best(lambda: orjson.loads(data))
enc = best(lambda: orjson.dumps(a, option=orjson.OPT_SERIALIZE_NUMPY))
print(f"orjson_version {orjson.__version__}")
print(f"input_bytes {len(data)}")
print(f"decode_MBps {len(data) / dec / 1e6:.0f}")
print(f"encode_MBps {len(data) / enc / 1e6:.0f}")
PY
"$BIN" "$WORK/tensor.json" "$REPS" >"$WORK/ours.txt"

python3 - "$WORK/orjson.txt" "$WORK/ours.txt" "$REPS" <<'PY'
import sys, datetime, re, platform
def read(p):
    return dict(line.split(None, 1) for line in open(p) if line.strip())
o, s = read(sys.argv[1]), read(sys.argv[2])
od, oe = float(o["decode_MBps"]), float(o["encode_MBps"])
sd, se = float(s["decode_MBps"]), float(s["encode_MBps"])
if s.get("round_trip_exact", "").strip() != "true":
    sys.exit("round trip was not exact")
stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
lines = [
    f"### {stamp}: 1,000,000 float32 as nested JSON [1000, 1000], best of {sys.argv[3]}",
    "",
    f"Command: `scripts/bench-json.sh {sys.argv[3]}` (orjson {o['orjson_version'].strip()}, {platform.machine()}, shared 2-core machine)",
    "",
    "| direction | TensorJSON MB/s | orjson MB/s | ratio |",
    "| --- | ---: | ---: | ---: |",
    f"| decode (bytes -> values) | {sd:.0f} | {od:.0f} | {sd / od:.2f}x |",
    f"| encode (float32 -> bytes) | {se:.0f} | {oe:.0f} | {se / oe:.2f}x |",
    "",
]
print("\n".join(lines))
path = "BENCHMARKS.md"
try:
    text = open(path).read()
except FileNotFoundError:
    text = "# Benchmarks\n\n"
head = "## Tensor JSON\n"
if head not in text:
    text = text.rstrip("\n") + "\n\n" + head + "\n"
start = text.index(head) + len(head)
nxt = re.search(r"^## ", text[start:], re.M)
cut = start + nxt.start() if nxt else len(text)
section = (text[start:cut].rstrip("\n") + "\n").lstrip("\n") + "\n" + "\n".join(lines) + "\n"
text = text[:start] + section + ("\n" + text[cut:] if nxt else "")
open(path, "w").write(text)
PY
