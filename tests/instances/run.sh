#!/usr/bin/env bash
# Three `punchclock serve` instances on one PostgreSQL, one killed with
# SIGKILL mid-poll (see instances.py for what is checked).
#
#   tests/instances/run.sh PATH/TO/punchclock [instances.py options]
#
# Needs PUNCHCLOCK_TEST_POSTGRES_URL (`source .ci/postgres.sh`); makes and
# drops a database of its own. Ends with "instances: N passed, M failed".
set -euo pipefail
BIN="${1:?usage: tests/instances/run.sh PATH/TO/punchclock [options]}"
shift
: "${PUNCHCLOCK_TEST_POSTGRES_URL:?source .ci/postgres.sh first}"
exec python3 "$(dirname "$0")/instances.py" --bin "$BIN" \
    --pg-url "$PUNCHCLOCK_TEST_POSTGRES_URL" "$@"
