#!/usr/bin/env bash
# Ingest speed (issue 10 §3): 1,000,000 punches of one device through the
# real store path (begin_poll, record_punch_batch per 2,000, finish_poll),
# each figure a ratio against a plain bulk insert of the same rows into an
# empty table without indexes or keys, in the same run; then the same
# punches again (0 new) and a 100,000-punch store. SQLite, then a
# throwaway PostgreSQL on 127.0.0.1 (.ci/postgres.sh, port
# $PUNCHCLOCK_PG_PORT, default 5433) that is stopped at the end.
# A harness, not a test: it prints figures and stops by itself.
# Usage: bench/ingest.sh [--punches 1000000] [--small 100000] [--batch 2000] [--employees 1000]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release --locked -p punchclock --example ingest
uptime
# shellcheck source=../.ci/postgres.sh
source .ci/postgres.sh
target/release/examples/ingest --postgres "$PUNCHCLOCK_TEST_POSTGRES_URL" "$@"
uptime
