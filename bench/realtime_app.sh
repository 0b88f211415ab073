#!/usr/bin/env bash
# Real-time capture in the app: `punchclock serve` (release, SQLite) with
# 1,000 realtime devices from one `punchclock sim` on loopback, against a
# baseline of one device in the same run; prints tap-to-stored p50/p99 and
# the server's idle CPU. See bench/realtime_app.py and bench/README.md.
#   bench/realtime_app.sh [--devices N] [--rate TAPS_PER_S] [--taps N] [--idle-seconds S]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -q -p punchclock
# 1,000 live connections on each side, beside the database and the listener.
ulimit -n 8192 2>/dev/null || true
exec python3 bench/realtime_app.py --bin target/release/punchclock "$@"
