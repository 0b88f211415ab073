#!/usr/bin/env bash
# SQLite under load (issue 10 §1): many devices record polls at once while
# pages read, first on the store as it was (eight connections that all
# write: the baseline), then on the single writer with its read pool and
# checkpoint task, in the same run. Prints wall time, rows/s, failed polls,
# WAL peak (and its peak ratio to the database), page latency, and ratios.
# A harness, not a test: it prints figures and never fails on them.
# Usage: bench/sqlite_load.sh [--devices 64] [--rounds 3] [--punches 3000] [--readers 4]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release --locked -p punchclock --example sqlite_load
exec target/release/examples/sqlite_load "$@"
