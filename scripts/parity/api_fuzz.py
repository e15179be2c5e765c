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
# In-place unary ops both servers know (the reference has no abs_/cos_/log_/sin_/reciprocal_).
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
      for k in sorted(set(a) | set(b)):
        if k in ("id", "expires_at", "name", "created_at") and path == "":
          continue
        if path.endswith(".grads") and k.startswith("_"):
          continue  # server-chosen names (backward's grads by name) follow ids, which may differ
        if path == "" and k not in ("jacobians", "grads", "shapes", "results", "tensors", "grad"):
          continue
        if path != "" and (k not in a or k not in b):
          # backward's {"grads": {name: values}}: the same names must be reached
          self.diffs.append((where, "value", f"{path}.{k}: only in {'ours' if k in a else 'torch'}"))
          continue
        self.compare_json(where, a.get(k), b.get(k), f"{path}.{k}")
      return
    if isinstance(a, list) and isinstance(b, list) and b and all(isinstance(x, dict) or x is None for x in b):
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
      if rng.random() < 0.15:
        leaves = self.names(lambda u: u["requires_grad"])
        if leaves:
          body["inputs"] = rng.sample(leaves, min(len(leaves), rng.randint(1, 2)))
      if rng.random() < 0.1 and t["shape"]:
        body["gradient"] = self.pick(lambda u: u["shape"] == t["shape"]) or body.get("gradient")
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
      if rng.random() < 0.25:
        body["create_graph"] = True
        body["names"] = [self.fresh() for _ in body["inputs"]]
        status, answer = self.send("POST", "/grad", body)
        if status < 300:
          for g, n in zip(answer.get("grads", []), body["names"]):
            if isinstance(g, dict):
              self.model[n] = g
        return
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
      shape = t["shape"] if rng.random() < 0.8 else rng.choice(SHAPES)
      self.record(*self.send("PATCH", f"/tensors/{a}", {"data": self.nested(shape, t["dtype"])}))

  # ----------------------------------------------------------------------------------------------------------
  # Wider coverage: every op of API.md with its keyword arguments, index strings, views then in-place, reads,
  # error cases.

  def index_string(self, shape):
    """A NumPy/PyTorch index for `shape`: ints (negative too), slices with steps, None, `...`; sometimes out of
    range or with too many indices (errors are compared as well)."""
    rng = self.rng
    items = []
    dims = list(shape)
    used_ellipsis = False
    k = rng.randint(1, max(1, min(3, len(dims) + 1)))
    d = 0
    for _ in range(k):
      r = rng.random()
      size = dims[d] if d < len(dims) else 1
      if r < 0.3:
        bound = max(size, 1)
        items.append(str(rng.randint(-bound, bound - 1) if rng.random() < 0.95 else bound + 1))
        d += 1
      elif r < 0.7:
        start = rng.choice(["", "0", "1", "-1", "-2", str(size)])
        stop = rng.choice(["", "1", "2", "-1", str(size + 2)])
        step = rng.choice(["", "", ":2", ":3", ":1"])
        items.append(f"{start}:{stop}{step}")
        d += 1
      elif r < 0.85:
        items.append("None")
      elif not used_ellipsis:
        items.append("...")
        used_ellipsis = True
        d = max(d, len(dims) - (k - len(items)))
      else:
        items.append(":")
        d += 1
    return ", ".join(items)

  def dims_arg(self, nd):
    rng = self.rng
    if nd == 0:
      return rng.choice([0, -1, [], [0]])
    r = rng.random()
    if r < 0.5:
      return rng.randrange(-nd, nd)
    if r < 0.9:
      k = rng.randint(1, nd)
      dims = rng.sample(range(nd), k)
      return [d - nd if rng.random() < 0.4 else d for d in dims]
    return rng.choice([nd, -nd - 1, [0, 0]])  # errors: out of range, repeated

  def op_kwargs(self):
    """One op of API.md with keyword arguments, scalar-first forms and dtypes."""
    rng = self.rng
    a = self.pick()
    if a is None:
      return
    t = self.model[a]
    nd = len(t["shape"])
    spec = {"args": [a]}
    r = rng.random()
    if r < 0.2:
      spec["op"] = rng.choice(["sum", "mean", "sum", "mean", "max", "min", "argmax", "argmin", "logsumexp"])
      kw = {}
      if rng.random() < 0.85:
        dims = self.dims_arg(nd)
        if spec["op"] in ("max", "min", "argmax", "argmin") and isinstance(dims, list):
          dims = dims[0] if dims else 0
        kw["dim"] = dims
      if rng.random() < 0.5:
        kw["keepdim"] = rng.choice([True, False])
      if spec["op"] in ("sum", "mean") and rng.random() < 0.3:
        kw["dtype"] = rng.choice(["float64", "float32", "int64"])
      if kw and rng.random() < 0.2 and "dim" in kw and not isinstance(kw["dim"], list):
        spec["args"] += [kw.pop("dim")] + ([kw.pop("keepdim")] if "keepdim" in kw else [])
      if kw:
        spec["kwargs"] = kw
    elif r < 0.4:
      spec["op"] = rng.choice(["add", "sub", "mul", "div", "pow"])
      other = self.pick(lambda u: u["shape"][-1:] == t["shape"][-1:] or u["shape"] == [])
      number = rng.choice([2, 0.5, -1, 0, 3.0, 0.1, 3.3, 1e-3, -0.7, 7])
      operand = other if other and rng.random() < 0.5 else number
      if rng.random() < 0.2:
        spec["args"] = [number, a]  # scalar first: 2 - x, 2 / x, 2 ** x
      else:
        spec["args"].append(operand)
      kw = {}
      if spec["op"] in ("add", "sub") and rng.random() < 0.5:
        kw["alpha"] = rng.choice([2, 0.5, -1, 0.3, 3])
      if spec["op"] == "div" and rng.random() < 0.4:
        kw["rounding_mode"] = rng.choice(["floor", "trunc", "floor"])
      if spec["op"] == "pow" and rng.random() < 0.4 and len(spec["args"]) == 2 and spec["args"][0] == a:
        kw["exponent"] = spec["args"].pop()
      if kw:
        spec["kwargs"] = kw
    elif r < 0.55:
      spec["op"] = rng.choice(["softmax", "log_softmax"])
      spec["kwargs"] = {"dim": rng.randrange(-nd, nd) if nd else rng.choice([0, -1])}
      if rng.random() < 0.3:
        spec["kwargs"]["dtype"] = "float64"
    elif r < 0.7:
      n = 1
      for v in t["shape"]:
        n *= v
      spec["op"] = rng.choice(["view", "reshape", "expand", "squeeze", "unsqueeze", "transpose", "t", "flatten",
                               "permute"])
      if spec["op"] in ("view", "reshape"):
        sizes = rng.choice([[n], [-1], [1, -1], [-1, 1], [n, 1, 1], list(reversed(t["shape"])), [2, -1]])
        if rng.random() < 0.5:
          spec["args"] += sizes
        else:
          spec["kwargs"] = {"shape": sizes}
      elif spec["op"] == "expand":
        sizes = [2] + [rng.choice([-1, 3]) if v == 1 else rng.choice([-1, v]) for v in t["shape"]]
        spec["args"] += sizes
      elif spec["op"] == "squeeze":
        if nd:
          spec["kwargs"] = {"dim": self.dims_arg(nd) if rng.random() < 0.3 else rng.randrange(-nd, nd)}
      elif spec["op"] == "unsqueeze":
        spec["args"].append(rng.randrange(-nd - 1, nd + 1))
      elif spec["op"] == "transpose":
        spec["kwargs"] = {"dim0": rng.randrange(-nd, nd) if nd else 0, "dim1": rng.randrange(-nd, nd) if nd else -1}
      elif spec["op"] == "flatten":
        if nd and rng.random() < 0.6:
          spec["kwargs"] = {"start_dim": rng.randrange(-nd, nd), "end_dim": rng.randrange(-nd, nd)}
      elif spec["op"] == "permute":
        dims = list(range(nd))
        rng.shuffle(dims)
        spec["args"] += [d - nd if rng.random() < 0.3 else d for d in dims]
    elif r < 0.85:
      spec["op"] = "getitem"
      spec["kwargs"] = {"index": self.index_string(t["shape"])}
    else:
      spec["op"] = rng.choice(["mse_loss", "cross_entropy", "cat", "stack", "matmul", "clamp", "where"])
      if spec["op"] == "mse_loss":
        spec["args"].append(self.pick(lambda u: u["shape"][-1:] == t["shape"][-1:]) or a)
        spec["kwargs"] = {"reduction": rng.choice(["mean", "sum", "none"])}
      elif spec["op"] == "cross_entropy":
        target = self.pick(lambda u: u["dtype"] == "int64") or self.pick(lambda u: u["shape"] == t["shape"]) or a
        spec["args"].append(target)
        spec["kwargs"] = {"reduction": rng.choice(["mean", "sum", "none"])}
      elif spec["op"] in ("cat", "stack"):
        b = self.pick(lambda u: len(u["shape"]) == nd) or a
        spec["args"] = [[a, b] + ([a] if rng.random() < 0.3 else [])]
        spec["kwargs"] = {"dim": rng.randrange(-nd - 1, nd + 1) if nd else 0}
      elif spec["op"] == "matmul":
        spec["args"].append(self.pick(lambda u: len(u["shape"]) >= 1) or a)
      elif spec["op"] == "clamp":
        spec["kwargs"] = rng.choice([{"min": 0}, {"max": 0.5}, {"min": -1, "max": 1}, {"min": 0.5, "max": -0.5}])
      else:
        cond = self.pick(lambda u: u["dtype"] == "bool")
        spec["args"] = [cond or a, a, rng.choice([0.0, 1, self.pick(lambda u: u["shape"] == t["shape"]) or a])]
    if rng.random() < 0.6:
      spec["name"] = self.fresh()
    if rng.random() < 0.1:
      spec["no_grad"] = True
    self.record(*self.send("POST", "/ops", spec))

  def view_then_inplace(self):
    """A view of a tensor, then an in-place op or setitem on the view or on its base, then reads of both."""
    rng = self.rng
    a = self.pick(lambda u: u["dtype"] != "int64" or rng.random() < 0.2)
    if a is None:
      return
    t = self.model[a]
    if rng.random() < 0.5 and t["requires_grad"] and t["is_leaf"]:
      # in-place through a view of a requiring leaf is refused: first a non-leaf copy, as code usually does
      base = self.fresh()
      self.record(*self.send("POST", "/ops", {"op": rng.choice(["clone", "mul"]), "args": [a] + ([1.0] if rng.random() < 0.5 else []), "name": base}))
      if base not in self.model:
        return
      a, t = base, self.model[base]
    v = self.fresh()
    nd = len(t["shape"])
    view = rng.choice(["getitem", "getitem", "view", "transpose", "unsqueeze", "squeeze", "expand", "detach"])
    spec = {"op": view, "args": [a], "name": v}
    if view == "getitem":
      spec["kwargs"] = {"index": self.index_string(t["shape"])}
    elif view == "view":
      spec["kwargs"] = {"shape": [-1]}
    elif view == "transpose":
      spec["args"] += [0, -1] if nd else [0, 0]
    elif view == "unsqueeze":
      spec["args"].append(0)
    elif view == "expand":
      spec["args"] += [2] + [-1] * nd
    if rng.random() < 0.15:
      spec["no_grad"] = True
    self.record(*self.send("POST", "/ops", spec))
    if v not in self.model:
      return
    target = v if rng.random() < 0.75 else a
    shape = self.model[target]["shape"]
    r = rng.random()
    if r < 0.45:
      op = {"op": rng.choice(["add_", "sub_", "mul_", "div_", "add_", "mul_"]), "args": [target, rng.choice([2, 0.5, -1.5, 3])]}
      if op["op"] in ("add_", "sub_") and rng.random() < 0.3:
        op["kwargs"] = {"alpha": rng.choice([2, 0.5])}
      other = self.pick(lambda u: u["shape"] == shape or u["shape"] == [])
      if other and rng.random() < 0.4:
        op["args"][1] = other
    elif r < 0.65:
      op = {"op": rng.choice(["zero_", "neg_", "exp_", "relu_", "sigmoid_", "tanh_", "sqrt_", "fill_"]), "args": [target]}
      if op["op"] == "fill_":
        op["args"].append(rng.choice([1.5, 0, -2]))
    elif r < 0.75:
      src = self.pick(lambda u: u["shape"] == shape or u["shape"] == [] or u["shape"][-1:] == shape[-1:])
      op = {"op": "copy_", "args": [target, src or target]}
    else:
      value = rng.choice([1.5, 0, -2, self.pick(lambda u: u["shape"] == []) or 2.5,
                          self.pick(lambda u: u["shape"][-1:] == shape[-1:]) or 3])
      op = {"op": "setitem", "args": [target, value], "kwargs": {"index": self.index_string(shape)}}
    if rng.random() < 0.2:
      op["no_grad"] = True
    self.record(*self.send("POST", "/ops", op))
    for name in (a, v):
      self.record(*self.send("GET", f"/tensors/{name}"))
    if rng.random() < 0.5:
      root = self.pick(lambda u: u["requires_grad"] and u["shape"] == [])
      if root is None and self.model[a]["requires_grad"]:
        root = self.fresh()
        self.record(*self.send("POST", "/ops", {"op": "sum", "args": [a], "name": root}))
      if root in self.model:
        self.send("POST", f"/tensors/{root}/backward", {"retain_graph": rng.random() < 0.5})

  def reads(self):
    rng = self.rng
    a = self.pick()
    r = rng.random()
    if a is not None and r < 0.4:
      self.send("GET", f"/tensors/{a}?data=false")
    elif r < 0.6:
      self.send("GET", "/tensors?data=false")
    elif r < 0.75:
      self.send("GET", "/tensors")
    elif a is not None and r < 0.9:
      self.send("GET", f"/tensors/{a}/grad")
    elif a is not None:
      self.send("DELETE", f"/tensors/{a}")
      self.model.pop(a, None)

  def error_case(self):
    """Requests that fail: unknown names and ops, bad names, wrong argument kinds, bad index strings, bad bodies."""
    rng = self.rng
    a = self.pick() or "nope"
    bodies = [
      ("POST", "/ops", {"op": "frobnicate", "args": [a]}),
      ("POST", "/ops", {"op": "add", "args": [a, "missing_name"]}),
      ("POST", "/ops", {"op": "sum", "args": [a], "kwargs": {"dim": 7}}),
      ("POST", "/ops", {"op": "getitem", "args": [a], "kwargs": {"index": "0, 0, 0, 0"}}),
      ("POST", "/ops", {"op": "getitem", "args": [a], "kwargs": {"index": "::-1"}}),
      ("POST", "/ops", {"op": "getitem", "args": [a], "kwargs": {"index": "..., ..."}}),
      ("POST", "/ops", {"op": "view", "args": [a], "kwargs": {"shape": [7, 3]}}),
      ("POST", "/ops", {"op": "mm", "args": [a, a]}),
      ("POST", "/ops", {"op": "dot", "args": [a, a]}),
      ("POST", "/ops", {"op": "add", "args": [a], "name": "1bad"}),
      ("POST", "/ops", {"op": "add", "args": [a, 1], "name": "_mine"}),
      ("POST", "/ops", {"op": "softmax", "args": [a]}),
      ("POST", "/ops", {"op": "mse_loss", "args": [a, a], "kwargs": {"reduction": "avg"}}),
      ("POST", "/ops", []),
      ("POST", "/ops", {"args": [a]}),
      ("POST", "/tensors", {"name": "r", "data": [[1, 2], [3]]}),
      ("POST", "/tensors", {"name": "r", "shape": [2, 2], "data": [1, 2, 3]}),
      ("POST", "/tensors", {"name": "r", "data": [1, 2], "requires_grad": True, "dtype": "int64"}),
      ("POST", "/tensors", {"name": "r", "shape": [2], "init": "bogus"}),
      ("POST", f"/tensors/{a}/backward", {"gradient": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]}),
      ("POST", f"/tensors/{a}/backward", {}),
      ("POST", f"/tensors/nope/backward", {}),
      ("POST", "/grad", {"outputs": [a], "inputs": [a]}),
      ("POST", f"/tensors/{a}/grad/zero", None),
      ("PATCH", f"/tensors/{a}", {"data": [[1.0, 2.0], [3.0]]}),
    ]
    method, path, body = rng.choice(bodies)
    self.record(*self.send(method, path, body))

  def run(self, length):
    self.create()
    self.create()
    for _ in range(length):
      r = self.rng.random()
      if r < 0.18:
        self.create()
      elif r < 0.5:
        self.op()
      elif r < 0.68:
        self.op_kwargs()
      elif r < 0.76:
        self.view_then_inplace()
      elif r < 0.8:
        self.reads()
      elif r < 0.83:
        self.error_case()
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
