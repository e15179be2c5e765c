#!/usr/bin/env python3
"""Differential tester: random autograd programs, run by PyTorch and by our server, answers compared.

Each program is a short PyTorch-syntax script (leaves with edge values and odd shapes, every op of GET /v1/ops,
broadcasting, views, in-place ops, setitem, index strings, reductions with dim/keepdim, backward with weights,
retain_graph, create_graph, autograd.grad, no_grad, detach, retain_grad, prints). It is grown statement by
statement with in-process torch as the guide (a statement that fails ends the program, so errors are tested too),
then sent to `POST /eval` of both servers: ours and the PyTorch reference service (competitors/torch_service, whose
/eval is PyTorch's own exec). Compared: HTTP status, error code and detail, stdout (PyTorch's reprs), and for
every bound tensor shape, dtype, flags, version, grad_fn, values and grad — float64 bit for bit, float32 with
the ulp distance reported. A JSON-API pass (--api) also diffs /v1/ops batches, backward, /grad and /jacobian.

  python3 scripts/parity/fuzz.py --ours URL --oracle URL [-n N] [--seed S] [--api] [--show K] [--ops a,b]

Use scripts/parity/run.sh N to build, start both servers and run everything (scripts/parity/README.md: findings). Exit status 1 if anything differed
(ulp-only float32 differences are reported separately and do not fail the run unless --strict-ulp).
"""

import argparse
import collections
import http.client
import json
import math
import random
import struct
import sys
import urllib.parse

import torch

# ---------------------------------------------------------------------------------------------------------------
# HTTP


class Client:
  def __init__(self, base):
    u = urllib.parse.urlparse(base)
    self.host, self.port = u.hostname, u.port
    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)

  def request(self, method, path, body=None, ctype="application/json"):
    data = None
    headers = {}
    if body is not None:
      data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
      headers["Content-Type"] = ctype
    for attempt in range(2):
      try:
        self.conn.request(method, path, body=data, headers=headers)
        r = self.conn.getresponse()
        raw = r.read()
        break
      except (http.client.HTTPException, ConnectionError, OSError):
        if attempt:
          raise
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
    try:
      return r.status, json.loads(raw) if raw else None
    except ValueError:
      return r.status, raw.decode(errors="replace")

  def session(self):
    st, body = self.request("POST", "/v1/sessions", {})
    assert st == 201, (st, body)
    return body["id"]


# ---------------------------------------------------------------------------------------------------------------
# Program generation

PALETTE = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, 3.0, -2.5, 0.1, 1e-5, 1e5, 7.0, -3.0, 0.25, 1.5]
EDGE = ["float('nan')", "float('inf')", "float('-inf')", "1e-40", "1e30", "-1e30", "65504.0"]
SHAPES = [[], [1], [3], [2, 3], [3, 1], [1, 3], [2, 1, 3], [0], [2, 0], [4], [2, 2], [1, 1], [3, 4], [2, 3, 4]]
UNARY = ["abs", "cos", "exp", "expm1", "log", "log1p", "neg", "reciprocal", "relu", "round", "rsqrt", "sigmoid",
         "sign", "silu", "sin", "softplus", "sqrt", "square", "tan", "tanh", "ceil", "floor", "gelu"]
UNARY_INPLACE = ["abs_", "cos_", "exp_", "log_", "neg_", "reciprocal_", "relu_", "sigmoid_", "sin_", "sqrt_",
                 "tanh_"]
BINOPS = ["+", "-", "*", "/", "**"]
BINFNS = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge"]
REDUCE = ["sum", "mean", "max", "min", "argmax", "argmin", "amax", "amin", "logsumexp"]


def fmt_value(v):
  if isinstance(v, str):
    return v
  if isinstance(v, int):
    return str(v)
  r = repr(v)
  return r


def nested(shape, gen):
  if not shape:
    return fmt_value(gen())
  if shape[0] == 0:
    return "[]" if len(shape) == 1 else "[]"
  return "[" + ", ".join(nested(shape[1:], gen) for _ in range(shape[0])) + "]"


class Gen:
  def __init__(self, rng, ops_filter=None):
    self.rng = rng
    self.ns = {"torch": torch}
    self.lines = []
    self.count = 0
    self.ops_filter = ops_filter
    self.origin = {}  # variable -> op that made it (for attributing differences)
    self.ended = False

  # -- helpers over the live namespace
  def tensors(self, pred=lambda t: True):
    return [k for k, v in self.ns.items() if isinstance(v, torch.Tensor) and pred(v)]

  def pick(self, pred=lambda t: True):
    c = self.tensors(pred)
    return self.rng.choice(c) if c else None

  def fresh(self):
    self.count += 1
    return f"v{self.count}"

  def scalar(self):
    r = self.rng.random()
    if r < 0.4:
      return str(self.rng.choice([0, 1, 2, 3, -1, -2, 5]))
    if r < 0.9:
      return repr(self.rng.choice([0.5, 2.0, -1.5, 0.1, 3.0, 1e-3, -0.0, 0.0, 2.5]))
    return self.rng.choice(["float('inf')", "float('nan')", "1e20"])

  def leaf_value(self, dtype):
    rng = self.rng
    if dtype == "int64":
      return lambda: rng.choice([0, 1, 2, -1, 3, -7, 5])
    def g():
      r = rng.random()
      if r < 0.55:
        return rng.choice(PALETTE)
      if r < 0.9:
        return round(rng.gauss(0, 2), rng.choice([1, 2, 5, 9]))
      return rng.choice(EDGE)
    return g

  # -- statements
  def try_add(self, line, var=None, op=None, final_ok=True):
    """Runs `line` in torch; keeps it when it works; a failing line is kept (as the program's end) sometimes."""
    import io, contextlib
    buf = io.StringIO()
    try:
      with contextlib.redirect_stdout(buf), __import__("warnings").catch_warnings():
        __import__("warnings").simplefilter("ignore")
        exec(compile(line, "<fuzz>", "exec"), self.ns)
    except Exception:
      if final_ok and self.rng.random() < 0.25:
        self.lines.append(line)
        self.ended = True
        return True
      # undo partially made bindings
      if var and var in self.ns:
        del self.ns[var]
      return False
    self.lines.append(line)
    if var:
      self.origin[var] = op
    return True

  def stmt_leaf(self):
    rng = self.rng
    v = self.fresh()
    kind = rng.random()
    dtype = rng.choice(["float32", "float32", "float64", "int64"]) if kind < 0.85 else "float32"
    rg = dtype != "int64" and rng.random() < 0.7
    dt = "" if dtype == "float32" else f", dtype=torch.{dtype}"
    rgs = ", requires_grad=True" if rg else ""
    if kind < 0.7:
      shape = rng.choice(SHAPES)
      line = f"{v} = torch.tensor({nested(shape, self.leaf_value(dtype))}{dt}{rgs})"
    elif kind < 0.85:
      shape = rng.choice([s for s in SHAPES if s])
      f = rng.choice(["ones", "zeros"])
      line = f"{v} = torch.{f}({', '.join(map(str, shape))}{dt}{rgs})"
    else:
      # long vectors for reduction accuracy (values exact in both engines: arange / a power of two, or / 7)
      n = rng.choice([17, 100, 257, 1000, 1031, 4099, 10007, 65537])
      div = rng.choice(["7", "3", "16", "0.1"])
      shape = rng.choice([[n], None])
      base = f"(torch.arange({n}{dt}) / {div} - {n // 3})"
      if shape is None and n % 1 == 0:
        for rows in (4, 16, 13, 7):
          if n % rows == 0:
            base = f"{base}.reshape({rows}, {n // rows})"
            break
      line = f"{v} = {base}" + (".requires_grad_()" if rg else "")
    return self.try_add(line, v, "leaf", final_ok=False)

  def stmt_unary(self):
    a = self.pick()
    if a is None:
      return False
    op = self.rng.choice(UNARY)
    v = self.fresh()
    form = self.rng.random()
    if not hasattr(torch.Tensor, op):
      line = f"{v} = torch.nn.functional.{op}({a})"
    else:
      line = f"{v} = {a}.{op}()" if form < 0.6 or not hasattr(torch, op) else f"{v} = torch.{op}({a})"
    return self.try_add(line, v, op)

  def other_operand(self, a):
    """A tensor broadcast-compatible with `a` (usually), a Python number, or an existing tensor."""
    rng = self.rng
    t = self.ns[a]
    r = rng.random()
    if r < 0.3:
      return self.scalar()
    if r < 0.55:
      b = self.pick(lambda u: u.shape == t.shape or u.dim() == 0)
      if b:
        return b
    shape = list(t.shape)
    # drop leading dims, set some to 1, or (rarely) a wrong size
    if shape and rng.random() < 0.4:
      shape = shape[rng.randrange(len(shape) + 1):]
    shape = [1 if rng.random() < 0.3 else s for s in shape]
    if shape and rng.random() < 0.05:
      shape[-1] += 1
    dtype = rng.choice(["", "", "", ", dtype=torch.float64", ", dtype=torch.int64"])
    gen = self.leaf_value("int64" if "int64" in dtype else "float32")
    rgs = ", requires_grad=True" if "int64" not in dtype and rng.random() < 0.5 else ""
    v = self.fresh()
    literal = f"torch.tensor({nested(shape, gen)}{dtype}{rgs})"
    if math.prod(shape) > 48:
      literal = f"(torch.arange({math.prod(shape)}{dtype}) / 9).reshape({shape}){'.requires_grad_()' if rgs else ''}"
    if not self.try_add(f"{v} = {literal}", v, "leaf", final_ok=False):
      return self.scalar()
    return v

  def stmt_binary(self):
    a = self.pick()
    if a is None:
      return False
    b = self.other_operand(a)
    v = self.fresh()
    rng = self.rng
    r = rng.random()
    if r < 0.5:
      op = rng.choice(BINOPS)
      if rng.random() < 0.3 and not b.startswith("v"):
        line = f"{v} = {b} {op} {a}"
        name = "r" + op
      else:
        line = f"{v} = {a} {op} {b}"
        name = op
    else:
      fn = rng.choice(BINFNS)
      if fn in ("maximum", "minimum") and not b.startswith("v"):
        b = f"torch.tensor({b})"
      line = f"{v} = torch.{fn}({a}, {b})" if rng.random() < 0.5 else f"{v} = {a}.{fn}({b})"
      name = fn
    return self.try_add(line, v, name)

  def stmt_reduce(self):
    a = self.pick()
    if a is None:
      return False
    t = self.ns[a]
    rng = self.rng
    op = rng.choice(REDUCE)
    v = self.fresh()
    args = []
    nd = t.dim()
    if op == "logsumexp" or op in ("amax", "amin") or rng.random() < 0.6:
      if nd == 0:
        d = rng.choice([0, -1])
      else:
        d = rng.randrange(-nd, nd)
      if op in ("sum", "mean", "amax", "amin", "logsumexp") and nd >= 2 and rng.random() < 0.3:
        d = tuple(sorted(rng.sample(range(nd), 2)))
      args.append(f"dim={d}" if rng.random() < 0.5 else str(d))
      if rng.random() < 0.5:
        args.append(f"keepdim={rng.choice(['True', 'False'])}")
    line = f"{v} = {a}.{op}({', '.join(args)})"
    if op in ("max", "min") and args:
      line += "[0]" if rng.random() < 0.7 else "[1]"
    return self.try_add(line, v, op + ("(dim)" if args else ""))

  def index_string(self, t):
    rng = self.rng
    parts = []
    dims = t.dim()
    used = 0
    if rng.random() < 0.15:
      parts.append("...")
    while used < dims and rng.random() < 0.8:
      s = t.shape[used]
      r = rng.random()
      if r < 0.35 and s > 0:
        parts.append(str(rng.randrange(-s, s)))
      elif r < 0.8:
        start = rng.choice(["", "0", "1", "-1", "-2", "5"])
        stop = rng.choice(["", "1", "2", "-1", "10"])
        step = rng.choice(["", "", ":2", ":3"])
        parts.append(f"{start}:{stop}{step}")
      elif r < 0.9:
        parts.append("None")
        continue
      else:
        parts.append(":")
      used += 1
    if rng.random() < 0.05 and dims:
      parts.append(str(t.shape[-1] + 2) if t.shape else "0")  # an out-of-range index or too many indices
    if not parts:
      parts = [":"]
    return ", ".join(parts)

  def stmt_view(self):
    a = self.pick()
    if a is None:
      return False
    t = self.ns[a]
    rng = self.rng
    v = self.fresh()
    nd = t.dim()
    r = rng.choice(["view", "reshape", "t", "transpose", "squeeze", "unsqueeze", "expand", "permute", "flatten",
                    "getitem", "getitem", "contiguous", "clone", "detach", "to", "T"])
    if r in ("view", "reshape"):
      n = t.numel()
      cands = [[n], [-1], [1, n], [n, 1]] + ([[2, n // 2]] if n % 2 == 0 else []) + ([[-1, 3]] if n % 3 == 0 else [])
      if rng.random() < 0.1:
        cands = [[n + 1]]
      shape = rng.choice(cands)
      line = f"{v} = {a}.{r}({', '.join(map(str, shape))})"
    elif r == "t":
      line = f"{v} = {a}.t()"
    elif r == "T":
      line = f"{v} = {a}.T" if nd == 2 else f"{v} = {a}.t()"
    elif r == "transpose":
      d0, d1 = (rng.randrange(-nd, nd) if nd else 0), (rng.randrange(-nd, nd) if nd else 0)
      line = f"{v} = {a}.transpose({d0}, {d1})"
    elif r == "squeeze":
      line = f"{v} = {a}.squeeze({rng.randrange(-nd, nd) if nd and rng.random() < 0.6 else ''})"
    elif r == "unsqueeze":
      line = f"{v} = {a}.unsqueeze({rng.randrange(-nd - 1, nd + 1)})"
    elif r == "expand":
      shape = [rng.choice([2, 3]) if s == 1 else s for s in t.shape]
      if rng.random() < 0.4:
        shape = [2] + shape
      if rng.random() < 0.3:
        shape = [-1 if rng.random() < 0.5 else s for s in shape]
      line = f"{v} = {a}.expand({', '.join(map(str, shape))})" if shape else f"{v} = {a}.expand(2)"
    elif r == "permute":
      p = list(range(nd))
      rng.shuffle(p)
      line = f"{v} = {a}.permute({', '.join(map(str, p))})"
    elif r == "flatten":
      line = f"{v} = {a}.flatten()"
    elif r == "getitem":
      line = f"{v} = {a}[{self.index_string(t)}]"
    elif r == "to":
      line = f"{v} = {a}.to(torch.{rng.choice(['float32', 'float64'])})" if rng.random() < 0.5 else (
        f"{v} = {a}.double()" if rng.random() < 0.5 else f"{v} = {a}.float()")
    else:
      line = f"{v} = {a}.{r}()"
    return self.try_add(line, v, r)

  def stmt_inplace(self):
    a = self.pick()
    if a is None:
      return False
    rng = self.rng
    t = self.ns[a]
    r = rng.random()
    no_grad = rng.random() < 0.25
    if r < 0.3:
      op = rng.choice(["add_", "sub_", "mul_", "div_", "pow_"])
      b = self.other_operand(a)
      line = f"{a}.{op}({b})"
      name = op
    elif r < 0.45:
      op = rng.choice(["+=", "-=", "*=", "/="])
      line = f"{a} {op} {self.other_operand(a)}"
      name = op
    elif r < 0.6:
      op = rng.choice(UNARY_INPLACE)
      line = f"{a}.{op}()"
      name = op
    elif r < 0.7:
      op = rng.choice(["zero_()", f"fill_({self.scalar()})"])
      line = f"{a}.{op}"
      name = op.split("(")[0]
    elif r < 0.75:
      b = self.pick(lambda u: u.shape == t.shape)
      line = f"{a}.copy_({b})"
      name = "copy_"
    else:
      idx = self.index_string(t)
      val = self.scalar() if rng.random() < 0.4 else self.other_operand(a)
      line = f"{a}[{idx}] = {val}"
      name = "setitem"
    if no_grad:
      line = "with torch.no_grad():\n    " + line
      name += "(no_grad)"
    return self.try_add(line, None, name)

  def stmt_linalg(self):
    rng = self.rng
    a = self.pick(lambda t: t.dim() in (1, 2) and t.numel() <= 4096)
    if a is None:
      return False
    t = self.ns[a]
    v = self.fresh()
    k = t.shape[-1]
    shape = rng.choice([[k], [k, rng.choice([1, 2, 3])], [k + 1]])
    dtype = ", dtype=torch.float64" if t.dtype == torch.float64 and rng.random() < 0.9 else ""
    b = self.fresh()
    literal = f"torch.tensor({nested(shape, self.leaf_value('float32'))}{dtype}, requires_grad=True)"
    if math.prod(shape) > 48:
      literal = f"(torch.arange({math.prod(shape)}{dtype}) / 9).reshape({shape}).requires_grad_()"
    if not self.try_add(f"{b} = {literal}", b, "leaf", final_ok=False):
      return False
    op = rng.choice(["@", "mm", "matmul", "dot", "mv", "outer"])
    line = f"{v} = {a} @ {b}" if op == "@" else f"{v} = torch.{op}({a}, {b})"
    return self.try_add(line, v, op)

  def stmt_misc(self):
    rng = self.rng
    a = self.pick(lambda t: t.is_floating_point())
    if a is None:
      return False
    t = self.ns[a]
    v = self.fresh()
    nd = t.dim()
    d = rng.randrange(-nd, nd) if nd else 0
    r = rng.choice(
      ["cat", "stack", "where", "clamp", "softmax", "log_softmax", "mse_loss", "cross_entropy", "compare"])
    if r in ("cat", "stack"):
      b = self.pick(lambda u: u.shape == t.shape) or a
      line = f"{v} = torch.{r}([{a}, {b}], {'dim=' if rng.random() < 0.5 else ''}{d})"
    elif r == "where":
      b = self.pick(lambda u: u.shape == t.shape) or a
      line = f"{v} = torch.where({a} > 0, {a}, {b})"
    elif r == "compare":
      b = self.pick(lambda u: u.shape == t.shape) or a
      other = rng.choice(["0", "0.5", "-1", b])
      line = f"{v} = {a} {rng.choice(['>', '<', '>=', '<=', '==', '!='])} {other}"
    elif r == "clamp":
      lo, hi = rng.choice([("min=-1", "max=1"), ("min=0", ""), ("", "max=0.5"), ("-0.5", "0.5")])
      args = ", ".join(x for x in (lo, hi) if x)
      line = f"{v} = {a}.clamp({args})"
    elif r in ("softmax", "log_softmax"):
      line = f"{v} = {a}.{r}({'dim=' if rng.random() < 0.5 else ''}{d})"
    elif r == "mse_loss":
      b = self.pick(lambda u: u.shape == t.shape) or a
      red = rng.choice(["", ", reduction='sum'", ", reduction='none'", ", reduction='mean'"])
      line = f"{v} = torch.nn.functional.mse_loss({a}, {b}{red})"
    else:
      if nd not in (1, 2) or t.shape[-1] == 0:
        return False
      c = t.shape[-1]
      tgt = [rng.randrange(c) for _ in range(t.shape[0])] if nd == 2 else rng.randrange(c)
      red = rng.choice(["", ", reduction='sum'", ", reduction='none'"])
      line = f"{v} = torch.nn.functional.cross_entropy({a}, torch.tensor({tgt}){red})"
    return self.try_add(line, v, r)

  def stmt_backward(self):
    rng = self.rng
    a = self.pick(lambda t: t.requires_grad)
    if a is None:
      return False
    t = self.ns[a]
    kw = []
    if rng.random() < 0.4:
      kw.append("retain_graph=True")
    if rng.random() < 0.15:
      kw.append("create_graph=True")
    r = rng.random()
    if t.numel() == 1 and r < 0.5:
      line = f"{a}.backward({', '.join(kw)})"
    elif r < 0.75:
      shape = list(t.shape) if rng.random() < 0.9 else list(t.shape) + [1]
      w = f"torch.tensor({nested(shape, self.leaf_value('float32'))})"
      if math.prod(shape) > 48:
        w = f"torch.full({shape}, 0.5)"
      line = f"{a}.backward({w}{''.join(', ' + k for k in kw)})"
    elif r < 0.9:
      leaves = self.tensors(lambda u: u.requires_grad and u.is_leaf)
      if not leaves:
        return False
      ins = rng.sample(leaves, min(len(leaves), rng.choice([1, 2])))
      g = self.fresh()
      out = a if t.numel() == 1 else f"{a}.sum()"
      unused = ", allow_unused=True" if rng.random() < 0.5 else ""
      line = f"{g} = torch.autograd.grad({out}, [{', '.join(ins)}]{unused}{''.join(', ' + k for k in kw)})"
      if self.try_add(line, None, "grad"):
        if not self.ended and isinstance(self.ns.get(g), tuple):
          for i, x in enumerate(self.ns[g]):
            if isinstance(x, torch.Tensor):
              self.try_add(f"{g}_{i} = {g}[{i}]", f"{g}_{i}", "grad")
          del self.ns[g]
        return True
      return False
    else:
      line = f"{a}.sum().backward({', '.join(kw)})"
    return self.try_add(line, None, "backward")

  def stmt_flags(self):
    rng = self.rng
    a = self.pick()
    if a is None:
      return False
    r = rng.random()
    if r < 0.3:
      return self.try_add(f"{a}.retain_grad()", None, "retain_grad")
    if r < 0.5:
      return self.try_add(f"print({a}.requires_grad, {a}.is_leaf, {a}.shape, {a}.dtype)", None, "print-flags")
    if r < 0.6:
      return self.try_add(f"print({a}.grad)", None, "print-grad")
    if r < 0.7:
      v = self.fresh()
      return self.try_add(f"{v} = {a}.item()" if self.ns[a].numel() == 1 else f"print({a}.tolist())", None, "item")
    return self.try_add(f"print({a})", None, "print")

  def program(self, length):
    kinds = [(self.stmt_leaf, 3), (self.stmt_unary, 3), (self.stmt_binary, 4), (self.stmt_reduce, 3),
             (self.stmt_view, 3), (self.stmt_inplace, 2), (self.stmt_linalg, 1), (self.stmt_misc, 2),
             (self.stmt_backward, 2), (self.stmt_flags, 2)]
    funcs = [f for f, w in kinds for _ in range(w)]
    self.stmt_leaf()
    self.stmt_leaf()
    tries = 0
    while len(self.lines) < length and not self.ended and tries < length * 6:
      tries += 1
      self.rng.choice(funcs)()
    # Print a few tensors at the end for repr comparison.
    for a in self.rng.sample(self.tensors(), min(3, len(self.tensors()))):
      if not self.ended:
        self.lines.append(f"print({a})")
        self.lines.append(f"print({a}.grad)" if self.ns[a].is_leaf else f"print({a}.grad_fn is None)")
    return "\n".join(self.lines) + "\n"


# ---------------------------------------------------------------------------------------------------------------
# Comparison


def ulps(a, b, dtype):
  if dtype == "float32":
    fa, fb = struct.unpack("<i", struct.pack("<f", a))[0], struct.unpack("<i", struct.pack("<f", b))[0]
  else:
    fa, fb = struct.unpack("<q", struct.pack("<d", a))[0], struct.unpack("<q", struct.pack("<d", b))[0]
  fa = fa if fa >= 0 else -(fa & 0x7FFFFFFFFFFFFFFF if dtype != "float32" else fa & 0x7FFFFFFF)
  fb = fb if fb >= 0 else -(fb & 0x7FFFFFFFFFFFFFFF if dtype != "float32" else fb & 0x7FFFFFFF)
  return abs(fa - fb)


def compare_values(a, b, dtype, path, out):
  """Appends (path, kind, detail) for every difference; kind 'ulp' for finite float differences."""
  if isinstance(a, list) and isinstance(b, list):
    if len(a) != len(b):
      out.append((path, "value", f"length {len(a)} != {len(b)}"))
      return
    for i, (x, y) in enumerate(zip(a, b)):
      compare_values(x, y, dtype, path, out)
    return
  if isinstance(a, bool) != isinstance(b, bool):
    out.append((path, "value", f"{a!r} vs {b!r}"))
    return
  if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
    fa, fb = float(a), float(b)
    if fa == fb and math.copysign(1, fa) == math.copysign(1, fb):
      return
    if fa == fb:
      out.append((path, "value", f"signed zero {a!r} vs {b!r}"))
      return
    if dtype in ("float32", "float64") and math.isfinite(fa) and math.isfinite(fb):
      out.append((path, "ulp", ulps(fa, fb, dtype)))
      return
  elif a == b:
    return
  out.append((path, "value", f"{a!r} vs {b!r}"))


KNOWN_BOOL = False


def compare_tensor(name, ours, ref, out):
  for key in ("shape", "dtype", "requires_grad", "is_leaf", "grad_fn", "version"):
    if key == "dtype" and KNOWN_BOOL and (ours.get(key), ref.get(key)) == ("int64", "bool"):
      continue  # known: no bool dtype here, comparisons give int64 0/1 (see README)
    if ours.get(key) != ref.get(key):
      out.append((f"{name}.{key}", "flag", f"ours {ours.get(key)!r} torch {ref.get(key)!r}"))
  dtype = ref.get("dtype")
  if "data" in ref:
    compare_values(ours.get("data"), ref.get("data"), dtype, f"{name}.data", out)
  og, rg = ours.get("grad"), ref.get("grad")
  if (og is None) != (rg is None):
    out.append((f"{name}.grad", "flag", f"ours {og is None and 'None' or 'set'} torch {rg is None and 'None' or 'set'}"))
  elif og is not None:
    compare_values(og, rg, dtype, f"{name}.grad", out)


def compare_answers(so, bo, sr, br, out):
  if so != sr:
    out.append(("status", "status", f"ours {so} torch {sr}"))
  if not isinstance(bo, dict) or not isinstance(br, dict):
    if bo != br:
      out.append(("body", "body", f"ours {str(bo)[:200]} torch {str(br)[:200]}"))
    return
  if sr >= 400 or so >= 400:
    # The reference service prefixes IndexError texts with the class name; PyTorch's message is the rest.
    # (TypeError and ValueError prefixes are compared: ours writes them too.)
    for prefix in ("IndexError: ",):
      if isinstance(br.get("detail"), str) and br["detail"].startswith(prefix):
        br["detail"] = br["detail"][len(prefix):]
    for key in ("code", "detail", "line"):
      if bo.get(key) != br.get(key):
        out.append((f"error.{key}", "error", f"ours {bo.get(key)!r}\n      torch {br.get(key)!r}"))
  if bo.get("stdout") != br.get("stdout"):
    lo, lr = (bo.get("stdout") or "").splitlines(), (br.get("stdout") or "").splitlines()
    for i in range(max(len(lo), len(lr))):
      x = lo[i] if i < len(lo) else None
      y = lr[i] if i < len(lr) else None
      if x != y:
        out.append(("stdout", "stdout", f"ours  {x!r}\n      torch {y!r}"))
        break
  bo_b, br_b = bo.get("bindings") or {}, br.get("bindings") or {}
  if sr < 400 and so < 400:
    if set(bo_b) != set(br_b):
      out.append(("bindings", "flag", f"ours {sorted(bo_b)} torch {sorted(br_b)}"))
    for name in sorted(set(bo_b) & set(br_b)):
      compare_tensor(name, bo_b[name], br_b[name], out)


# ---------------------------------------------------------------------------------------------------------------
# Main


def run_eval(args):
  ours, ref = Client(args.ours), Client(args.oracle)
  rng = random.Random(args.seed)
  failures = []
  ulp_by_op = collections.defaultdict(lambda: [0, 0])  # op -> [count, max ulps]
  kinds = collections.Counter()
  for i in range(args.n):
    g = Gen(random.Random(rng.random()))
    src = g.program(rng.randint(4, args.length))
    so, bo = ours.request("POST", f"/v1/sessions/{ours.session()}/eval", {"source": src})
    sr, br = ref.request("POST", f"/v1/sessions/{ref.session()}/eval", {"source": src})
    diffs = []
    compare_answers(so, bo, sr, br, diffs)
    hard = []
    for path, kind, detail in diffs:
      if kind == "ulp":
        var = path.split(".")[0]
        op = g.origin.get(var, "?") + (".grad" if path.endswith(".grad") else "")
        e = ulp_by_op[op]
        e[0] += 1
        e[1] = max(e[1], detail)
        if args.strict_ulp:
          hard.append((path, kind, f"{detail} ulp"))
      else:
        hard.append((path, kind, detail))
    if hard:
      failures.append((src, hard))
      for _, kind, _ in hard:
        kinds[kind] += 1
  print(f"eval: {args.n} programs, {len(failures)} with differences ({dict(kinds)})")
  for src, hard in failures[: args.show]:
    print("-" * 100)
    print(src.rstrip())
    for path, kind, detail in hard[:6]:
      print(f"  !! [{kind}] {path}: {detail}")
  if ulp_by_op:
    print("float differences by the op that made the tensor (count, max ulps):")
    for op, (c, m) in sorted(ulp_by_op.items(), key=lambda kv: -kv[1][0]):
      print(f"  {op:28s} {c:5d} {m}")
  return len(failures)


def main():
  p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
  p.add_argument("--ours", required=True)
  p.add_argument("--oracle", required=True)
  p.add_argument("-n", type=int, default=200)
  p.add_argument("--seed", type=int, default=1)
  p.add_argument("--length", type=int, default=14)
  p.add_argument("--show", type=int, default=25)
  p.add_argument("--strict-ulp", action="store_true")
  p.add_argument("--api", action="store_true", help="also diff the JSON API (ops, backward, grad, jacobian)")
  p.add_argument("--api-only", action="store_true", help="only the JSON-API pass")
  args = p.parse_args()
  torch.set_printoptions(profile="default")
  bad = 0 if args.api_only else run_eval(args)
  if args.api or args.api_only:
    import api_fuzz  # noqa: E402  (same folder)
    bad += api_fuzz.run(args)
  sys.exit(1 if bad else 0)


if __name__ == "__main__":
  main()
