#!/usr/bin/env bash
# Push benchmark (issue 13 §4): 2,000 push devices sending Realtime punches
# at 100/s in total to one `punchclock serve`; p99 upload-to-commit latency and
# server CPU, against baselines from the same run. Loopback only; stops by
# itself. A harness, not a test: it prints figures and never fails on them.
# Usage: bench/push.sh [--devices N] [--rate R] [--seconds S]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p punchclock >&2
exec python3 bench/push.py --bin target/release/punchclock "$@"
