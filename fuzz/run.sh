#!/usr/bin/env bash
# Run every cargo-fuzz target for N seconds each (default 30) and print how
# many inputs each executed. Works on the stable toolchain: `-s none` builds
# without a sanitizer, which is what needs nightly; libFuzzer itself and the
# coverage instrumentation build on stable. A crash or hang fails the script
# and leaves the input in fuzz/artifacts/<target>/.
# Usage: fuzz/run.sh [SECONDS]   (installs cargo-fuzz 0.13.2 if missing)
set -euo pipefail
secs=${1:-30}
cd "$(dirname "$0")/.."
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2
for target in $(cargo fuzz list); do
    log=$(mktemp)
    echo "fuzz: $target for ${secs}s"
    mkdir -p "fuzz/corpus/$target"
    if ! cargo fuzz run "$target" -s none -- \
        -max_total_time="$secs" -rss_limit_mb=2048 -timeout=20 >"$log" 2>&1; then
        tail -40 "$log"
        echo "fuzz: $target FAILED (input saved under fuzz/artifacts/$target/)"
        exit 1
    fi
    grep -E '^Done [0-9]+ runs' "$log" | sed "s/^/fuzz: $target: /"
    rm -f "$log"
done
