#!/usr/bin/env bash
# Attendance engine alone, in release: a month for 1,000 employees (120,000
# punches) and one day for everyone, against a plain scan of the same
# punches in the same run. The database-inclusive benchmark of issue 8 §6
# builds on the store; this one bounds the engine's share of it.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet --release --locked -p punchclock --example attendance_engine
