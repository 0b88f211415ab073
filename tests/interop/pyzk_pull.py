#!/usr/bin/env python3
"""Pull users, punches or identity from a ZK device with pyzk 0.9; print JSON.

Field names follow `punchclock` JSON output:
  users   -> uid, user_id, name, privilege, card, group
  punches -> user_id, time (YYYY-MM-DDTHH:MM:SS), status, punch, uid
  info    -> serial, device_name, platform, firmware, mac

Two pyzk quirks are undone so the data compares 1:1 with the device's:
pyzk names an unnamed user "NN-<user_id>" (reported here as ""), and over
TCP pyzk's "group_id" is really the 72-byte record's time-zone block, not
the group (reported here as null, meaning "pyzk cannot tell").

pyzk 0.9 reassembles TCP chunks with one blocking recv() per 1008-byte DATA
frame, so it stalls whenever it falls behind the device (frames coalesce in
the socket buffer) -- on real devices too (pyzk #7, #93). The simulator's
frame gap makes that unlikely; a pull that still times out is retried from
scratch (--retries), and each retry is reported on stderr. Other errors are
never retried.

Exit status: 0 ok, 2 pyzk error (message on stderr, e.g. "Unauthenticated").
"""
import argparse
import json
import socket
import sys

from zk import ZK
from zk.exception import ZKNetworkError


def user_json(u):
    name = u.name
    if name == "NN-%s" % u.user_id:
        name = ""
    group = int(u.group_id) if str(u.group_id).isdigit() else None
    return {
        "uid": u.uid,
        "user_id": u.user_id,
        "name": name,
        "privilege": u.privilege,
        "card": u.card,
        "group": group,
    }


def punch_json(a):
    return {
        "user_id": a.user_id,
        "time": a.timestamp.strftime("%Y-%m-%dT%H:%M:%S"),
        "status": a.status,
        "punch": a.punch,
        "uid": int(a.uid),
    }


def info_json(conn):
    out = {
        "serial": conn.get_serialnumber(),
        "device_name": conn.get_device_name(),
        "platform": conn.get_platform(),
        "firmware": conn.get_firmware_version(),
        "mac": conn.get_mac(),
    }
    # Not compared, but each must work: FP version and PIN width are answered,
    # ~ExtendFmt is unknown and makes pyzk send 2001/0xFFFF as commands,
    # time round-trips through the packed encoding.
    out["fp_version"] = conn.get_fp_version()
    out["pin_width"] = conn.get_pin_width()
    out["extend_fmt"] = conn.get_extend_fmt()
    out["time"] = conn.get_time().strftime("%Y-%m-%dT%H:%M:%S")
    conn.read_sizes()
    out["users"] = conn.users
    out["records"] = conn.records
    return out


def pull(a):
    zk = ZK(a.host, port=a.port, timeout=a.timeout, password=a.password,
            force_udp=a.udp, ommit_ping=True)
    conn = zk.connect()
    if a.what == "users":
        out = [user_json(u) for u in conn.get_users()]
    elif a.what == "punches":
        out = [punch_json(p) for p in conn.get_attendance()]
    else:
        out = info_json(conn)
    # Only on success: after a failure the socket is out of step, and it
    # is closed when `conn` goes away.
    conn.disconnect()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--udp", action="store_true", help="force UDP")
    ap.add_argument("--password", type=int, default=0, help="comm key")
    ap.add_argument("--timeout", type=int, default=5)
    ap.add_argument("--retries", type=int, default=2,
                    help="pulls retried after a socket timeout")
    ap.add_argument("--what", choices=["users", "punches", "info"], required=True)
    a = ap.parse_args()

    for attempt in range(a.retries + 1):
        try:
            out = pull(a)
            break
        except (socket.timeout, ZKNetworkError) as e:
            if attempt == a.retries or "timed out" not in str(e):
                print("pyzk: %s: %s" % (type(e).__name__, e), file=sys.stderr)
                return 2
            print("pyzk: retry: attempt %d timed out" % (attempt + 1), file=sys.stderr)
        except Exception as e:  # pyzk raises many kinds; the caller wants the text
            print("pyzk: %s: %s" % (type(e).__name__, e), file=sys.stderr)
            return 2
    json.dump(out, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
