"""JSON-API pass of the parity fuzzer (imported by fuzz.py --api): random request sequences sent to both servers.

Each program creates named tensors (nested or flat data, every init, float32/float64/int64, requires_grad), applies
random ops of GET /v1/ops one request at a time (and now and then as a batch, with no_grad), runs backward with
weights and retain_graph, /grad, /jacobian, grad/zero, DELETE grad and PATCH (x.data), and reads grads back. Every
response pair is compared: status, code, detail, op_index, and tensor objects (names, shapes, dtypes, flags,
version, grad_fn, values, grads; server-chosen `_N` names and ids aside). The oracle's answers drive the model of
what exists (shapes, dtypes), so later requests mostly make sense.
"""

import math
import random

from fuzz import Client, compare_values

UNARY = ["abs", "cos", "exp", "expm1", "log", "log1p", "neg", "reciprocal", "relu", "round", "rsqrt", "sigmoid",
         "sign", "silu", "sin", "softplus", "sqrt", "square", "tan", "tanh", "ceil", "floor", "gelu", "clone",
         "detach", "contiguous", "flatten", "t"]
BINARY = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge"]
INPLACE_BINARY = ["add_", "sub_", "mul_", "div_", "pow_"]
INPLACE_UNARY = ["neg_", "exp_", "relu_", "sigmoid_", "tanh_", "sqrt_", "zero_"]
REDUCE = ["sum", "mean", "max", "min", "argmax", "argmin", "logsumexp"]
PALETTE = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 3.0, -2.5, 0.1, 1e-5, 7.0, "NaN", "Infinity", "-Infinity"]
SHAPES = [[], [1], [3], [2, 3], [3, 1], [1, 3], [2, 1, 3], [0], [2, 0], [4], [2, 2]]


class Program:
  def __init__(self, rng, ours, ref):
    self.rng, self.ours, self.ref = rng, ours, ref
    self.sid_o, self.sid_r = ours.session(), ref.session()
    self.model = {}  # name -> tensor object from the oracle
    self.count = 0
    self.diffs = []
    self.log = []

  def send(self, method, path, body=None):
    so, bo = self.ours.request(method, f"/v1/sessions/{self.sid_o}{path}", body)
    sr, br = self.ref.request(method, f"/v1/sessions/{self.sid_r}{path}", body)
    self.log.append(f"{method} {path} {body if body is not None else ''}"[:300])
    where = f"#{len(self.log)}"
    if so != sr:
      self.diffs.append((where, "status", f"ours {so} torch {sr}: ours {str(bo)[:160]} torch {str(br)[:160]}"))
      return sr, br
    if sr >= 400 and isinstance(bo, dict) and isinstance(br, dict):
      for key in ("code", "detail", "op_index"):
        if bo.get(key) != br.get(key):
          self.diffs.append((where, "error", f"{key}: ours {bo.get(key)!r} torch {br.get(key)!r}"))
    elif sr < 300:
      self.compare_json(where, bo, br)
    return sr, br

  def compare_json(self, where, a, b, path=""):
    if isinstance(b, dict) and "shape" in b and "dtype" in b and isinstance(a, dict):
      for key in ("shape", "dtype", "requires_grad", "is_leaf", "grad_fn", "version"):
        if a.get(key) != b.get(key):
          self.diffs.append((where, "flag", f"{path}.{key}: ours {a.get(key)!r} torch {b.get(key)!r}"))
      if not str(b.get("name", "")).startswith("_") and a.get("name") != b.get("name"):
        self.diffs.append((where, "flag", f"{path}.name: ours {a.get('name')!r} torch {b.get('name')!r}"))
      out = []
      compare_values(a.get("data"), b.get("data"), b.get("dtype"), "data", out)
      if (a.get("grad") is None) != (b.get("grad") is None):
        out.append(("grad", "flag", "presence differs"))
      elif b.get("grad") is not None:
        compare_values(a.get("grad"), b.get("grad"), b.get("dtype"), "grad", out)
      for p, kind, detail in out:
        if kind != "ulp":
          self.diffs.append((where, kind, f"{path}.{p}: {detail}"))
      return
    if isinstance(a, dict) and isinstance(b, dict):
      for k in set(a) | set(b):
        if k in ("id", "expires_at", "name") and path == "":
          continue
        if k in ("jacobians", "grads", "shapes", "results", "tensors", "grad"):
          self.compare_json(where, a.get(k), b.get(k), f"{path}.{k}")
      return
    if isinstance(a, list) and isinstance(b, list) and all(isinstance(x, dict) for x in b):
      if len(a) != len(b):
        self.diffs.append((where, "value", f"{path}: {len(a)} items vs {len(b)}"))
        return
      for i, (x, y) in enumerate(zip(a, b)):
        self.compare_json(where, x, y, f"{path}[{i}]")
      return
    out = []
    compare_values(a, b, "float32", path, out)
    for p, kind, detail in out:
      if kind != "ulp":
        self.diffs.append((where, kind, f"{p}: {detail}"))

  def fresh(self):
    self.count += 1
    return f"t{self.count}"

  def value(self, dtype):
    if dtype == "int64":
      return self.rng.choice([0, 1, 2, -1, 3, 5])
    r = self.rng.random()
    return self.rng.choice(PALETTE) if r < 0.6 else round(self.rng.gauss(0, 2), 4)

  def nested(self, shape, dtype):
    if not shape:
      return self.value(dtype)
    return [self.nested(shape[1:], dtype) for _ in range(shape[0])]

  def names(self, pred=lambda t: True):
    return [n for n, t in self.model.items() if pred(t)]

  def pick(self, pred=lambda t: True):
    c = self.names(pred)
    return self.rng.choice(c) if c else None

  def record(self, status, body):
    # Only user names: server names (`_N`) follow ids, which the two servers need not assign alike.
    if status < 300 and isinstance(body, dict):
      for t in body.get("results", [body]):
        if isinstance(t, dict) and "shape" in t and not str(t.get("name", "_")).startswith("_"):
          self.model[t["name"]] = t

  def create(self):
    rng = self.rng
    name = self.fresh()
    dtype = rng.choice(["float32", "float32", "float64", "int64"])
    body = {"name": name}
    if dtype != "float32" or rng.random() < 0.3:
      body["dtype"] = dtype
    if dtype != "int64" and rng.random() < 0.7:
      body["requires_grad"] = True
    elif rng.random() < 0.05:
      body["requires_grad"] = True  # refused for int64
    r = rng.random()
    shape = rng.choice(SHAPES)
    if r < 0.6:
      body["data"] = self.nested(shape, dtype)
    elif r < 0.75:
      body["shape"], body["data"] = shape, self.nested([math.prod(shape)], dtype)
    elif r < 0.9:
      body["shape"] = shape
      body["init"] = rng.choice(["zeros", "ones", "full"])
      if body["init"] == "full":
        body["value"] = rng.choice([0.5, -2, 3])
    else:
      body["init"] = "arange"
      body["start"], body["end"], body["step"] = rng.choice([(0, 5, 1), (1, 4, 0.5), (5, 0, -1), (0, 3, 1)])
    self.record(*self.send("POST", "/tensors", body))

  def op(self):
    rng = self.rng
    a = self.pick()
    if a is None:
      return
    t = self.model[a]
    nd = len(t["shape"])
    spec = {"args": [a]}
    kind = rng.random()
    if kind < 0.2:
      spec["op"] = rng.choice(UNARY)
    elif kind < 0.45:
      spec["op"] = rng.choice(BINARY)
      b = self.pick(lambda u: u["shape"] == t["shape"] or u["shape"] == [] or u["shape"][-1:] == t["shape"][-1:])
      spec["args"].append(b if b and rng.random() < 0.7 else rng.choice([2, 0.5, -1, 0, 3.0]))
    elif kind < 0.6:
      spec["op"] = rng.choice(REDUCE)
      if rng.random() < 0.6 and nd:
        spec["kwargs"] = {"dim": rng.randrange(-nd, nd)}
        if rng.random() < 0.5:
          spec["kwargs"]["keepdim"] = rng.choice([True, False])
    elif kind < 0.75:
      r = rng.choice(["view", "reshape", "transpose", "squeeze", "unsqueeze", "expand", "getitem"])
      spec["op"] = r
      n = 1
      for s in t["shape"]:
        n *= s
      if r in ("view", "reshape"):
        spec["kwargs"] = {"shape": rng.choice([[n], [-1], [1, n], [n, 1], [n + 1]])}
      elif r == "transpose":
        spec["args"] += [rng.randrange(-nd, nd) if nd else 0, 0]
      elif r == "squeeze":
        if nd and rng.random() < 0.6:
          spec["kwargs"] = {"dim": rng.randrange(-nd, nd)}
      elif r == "unsqueeze":
        spec["kwargs"] = {"dim": rng.randrange(-nd - 1, nd + 1)}
      elif r == "expand":
        spec["kwargs"] = {"shape": [2] + [3 if s == 1 else s for s in t["shape"]]}
      else:
        spec["kwargs"] = {"index": rng.choice(["0", "-1", ":", "1:", "::2", "..., None", "0, 1:3", "None", "5",
                                                "..., 0", ":, -1"])}
    elif kind < 0.85:
      r = rng.random()
      if r < 0.4:
        spec["op"] = rng.choice(INPLACE_BINARY)
        spec["args"].append(rng.choice([2, 0.5, self.pick(lambda u: u["shape"] == t["shape"]) or 1]))
      elif r < 0.7:
        spec["op"] = rng.choice(INPLACE_UNARY)
      else:
        spec["op"] = "setitem"
        spec["args"].append(rng.choice([1.5, 0, self.pick(lambda u: u["shape"] == []) or 2]))
        spec["kwargs"] = {"index": rng.choice(["0", ":", "...", "-1", "0:1"])}
      if rng.random() < 0.3:
        spec["no_grad"] = True
    else:
      r = rng.choice(["mm", "matmul", "dot", "mv", "cat", "stack", "softmax", "log_softmax", "mse_loss",
                      "cross_entropy", "where", "clamp"])
      spec["op"] = r
      if r in ("mm", "matmul", "dot", "mv"):
        b = self.pick(lambda u: len(u["shape"]) in (1, 2))
        spec["args"].append(b or a)
      elif r in ("cat", "stack"):
        b = self.pick(lambda u: u["shape"] == t["shape"]) or a
        spec["args"] = [[a, b]]
        spec["kwargs"] = {"dim": rng.randrange(-nd, nd) if nd else 0}
      elif r in ("softmax", "log_softmax"):
        spec["kwargs"] = {"dim": rng.randrange(-nd, nd) if nd else 0}
      elif r == "mse_loss":
        spec["args"].append(self.pick(lambda u: u["shape"] == t["shape"]) or a)
        spec["kwargs"] = {"reduction": rng.choice(["mean", "sum", "none"])}
      elif r == "cross_entropy":
        target = self.pick(lambda u: u["dtype"] == "int64" and len(u["shape"]) == 1)
        spec["args"].append(target or a)
      elif r == "where":
        cond = self.pick(lambda u: u["shape"] == t["shape"]) or a
        spec["args"] = [cond, a, self.pick(lambda u: u["shape"] == t["shape"]) or a]
      else:
        spec["kwargs"] = {"min": -1, "max": 1}
    if rng.random() < 0.7:
      spec["name"] = self.fresh()
    if rng.random() < 0.1:
      spec["no_grad"] = True
    if rng.random() < 0.15:
      # a two-op batch: the second may fail, and then nothing of the batch remains
      other = dict(spec)
      other["name"] = self.fresh()
      self.record(*self.send("POST", "/ops", [spec, other]))
    else:
      self.record(*self.send("POST", "/ops", spec))

  def autograd(self):
    rng = self.rng
    a = self.pick(lambda t: t["requires_grad"])
    if a is None:
      return
    t = self.model[a]
    r = rng.random()
    if r < 0.45:
      body = {}
      if rng.random() < 0.6 or t["shape"] not in ([], [1]):
        shape = t["shape"] if rng.random() < 0.9 else t["shape"] + [1]
        body["gradient"] = self.nested(shape, "float32")
      if rng.random() < 0.4:
        body["retain_graph"] = True
      if rng.random() < 0.1:
        body["create_graph"] = True
      self.send("POST", f"/tensors/{a}/backward", body)
    elif r < 0.65:
      leaves = self.names(lambda u: u["requires_grad"] and u["is_leaf"])
      if not leaves:
        return
      body = {"outputs": [a], "inputs": rng.sample(leaves, min(2, len(leaves))), "retain_graph": True}
      if t["shape"] not in ([], [1]):
        body["grad_outputs"] = [self.nested(t["shape"], "float32")]
      if rng.random() < 0.5:
        body["allow_unused"] = True
      self.send("POST", "/grad", body)
    elif r < 0.8:
      leaves = self.names(lambda u: u["requires_grad"] and u["is_leaf"])
      if leaves:
        self.send("POST", "/jacobian", {"output": a, "inputs": rng.sample(leaves, min(2, len(leaves)))})
    elif r < 0.9:
      self.send("GET", f"/tensors/{a}/grad")
    elif r < 0.95:
      self.send("POST", f"/tensors/{a}/grad/zero")
    else:
      self.send("PATCH", f"/tensors/{a}", {"data": self.nested(t["shape"], "float32")})

  def run(self, length):
    self.create()
    self.create()
    for _ in range(length):
      r = self.rng.random()
      if r < 0.2:
        self.create()
      elif r < 0.75:
        self.op()
      else:
        self.autograd()
    for name in list(self.model)[:4]:
      self.send("GET", f"/tensors/{name}")


def run(args):
  ours, ref = Client(args.ours), Client(args.oracle)
  rng = random.Random(args.seed + 1000)
  bad = []
  kinds = {}
  for _ in range(args.n):
    p = Program(random.Random(rng.random()), ours, ref)
    p.run(rng.randint(5, args.length + 6))
    if p.diffs:
      bad.append(p)
      for _, kind, _ in p.diffs:
        kinds[kind] = kinds.get(kind, 0) + 1
  print(f"api: {args.n} programs, {len(bad)} with differences ({kinds})")
  for p in bad[: args.show]:
    print("-" * 100)
    for i, line in enumerate(p.log, 1):
      print(f"#{i} {line}")
    for where, kind, detail in p.diffs[:6]:
      print(f"  !! [{kind}] {where}: {detail}")
  return len(bad)
