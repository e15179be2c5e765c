#!/usr/bin/env bash
# Builds and runs every libFuzzer target for a bounded time each; fails on any crash, leak or timeout.
#   scripts/fuzz.sh [SECONDS_EACH] [TARGET...]   (default 60 s; targets: http tensor-json index-string eval-parser)
# Artifacts (crashing inputs) land in fuzz-out/<target>/ (git-ignored); each one found becomes a file in
# Fuzz/<Target>/regressions/, which is replayed on every run before fuzzing starts.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${1:-60}"
shift || true
TARGETS=("$@")
if [[ ${#TARGETS[@]} -eq 0 ]]; then TARGETS=(http tensor-json index-string eval-parser); fi
SWIFTC=(swiftc -parse-as-library -sanitize=fuzzer,address -O -package-name fuzz)

build_http() {
    "${SWIFTC[@]}" -module-name HTTPParserFuzz Sources/HTTPServer/Parser/*.swift \
        Sources/HTTPServer/Connection/ConnectionStateMachine.swift Sources/HTTPServer/HTTPServerConfiguration.swift \
        Sources/HTTPServer/IO/LargeBufferPool.swift \
        Fuzz/HTTPParser/*.swift -o "$1"
}

build_tensor_json() {
    "${SWIFTC[@]}" -module-name TensorJSONFuzz Sources/TensorJSON/*.swift Fuzz/TensorJSON/*.swift -o "$1"
}

# The engine imports the C kernels: compile them with ASan and hand swiftc a module map for their header.
# Prints the flags that link them.
build_ckernels() {
    local dir="$1/ckernels"
    mkdir -p "$dir/include"
    cp Sources/CKernels/include/*.h "$dir/include/"
    # An umbrella directory, as SwiftPM makes it, so a new header in include/ needs no edit here.
    printf 'module CKernels {\n  umbrella "."\n  export *\n}\n' >"$dir/include/module.modulemap"
    for c in Sources/CKernels/*.c; do
        clang -O2 -fsanitize=address -ISources/CKernels/include -c "$c" -o "$dir/$(basename "$c" .c).o" >&2
    done
    echo "-I $dir/include $(ls "$dir"/*.o | tr '\n' ' ')"
}

build_index_string() {
    local flags
    flags="$(build_ckernels "$(dirname "$1")")"
    # shellcheck disable=SC2086
    "${SWIFTC[@]}" -module-name IndexStringFuzz $flags \
        $(find Sources/Autograd -name '*.swift' | sort) Fuzz/IndexString/*.swift -o "$1"
}

build_eval_parser() {
    # AutogradEval imports the engine, so the engine becomes an instrumented static library first.
    local dir flags
    dir="$(dirname "$1")"
    flags="$(build_ckernels "$dir")"
    # shellcheck disable=SC2086
    "${SWIFTC[@]}" -module-name Autograd -emit-library -static -emit-module -emit-module-path "$dir/Autograd.swiftmodule" \
        $flags $(find Sources/Autograd -name '*.swift' | sort) -o "$dir/libAutograd.a" >&2
    # shellcheck disable=SC2086
    "${SWIFTC[@]}" -module-name EvalParserFuzz -I "$dir" -L "$dir" -lAutograd $flags \
        Sources/AutogradEval/*.swift Fuzz/EvalParser/*.swift -o "$1"
}

run_target() {
    local name="$1" dir="$2" max_len="$3"
    local out="fuzz-out/$name"
    local bin="$out/fuzz-$name"
    mkdir -p "$out/corpus"
    cp -n "Fuzz/$dir/corpus/"* "$out/corpus/" 2>/dev/null || true
    echo "== $name: building"
    "build_${name//-/_}" "$bin"
    # The Swift backtracer would stall libFuzzer's crash exit.
    export SWIFT_BACKTRACE=enable=no
    if compgen -G "Fuzz/$dir/regressions/*" >/dev/null; then
        echo "== $name: replaying regressions"
        "$bin" -runs=0 Fuzz/"$dir"/regressions/*
    fi
    echo "== $name: fuzzing for ${SECONDS_EACH}s"
    "$bin" -max_total_time="$SECONDS_EACH" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$out/" "$out/corpus"
}

for target in "${TARGETS[@]}"; do
    case "$target" in
        http) run_target http HTTPParser 4096 ;;
        tensor-json) run_target tensor-json TensorJSON 4096 ;;
        index-string) run_target index-string IndexString 128 ;;
        eval-parser) run_target eval-parser EvalParser 2048 ;;
        *) echo "unknown target $target" >&2; exit 2 ;;
    esac
done
echo "== all fuzz targets passed"
