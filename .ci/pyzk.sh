#!/usr/bin/env bash
# Make a virtualenv with pyzk 0.9 (the independent client used by the interop
# test) and print its python. Idempotent: an existing working venv is reused.
# Usage: .ci/pyzk.sh [VENV_DIR]   (default /tmp/punchclock-pyzk-venv)
set -euo pipefail

venv="${1:-/tmp/punchclock-pyzk-venv}"
py="$venv/bin/python"

# pyzk 0.9 exactly: the interop expectations (40/16-byte records, 12-byte UDP
# events, no 49-byte stride) are those of the PyPI release, not GitHub HEAD.
if ! "$py" -c 'import zk, importlib.metadata as m; assert m.version("pyzk") == "0.9"' >/dev/null 2>&1; then
    python3 -m venv "$venv" >&2
    "$py" -m pip install --quiet --disable-pip-version-check 'pyzk==0.9' >&2
    "$py" -c 'import zk' >&2
fi
echo "$py"
