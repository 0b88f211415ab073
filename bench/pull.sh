#!/usr/bin/env bash
# Client benchmark: our `punchclock device punches` against pyzk 0.9 on the
# same simulated device over loopback TCP, then a 1,000,000-punch pull.
# A harness, not a test: it prints figures and never fails on them.
# Usage: bench/pull.sh [extra options for bench/pull.py, e.g. --punches 50000]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p punchclock >&2
python=$(bash .ci/pyzk.sh)
exec python3 bench/pull.py --bin target/release/punchclock --pyzk-python "$python" "$@"
