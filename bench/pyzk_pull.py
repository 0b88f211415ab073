"""Pull all punches from a device with pyzk 0.9 (the reference client the
benchmark compares against). Prints the number of punches on stdout."""
import argparse
import sys

from zk import ZK


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--timeout", type=int, default=60)
    args = ap.parse_args()
    zk = ZK(args.host, port=args.port, timeout=args.timeout, ommit_ping=True)
    conn = zk.connect()
    try:
        punches = conn.get_attendance()
    finally:
        conn.disconnect()
    print(len(punches))
    return 0


if __name__ == "__main__":
    sys.exit(main())
