#!/usr/bin/env bash
# CPU per pull while frames trickle in: back-to-back vs 1 ms vs 3 ms gaps
# between frames, with the ratio to back-to-back from the same run.
# A harness, not a test: it prints figures and never fails on them.
# Usage: bench/trickle.sh [--punches N] [--repeat N] [--gaps 0,1,3]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p punchclock >&2
exec python3 bench/trickle.py --bin target/release/punchclock "$@"
