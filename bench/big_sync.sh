#!/usr/bin/env bash
# One tenant's 3,000,000-punch clock synced while another tenant signs in
# and saves (issue 11, finding 3): the other tenant's p99 and errors, peak
# RSS and sync time, each against a baseline from the same run (see
# bench/big_sync.py). Release build; loopback only; stops by itself.
# Usage: bench/big_sync.sh [options for bench/big_sync.py, e.g. --punches 1000000]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p punchclock >&2
exec python3 bench/big_sync.py --bin target/release/punchclock "$@"
