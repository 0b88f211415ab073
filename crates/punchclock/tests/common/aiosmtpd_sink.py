"""aiosmtpd (PyPI) as the test SMTP server, for tests/common/smtp.rs.

    python aiosmtpd_sink.py DIR

Listens on 127.0.0.1 on a free port and prints "port N" once it accepts.
Each message is written to DIR/NNNNNN.json as {"from", "to", "data"}, data
being the message as received (CRLF, dots unstuffed). Recipients whose
local part starts with "bounce" are refused for good (550); "busy" ones get
451 while DIR/busy exists. Stops when its standard input closes, so it never
outlives the test process.
"""

import json
import os
import socket
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("bounce"):
            return "550 5.1.1 mailbox unavailable"
        if local.startswith("busy") and os.path.exists(os.path.join(self.directory, "busy")):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        data = envelope.original_content.decode("utf-8", "replace")
        with self.lock:
            self.count += 1
            name = os.path.join(self.directory, "%06d.json" % self.count)
        message = {"from": envelope.mail_from, "to": envelope.rcpt_tos, "data": data}
        with open(name + ".tmp", "w") as f:
            json.dump(message, f)
        os.rename(name + ".tmp", name)
        return "250 2.0.0 queued"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    directory = sys.argv[1]
    port = free_port()
    controller = Controller(Sink(directory), hostname="127.0.0.1", port=port,
                            enable_SMTPUTF8=True)
    controller.start()
    print("port %d" % port, flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
