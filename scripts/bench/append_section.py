#!/usr/bin/env python3
"""Appends stdin to the `## End to end` section of BENCHMARKS.md (created at the end when missing), so runs stay
under that heading whatever sections others add after it.   append_section.py BENCHMARKS.md < text"""

import sys

HEADING = "## End to end"
path = sys.argv[1]
text = sys.stdin.read().rstrip("\n") + "\n"
with open(path) as f:
    lines = f.read().splitlines(keepends=True)
start = next((i for i, ln in enumerate(lines) if ln.rstrip() == HEADING), None)
if start is None:
    if lines and lines[-1].strip():
        lines.append("\n")
    lines += [HEADING + "\n", "\n", text]
else:
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    lines[end:end] = ["\n", text] + (["\n"] if end < len(lines) else [])
with open(path, "w") as f:
    f.writelines(lines)
