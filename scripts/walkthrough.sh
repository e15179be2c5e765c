#!/usr/bin/env bash
# The autograd tutorial (shared/seed/autograd-tutorial.md), experiment by experiment, through the HTTP API with curl.
# Every answer is checked against PyTorch's (the expected values below come from PyTorch 2.15, not from this server).
#
#   scripts/walkthrough.sh [BASE_URL]                    replay and check (CI does this against the release binary)
#   scripts/walkthrough.sh --markdown [BASE_URL]         also print the README's walkthrough section
#   scripts/walkthrough.sh --update-readme [BASE_URL]    rewrite that section of README.md with the real answers
#
# Needs curl (7.82+, for --json) and python3. Exits non-zero at the first answer that differs.
set -euo pipefail

mode=check
case "${1:-}" in
--markdown) mode=markdown; shift ;;
--update-readme) mode=readme; shift ;;
esac
BASE="${1:-http://127.0.0.1:8080}"
export BASE
SID=""

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
markdown="$work/walkthrough.md"
: >"$markdown"

md() { printf '%s\n' "$*" >>"$markdown"; }

# Checks a JSON answer with a Python expression over `r` (the parsed body); `close(a, b)` compares nested numbers
# within 1e-4 where PyTorch's printed values are rounded.
check_json() {
    local expression=$1 body=$2
    python3 - "$expression" "$body" <<'PY'
import json, sys
expression, body = sys.argv[1], sys.argv[2]
def close(a, b, tol=1e-4):
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y, tol) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) <= tol
    return a == b
try:
    r = json.loads(body) if body else None
except ValueError as error:
    sys.exit(f"not JSON ({error}): {body[:300]}")
if not eval(expression, {"close": close, "r": r}):
    sys.exit(f"check failed: {expression}\n  answer: {body[:600]}")
PY
}

# step TITLE STATUS CHECK COMMAND: runs the curl COMMAND (written with $BASE and $SID, shown verbatim in the README),
# expects HTTP STATUS, and checks the body with CHECK (a Python expression over `r`; empty for no check).
step() {
    local title=$1 status=$2 expression=$3 command=$4
    local body="$work/body" code
    code=$(eval "$command -o '$body' -w '%{http_code}'") || {
        echo "FAIL: $title: curl failed: $command" >&2
        exit 1
    }
    ANSWER=$(cat "$body")
    if [ "$code" != "$status" ]; then
        echo "FAIL: $title: HTTP $code, expected $status" >&2
        echo "  command: $command" >&2
        echo "  answer: ${ANSWER:0:600}" >&2
        exit 1
    fi
    if [ -n "$expression" ]; then
        check_json "$expression" "$ANSWER" || {
            echo "FAIL: $title" >&2
            echo "  command: $command" >&2
            exit 1
        }
    fi
    echo "ok  ${title:-$command}"
    md ""
    md "$title"
    md ""
    md '```sh'
    md "$command"
    md '```'
    if [ -n "$ANSWER" ]; then
        md '```json'
        md "$ANSWER"
        md '```'
    else
        md "(HTTP $code, no body)"
    fi
}

section() {
    md ""
    md "### $1"
}

# The session every experiment runs in; its id goes into $SID for the commands that follow.
new_session() {
    step "$1" 201 'len(r["id"]) >= 22 and r["tensors"] == []' \
        'curl -s -X POST "$BASE/v1/sessions"'
    SID=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["id"])' "$ANSWER")
    export SID
    md ""
    md '```sh'
    md 'SID=<the "id" above>'
    md '```'
}

section "Is it up?"
step "Liveness:" 200 'r["status"] == "ok"' \
    'curl -s "$BASE/healthz"'

section "1.2 Tensor — In[2] to In[8]: \`x = torch.ones(2, 2, requires_grad=True)\` … \`out.backward()\`"
new_session "Create a session (everything below lives in it):"
step "\`x = torch.ones(2, 2, requires_grad=True)\` — a leaf, so \`grad_fn\` is null:" 201 \
    'r["data"] == [[1.0, 1.0], [1.0, 1.0]] and r["requires_grad"] and r["is_leaf"] and r["grad_fn"] is None' \
    'curl -s "$BASE/v1/sessions/$SID/tensors" --json '\''{"name": "x", "shape": [2, 2], "init": "ones", "requires_grad": true}'\'''
step "\`y = x + 2\` — \`grad_fn=<AddBackward0>\`, not a leaf:" 201 \
    'r["data"] == [[3.0, 3.0], [3.0, 3.0]] and r["grad_fn"] == "AddBackward0" and not r["is_leaf"]' \
    'curl -s "$BASE/v1/sessions/$SID/ops" --json '\''{"op": "add", "args": ["x", 2], "name": "y"}'\'''
step "\`z = y * y * 3; out = z.mean()\` as one atomic batch:" 201 \
    '[t["grad_fn"] for t in r["results"]] == ["MulBackward0", "MulBackward0", "MeanBackward0"] and r["results"][1]["data"] == [[27.0, 27.0], [27.0, 27.0]] and r["results"][2]["data"] == 27.0 and r["results"][2]["shape"] == []' \
    'curl -s "$BASE/v1/sessions/$SID/ops" --json '\''[{"op": "mul", "args": ["y", "y"], "name": "yy"}, {"op": "mul", "args": ["yy", 3], "name": "z"}, {"op": "mean", "args": ["z"], "name": "out"}]'\'''
step "\`out.backward()\` — the answer is \`x.grad\`, d(out)/dx = 4.5:" 200 \
    'r["grads"] == {"x": [[4.5, 4.5], [4.5, 4.5]]}' \
    'curl -s -X POST "$BASE/v1/sessions/$SID/tensors/out/backward"'
step "\`print(x.grad)\`:" 200 \
    'r["grad"] == [[4.5, 4.5], [4.5, 4.5]]' \
    'curl -s "$BASE/v1/sessions/$SID/tensors/x/grad"'
step "A second \`out.backward()\` fails as in PyTorch (MulBackward0 freed what it saved):" 409 \
    'r["code"] == "graph_freed" and r["detail"].startswith("Trying to backward through the graph a second time")' \
    'curl -s -X POST "$BASE/v1/sessions/$SID/tensors/out/backward"'
step "\`z.backward()\` without a gradient: z is not a scalar:" 422 \
    'r["code"] == "implicit_grad_non_scalar" and r["detail"] == "grad can be implicitly created only for scalar outputs"' \
    'curl -s -X POST "$BASE/v1/sessions/$SID/tensors/z/backward" --json '\''{}'\'''
step "The graph behind \`out\`, as torchviz draws it:" 200 \
    '{n["grad_fn"] for n in r["nodes"]} >= {"MeanBackward0", "MulBackward0", "AddBackward0", "AccumulateGrad"} and [l["tensor"] for l in r["leaves"]] == ["x"]' \
    'curl -s "$BASE/v1/sessions/$SID/tensors/out/graph"'

section "In[10] — gradients accumulate: \`out2 = x.sum(); out2.backward()\`, then \`x.grad.zero_()\`"
step "\`out2 = x.sum()\`:" 201 \
    'r["grad_fn"] == "SumBackward0" and r["data"] == 4.0' \
    'curl -s "$BASE/v1/sessions/$SID/ops" --json '\''{"op": "sum", "args": ["x"], "name": "out2"}'\'''
step "\`out2.backward()\` — 4.5 + 1 = 5.5:" 200 \
    'r["grads"] == {"x": [[5.5, 5.5], [5.5, 5.5]]}' \
    'curl -s -X POST "$BASE/v1/sessions/$SID/tensors/out2/backward"'
step "\`x.grad.data.zero_()\`:" 200 \
    'r["grad"] == [[0.0, 0.0], [0.0, 0.0]]' \
    'curl -s -X POST "$BASE/v1/sessions/$SID/tensors/x/grad/zero"'
step "\`out3 = x.sum()\`:" 201 \
    'r["grad_fn"] == "SumBackward0"' \
    'curl -s "$BASE/v1/sessions/$SID/ops" --json '\''{"op": "sum", "args": ["x"], "name": "out3"}'\'''
step "\`out3.backward()\` — 1 again, since the gradient was zeroed:" 200 \
    'r["grads"] == {"x": [[1.0, 1.0], [1.0, 1.0]]}' \
    'curl -s -X POST "$BASE/v1/sessions/$SID/tensors/out3/backward"'

section "Experiment 1 — \`z.backward(v)\` with a weight tensor of z's shape"
step "\`x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)\` (rebinds \`x\`, as Python does):" 201 \
    'r["data"] == [1.0, 2.0, 3.0, 4.0] and r["shape"] == [4] and r["grad"] is None' \
    'curl -s "$BASE/v1/sessions/$SID/tensors" --json '\''{"name": "x", "data": [1.0, 2.0, 3.0, 4.0], "requires_grad": true}'\'''
step "\`y = 2 * x; z = y.view(2, 2)\` — \`ViewBackward0\` (the tutorial's older PyTorch printed \`ViewBackward\`):" 201 \
    'r["results"][1]["data"] == [[2.0, 4.0], [6.0, 8.0]] and r["results"][1]["grad_fn"] == "ViewBackward0"' \
    'curl -s "$BASE/v1/sessions/$SID/ops" --json '\''[{"op": "mul", "args": ["x", 2], "name": "y"}, {"op": "view", "args": ["y", 2, 2], "name": "z"}]'\'''
step "\`z.backward(torch.tensor([[1.0, 0.1], [0.01, 0.001]]))\` — float32 values, printed in their shortest form:" 200 \
    'r["grads"] == {"x": [2.0, 0.2, 0.02, 0.002]}' \
    'curl -s "$BASE/v1/sessions/$SID/tensors/z/backward" --json '\''{"gradient": [[1.0, 0.1], [0.01, 0.001]]}'\'''
step "A fresh \`x\`:" 201 \
    'r["grad"] is None' \
    'curl -s "$BASE/v1/sessions/$SID/tensors" --json '\''{"name": "x", "data": [1.0, 2.0, 3.0, 4.0], "requires_grad": true}'\'''
step "\`y = 2 * x; z2 = y.view(2, 2)\`:" 201 \
    'r["results"][1]["grad_fn"] == "ViewBackward0"' \
    'curl -s "$BASE/v1/sessions/$SID/ops" --json '\''[{"op": "mul", "args": ["x", 2], "name": "y"}, {"op": "view", "args": ["y", 2, 2], "name": "z2"}]'\'''
step "\`h = torch.tensor([[1.0, 1.0], [1.0, 1.0]], dtype=torch.float)\`:" 201 \
    'r["dtype"] == "float32" and not r["requires_grad"]' \
    'curl -s "$BASE/v1/sessions/$SID/tensors" --json '\''{"name": "h", "data": [[1.0, 1.0], [1.0, 1.0]], "dtype": "float32"}'\'''
step "\`z2.backward(h)\`, the weight given by name:" 200 \
    'r["grads"] == {"x": [2.0, 2.0, 2.0, 2.0]}' \
    'curl -s "$BASE/v1/sessions/$SID/tensors/z2/backward" --json '\''{"gradient": "h"}'\'''

section "Experiment 2 — \`l = (x + y).dot(z)\`, then \`t.backward(z)\`"
md ""
md "The tutorial drew x, y, z with \`randn\`; these are its printed values, pinned."
step "\`x\`:" 201 '' \
    'curl -s "$BASE/v1/sessions/$SID/tensors" --json '\''{"name": "x", "data": [-0.6103, 0.2401, -0.5577], "requires_grad": true}'\'''
step "\`y\`:" 201 '' \
    'curl -s "$BASE/v1/sessions/$SID/tensors" --json '\''{"name": "y", "data": [0.9066, 0.2731, 1.2899], "requires_grad": true}'\'''
step "\`z\`:" 201 \
    'r["data"] == [1.3269, -2.0241, -0.8399]' \
    'curl -s "$BASE/v1/sessions/$SID/tensors" --json '\''{"name": "z", "data": [1.3269, -2.0241, -0.8399], "requires_grad": true}'\'''
step "\`t = x + y; l = t.dot(z)\` — PyTorch prints \`tensor([0.2963, 0.5132, 0.7322])\` and \`tensor(-1.2606, grad_fn=<DotBackward0>)\`; JSON carries every float32 digit:" 201 \
    'r["results"][0]["data"] == [0.2963, 0.5132, 0.73219997] and r["results"][0]["grad_fn"] == "AddBackward0" and r["results"][1]["data"] == -1.2605824 and r["results"][1]["grad_fn"] == "DotBackward0"' \
    'curl -s "$BASE/v1/sessions/$SID/ops" --json '\''[{"op": "add", "args": ["x", "y"], "name": "t"}, {"op": "dot", "args": ["t", "z"], "name": "l"}]'\'''
step "\`l.backward(retain_graph=True)\` — x.grad = y.grad = z, z.grad = t:" 200 \
    'r["grads"] == {"x": [1.3269, -2.0241, -0.8399], "y": [1.3269, -2.0241, -0.8399], "z": [0.2963, 0.5132, 0.73219997]}' \
    'curl -s "$BASE/v1/sessions/$SID/tensors/l/backward" --json '\''{"retain_graph": true}'\'''
step "\`x.grad.data.zero_()\` (and the same for y and z):" 200 \
    'r["grad"] == [0.0, 0.0, 0.0]' \
    'curl -s -X POST "$BASE/v1/sessions/$SID/tensors/x/grad/zero"'
step "" 200 'r["grad"] == [0.0, 0.0, 0.0]' \
    'curl -s -X POST "$BASE/v1/sessions/$SID/tensors/y/grad/zero"'
step "" 200 'r["grad"] == [0.0, 0.0, 0.0]' \
    'curl -s -X POST "$BASE/v1/sessions/$SID/tensors/z/grad/zero"'
step "\`t.backward(z)\` — dl/dt = z, so x.grad and y.grad are z again (z is only the weight here):" 200 \
    'r["grads"] == {"x": [1.3269, -2.0241, -0.8399], "y": [1.3269, -2.0241, -0.8399]}' \
    'curl -s "$BASE/v1/sessions/$SID/tensors/t/backward" --json '\''{"gradient": "z"}'\'''
step "\`print(z.grad)\` — still zeros:" 200 \
    'r["grad"] == [0.0, 0.0, 0.0]' \
    'curl -s "$BASE/v1/sessions/$SID/tensors/z/grad"'

section "Experiment 3 — \`torch.no_grad()\` cuts the graph"
step "\`x = torch.tensor(1.0, requires_grad=True)\` — a 0-d tensor is a bare number:" 201 \
    'r["shape"] == [] and r["data"] == 1.0' \
    'curl -s "$BASE/v1/sessions/$SID/tensors" --json '\''{"name": "x", "data": 1.0, "requires_grad": true}'\'''
step "\`y1 = x ** 2\`; \`with torch.no_grad(): y2 = x ** 3\`; \`y3 = y1 + y2\`:" 201 \
    '[(t["data"], t["grad_fn"], t["requires_grad"]) for t in r["results"]] == [(1.0, "PowBackward0", True), (1.0, None, False), (2.0, "AddBackward0", True)]' \
    'curl -s "$BASE/v1/sessions/$SID/ops" --json '\''[{"op": "pow", "args": ["x", 2], "name": "y1"}, {"op": "pow", "args": ["x", 3], "no_grad": true, "name": "y2"}, {"op": "add", "args": ["y1", "y2"], "name": "y3"}]'\'''
step "\`y3.backward()\` — 2, not 5: nothing flows back through y2:" 200 \
    'r["grads"] == {"x": 2.0}' \
    'curl -s -X POST "$BASE/v1/sessions/$SID/tensors/y3/backward"'
step "\`y2.backward()\` — PyTorch's RuntimeError, as problem+json:" 422 \
    'r["code"] == "no_grad_fn" and r["detail"] == "element 0 of tensors does not require grad and does not have a grad_fn"' \
    'curl -s -X POST "$BASE/v1/sessions/$SID/tensors/y2/backward"'

section "\`tensor.data\` — changing values without autograd noticing"
step "\`x = torch.ones(1, requires_grad=True); y = 2 * x\`:" 201 '' \
    'curl -s "$BASE/v1/sessions/$SID/tensors" --json '\''{"name": "x", "shape": [1], "init": "ones", "requires_grad": true}'\'''
step "" 201 'r["data"] == [2.0] and r["grad_fn"] == "MulBackward0"' \
    'curl -s "$BASE/v1/sessions/$SID/ops" --json '\''{"op": "mul", "args": ["x", 2], "name": "y"}'\'''
step "\`x.data *= 100\` — PATCH replaces the values, records nothing and leaves \`version\` at 0:" 200 \
    'r["data"] == [100.0] and r["version"] == 0' \
    'curl -s -X PATCH "$BASE/v1/sessions/$SID/tensors/x" --json '\''{"data": [100.0]}'\'''
step "\`y.backward()\` — still 2:" 200 \
    'r["grads"] == {"x": [2.0]}' \
    'curl -s -X POST "$BASE/v1/sessions/$SID/tensors/y/backward"'
step "\`print(x)\`, \`print(x.grad)\`:" 200 \
    'r["data"] == [100.0] and r["grad"] == [2.0] and r["requires_grad"] and r["version"] == 0' \
    'curl -s "$BASE/v1/sessions/$SID/tensors/x"'

section "1.2.3 Jacobians — \`y = x ** 2\`, \`y.backward(torch.ones(3))\`"
step "\`x\` (the tutorial's randn values, pinned):" 201 '' \
    'curl -s "$BASE/v1/sessions/$SID/tensors" --json '\''{"name": "x", "data": [-1.5383, -0.2821, -0.2916], "requires_grad": true}'\'''
step "\`y = x ** 2\`:" 201 'r["grad_fn"] == "PowBackward0"' \
    'curl -s "$BASE/v1/sessions/$SID/ops" --json '\''{"op": "pow", "args": ["x", 2], "name": "y"}'\'''
step "The whole Jacobian dy/dx = diag(2x), as \`torch.autograd.functional.jacobian\`:" 200 \
    'r["shapes"] == [[3, 3]] and r["jacobians"] == [[[-3.0766, 0.0, 0.0], [0.0, -0.5642, 0.0], [0.0, 0.0, -0.5832]]]' \
    'curl -s "$BASE/v1/sessions/$SID/jacobian" --json '\''{"output": "y", "inputs": ["x"]}'\'''
step "\`y.backward(torch.ones(3))\` — the vector-Jacobian product v·J = 2x:" 200 \
    'r["grads"] == {"x": [-3.0766, -0.5642, -0.5832]}' \
    'curl -s "$BASE/v1/sessions/$SID/tensors/y/backward" --json '\''{"gradient": [1.0, 1.0, 1.0]}'\'''

section "1.2.3 Jacobians — \`y[0] = x1**2 + 2*x2 + x3\`, … (in-place writes into a tensor)"
step "\`x1, x2, x3 = 1., 2., 3.\` (requires_grad) and \`y\` (the tutorial's randn values, pinned), in one call each:" 201 '' \
    'curl -s "$BASE/v1/sessions/$SID/tensors" --json '\''{"name": "x1", "data": 1.0, "requires_grad": true}'\'''
step "" 201 '' \
    'curl -s "$BASE/v1/sessions/$SID/tensors" --json '\''{"name": "x2", "data": 2.0, "requires_grad": true}'\'''
step "" 201 '' \
    'curl -s "$BASE/v1/sessions/$SID/tensors" --json '\''{"name": "x3", "data": 3.0, "requires_grad": true}'\'''
step "" 201 'not r["requires_grad"]' \
    'curl -s "$BASE/v1/sessions/$SID/tensors" --json '\''{"name": "y", "data": [-0.2626, 1.3613, 0.4917]}'\'''
step "\`y[0] = x1**2 + 2*x2 + x3\` — y is no longer a leaf: \`grad_fn=<CopySlices>\`:" 201 \
    'r["results"][-1]["data"] == [8.0, 1.3613, 0.4917] and r["results"][-1]["grad_fn"] == "CopySlices" and r["results"][-1]["version"] == 1' \
    'curl -s "$BASE/v1/sessions/$SID/ops" --json '\''[{"op": "pow", "args": ["x1", 2], "name": "a"}, {"op": "mul", "args": ["x2", 2], "name": "b"}, {"op": "add", "args": ["a", "b"], "name": "c"}, {"op": "add", "args": ["c", "x3"], "name": "y0"}, {"op": "setitem", "args": ["y", "y0"], "kwargs": {"index": "0"}}]'\'''
step "\`y[1] = x1 + x2**3 + x3**2; y[2] = 2*x1 + x2**2 + x3**3\`:" 201 \
    'r["results"][-1]["data"] == [8.0, 18.0, 33.0] and r["results"][-1]["grad_fn"] == "CopySlices" and r["results"][-1]["version"] == 3 and not r["results"][-1]["is_leaf"]' \
    'curl -s "$BASE/v1/sessions/$SID/ops" --json '\''[{"op": "pow", "args": ["x2", 3], "name": "a"}, {"op": "pow", "args": ["x3", 2], "name": "b"}, {"op": "add", "args": ["x1", "a"], "name": "c"}, {"op": "add", "args": ["c", "b"], "name": "y1"}, {"op": "setitem", "args": ["y", "y1"], "kwargs": {"index": "1"}}, {"op": "mul", "args": ["x1", 2], "name": "a"}, {"op": "pow", "args": ["x2", 2], "name": "b"}, {"op": "pow", "args": ["x3", 3], "name": "c"}, {"op": "add", "args": ["a", "b"], "name": "d"}, {"op": "add", "args": ["d", "c"], "name": "y2"}, {"op": "setitem", "args": ["y", "y2"], "kwargs": {"index": "2"}}]'\'''
step "\`y.backward(torch.ones(3))\` — v·J = [5, 18, 34]:" 200 \
    'r["grads"] == {"x1": 5.0, "x2": 18.0, "x3": 34.0}' \
    'curl -s "$BASE/v1/sessions/$SID/tensors/y/backward" --json '\''{"gradient": [1.0, 1.0, 1.0]}'\'''

section "The same experiments as programs, through \`/eval\`"
md ""
md "\`/eval\` runs the subset of Python that autograd tutorials use, in the session, and answers what \`print\` wrote"
md "(formatted as PyTorch prints), the last expression's value and the tensors the program bound."
step "In[2] to In[8] as one program (\`text/plain\`):" 200 \
    'r["stdout"] == "tensor([[1., 1.],\n        [1., 1.]], requires_grad=True)\ntensor([[3., 3.],\n        [3., 3.]], grad_fn=<AddBackward0>)\nTrue False\ntensor([[27., 27.],\n        [27., 27.]], grad_fn=<MulBackward0>) tensor(27., grad_fn=<MeanBackward0>)\ntensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])\n" and r["bindings"]["x"]["grad"] == [[4.5, 4.5], [4.5, 4.5]]' \
    'curl -s "$BASE/v1/sessions/$SID/eval" -H "Content-Type: text/plain" --data-binary '\''
x = torch.ones(2, 2, requires_grad=True)
print(x)
y = x + 2
print(y)
print(x.is_leaf, y.is_leaf)
z = y * y * 3
out = z.mean()
print(z, out)
out.backward()
print(x.grad)'\'''
step "In[10] as a program: gradients accumulate, then \`x.grad.data.zero_()\`:" 200 \
    'r["stdout"] == "tensor([[5.5000, 5.5000],\n        [5.5000, 5.5000]])\ntensor([[1., 1.],\n        [1., 1.]])\n"' \
    'curl -s "$BASE/v1/sessions/$SID/eval" -H "Content-Type: text/plain" --data-binary '\''
out2 = x.sum()
out2.backward()
print(x.grad)
x.grad.data.zero_()
out3 = x.sum()
out3.backward()
print(x.grad)'\'''
step "Experiment 1 as a program:" 200 \
    'r["stdout"] == "tensor([[2., 4.],\n        [6., 8.]], grad_fn=<ViewBackward0>)\ntensor([2.0000, 0.2000, 0.0200, 0.0020])\n"' \
    'curl -s "$BASE/v1/sessions/$SID/eval" -H "Content-Type: text/plain" --data-binary '\''
x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
y = 2 * x
z = y.view(2, 2)
print(z)
v = torch.tensor([[1.0, 0.1], [0.01, 0.001]], dtype=torch.float)
z.backward(v)
print(x.grad)'\'''
step "Experiment 2 as a program (pinned values instead of \`randn\`):" 200 \
    'r["stdout"] == "tensor([0.2963, 0.5132, 0.7322], grad_fn=<AddBackward0>)\ntensor(-1.2606, grad_fn=<DotBackward0>)\ntensor([ 1.3269, -2.0241, -0.8399])\ntensor([0.2963, 0.5132, 0.7322])\ntensor([ 1.3269, -2.0241, -0.8399])\ntensor([0., 0., 0.])\n"' \
    'curl -s "$BASE/v1/sessions/$SID/eval" -H "Content-Type: text/plain" --data-binary '\''
x = torch.tensor([-0.6103, 0.2401, -0.5577], requires_grad=True)
y = torch.tensor([0.9066, 0.2731, 1.2899], requires_grad=True)
z = torch.tensor([1.3269, -2.0241, -0.8399], requires_grad=True)
t = x + y
l = t.dot(z)
print(t)
print(l)
l.backward(retain_graph=True)
print(x.grad)
print(z.grad)
x.grad.data.zero_()
y.grad.data.zero_()
z.grad.data.zero_()
t.backward(z)
print(y.grad)
print(z.grad)'\'''
step "Experiment 3 as a program (JSON \`{\"source\": ...}\`):" 200 \
    'r["stdout"] == "tensor(1., grad_fn=<PowBackward0>) True\ntensor(1.) False\ntensor(2., grad_fn=<AddBackward0>) True\ntensor(2.)\n"' \
    'curl -s "$BASE/v1/sessions/$SID/eval" --json '\''{"source": "x = torch.tensor(1.0, requires_grad=True)\ny1 = x ** 2\nwith torch.no_grad():\n    y2 = x ** 3\ny3 = y1 + y2\nprint(y1, y1.requires_grad)\nprint(y2, y2.requires_grad)\nprint(y3, y3.requires_grad)\ny3.backward()\nprint(x.grad)\n"}'\'''
step "A failing program answers problem+json with the failing statement's line and column, and changes nothing:" 422 \
    'r["code"] == "no_grad_fn" and r["line"] == 2 and r["column"] == 1 and r["detail"] == "element 0 of tensors does not require grad and does not have a grad_fn"' \
    'curl -s "$BASE/v1/sessions/$SID/eval" --json '\''{"source": "w = x * 5\ny2.backward()\n"}'\'''
step "(\`w\` was not bound:)" 404 'r["code"] == "not_found"' \
    'curl -s "$BASE/v1/sessions/$SID/tensors/w"'

step "\`tensor.data\` as a program:" 200 \
    'r["stdout"] == "tensor([1.])\nFalse\ntensor([100.], requires_grad=True)\ntensor([2.])\n"' \
    'curl -s "$BASE/v1/sessions/$SID/eval" -H "Content-Type: text/plain" --data-binary '\''
x = torch.ones(1, requires_grad=True)
print(x.data)
print(x.data.requires_grad)
y = 2 * x
x.data *= 100
y.backward()
print(x)
print(x.grad)'\'''
step "1.2.3 Jacobians, \`y = x ** 2\`, as a program:" 200 \
    'r["stdout"] == "tensor([-3.0766, -0.5642, -0.5832])\ntensor([-1.5383, -0.2821, -0.2916], requires_grad=True)\n"' \
    'curl -s "$BASE/v1/sessions/$SID/eval" -H "Content-Type: text/plain" --data-binary '\''
x = torch.tensor([-1.5383, -0.2821, -0.2916], requires_grad=True)
y = x ** 2
y.backward(torch.ones(3))
print(x.grad)
print(x)'\'''
step "1.2.3 Jacobians, writes into \`y\`, as a program:" 200 \
    'r["stdout"] == "tensor([8.0000, 1.3613, 0.4917], grad_fn=<CopySlices>)\ntensor([ 8., 18., 33.], grad_fn=<CopySlices>)\nFalse True\ntensor(5.) tensor(18.) tensor(34.)\n"' \
    'curl -s "$BASE/v1/sessions/$SID/eval" -H "Content-Type: text/plain" --data-binary '\''
x1 = torch.tensor(1.0, requires_grad=True)
x2 = torch.tensor(2.0, requires_grad=True)
x3 = torch.tensor(3.0, requires_grad=True)
y = torch.tensor([-0.2626, 1.3613, 0.4917])
y[0] = x1**2 + 2*x2 + x3
print(y)
y[1] = x1 + x2**3 + x3**2
y[2] = 2*x1 + x2**2 + x3**3
print(y)
print(y.is_leaf, y.requires_grad)
y.backward(torch.ones(3))
print(x1.grad, x2.grad, x3.grad)'\'''
section "Done"
step "Delete the session and everything in it:" 204 '' \
    'curl -s -X DELETE "$BASE/v1/sessions/$SID"'
step "It is gone:" 404 'r["code"] == "not_found"' \
    'curl -s "$BASE/v1/sessions/$SID"'

case $mode in
markdown) cat "$markdown" ;;
readme)
    python3 - "$markdown" "$(dirname "$0")/../README.md" <<'PY'
import pathlib, sys
section = pathlib.Path(sys.argv[1]).read_text()
readme = pathlib.Path(sys.argv[2])
text = readme.read_text()
begin, end = "<!-- walkthrough:begin -->", "<!-- walkthrough:end -->"
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
readme.write_text(head + begin + "\n" + section.strip("\n") + "\n" + end + tail)
PY
    ;;
esac
echo "walkthrough: every answer matches PyTorch's"
