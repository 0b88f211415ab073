#!/usr/bin/env bash
# What a poll of an unchanged device costs (issue 10 §2): incremental
# polling on vs off (full_sync_hours = 0, every sync downloads and stores the
# whole log, as before) in the same run, against one simulated clock on
# loopback; then a poll after ten new punches. Prints wall time, store time,
# bytes in/out, punches handed to the store, and the ratios.
# A harness, not a test: it prints figures and never fails on them.
# Usage: bench/incremental_poll.sh [--punches 100000] [--polls 5]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release --locked -p punchclock --example incremental_poll
exec target/release/examples/incremental_poll "$@"
