"""Pull all punches from a device with pyzk 0.9 (the reference client the
benchmarks compare against). With --count N, pulls N devices on consecutive
ports one after another, as the Frappe, Odoo and Horilla integrations
do. Prints the number of punches on stdout."""
import argparse
import sys

from zk import ZK


def pull(host, port, timeout):
    zk = ZK(host, port=port, timeout=timeout, ommit_ping=True)
    conn = zk.connect()
    try:
        return len(conn.get_attendance())
    finally:
        conn.disconnect()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--count", type=int, default=1, help="devices on consecutive ports")
    ap.add_argument("--timeout", type=int, default=60)
    args = ap.parse_args()
    print(sum(pull(args.host, args.port + i, args.timeout) for i in range(args.count)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
