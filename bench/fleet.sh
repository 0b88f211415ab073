#!/usr/bin/env bash
# 10,000 simulated devices polled by one `punchclock serve` on SQLite at
# 100 ms RTT (issue 10 §4): three cycles (first full, steady, 10% grown),
# each with wall time, CPU, peak RSS, database and WAL size, GET /devices
# p99 and failed polls, against a sequential pyzk 0.9 loop over 100 of the
# devices in the same run (see bench/fleet.py). Release build; loopback
# only; stops by itself.
#
# Usage: bench/fleet.sh [options for bench/fleet.py, e.g. --devices 500 --punches 100]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p punchclock >&2
venv=/tmp/punchclock-pyzk-venv
"$venv/bin/python" -c 'import zk' 2>/dev/null || {
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'pyzk==0.9'
}
# One descriptor per simulated device (--tcp-only), plus the connections.
ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
uptime >&2
exec python3 bench/fleet.py --bin target/release/punchclock --pyzk-python "$venv/bin/python" "$@"
