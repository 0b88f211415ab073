#!/usr/bin/env python3
"""Compare a client's JSON pull (actual) with the simulator's own data (expected).

Usage: compare.py [--ignore FIELD]... EXPECTED.json ACTUAL.json
Lists must match record by record, in order; objects key by key. A field
that is null in ACTUAL means the client cannot know it (pyzk's TCP group)
and is skipped, as are --ignore'd fields (e.g. uid, which 16-byte UDP
punch records do not carry); every other field of EXPECTED must be present
and equal.
"""
import argparse
import json
import sys


def diff(exp, act, where, ignore=()):
    if isinstance(exp, list):
        if not isinstance(act, list):
            return ["%s: expected a list, got %r" % (where, type(act).__name__)]
        out = []
        if len(exp) != len(act):
            out.append("%s: %d records expected, %d received" % (where, len(exp), len(act)))
        for i, (e, a) in enumerate(zip(exp, act)):
            out += diff(e, a, "%s[%d]" % (where, i), ignore)
            if len(out) > 10:
                break
        return out
    if isinstance(exp, dict):
        out = []
        for k, v in exp.items():
            if k in ignore:
                continue
            if k not in act:
                out.append("%s.%s: missing" % (where, k))
            elif act[k] is not None and act[k] != v:
                out.append("%s.%s: expected %r, got %r" % (where, k, v, act[k]))
        return out
    return [] if exp == act else ["%s: expected %r, got %r" % (where, exp, act)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ignore", action="append", default=[])
    ap.add_argument("expected")
    ap.add_argument("actual")
    a = ap.parse_args()
    with open(a.expected) as f:
        exp = json.load(f)
    with open(a.actual) as f:
        act = json.load(f)
    problems = diff(exp, act, "", set(a.ignore))
    if isinstance(exp, list) and not exp:
        problems.append("expected data is empty: the comparison would prove nothing")
    for p in problems[:10]:
        print("  mismatch %s" % p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
