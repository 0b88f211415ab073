"""A small SMTP server for the browser test (standard library only).

    python3 smtp_sink.py DIR PORT

Listens on 127.0.0.1:PORT and writes each message to DIR/NNNNNN.eml (the
envelope recipients on the first line as "To: a,b", then the data as
received, dots unstuffed). Speaks what lettre sends without TLS: EHLO or
HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT. run.sh stops it with the rest.
"""

import os
import socketserver
import sys
import threading

DIRECTORY = sys.argv[1]
PORT = int(sys.argv[2])
COUNT = [0]
LOCK = threading.Lock()


class Session(socketserver.StreamRequestHandler):
    def say(self, line):
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def handle(self):
        self.say("220 127.0.0.1 e2e sink")
        rcpt = []
        while True:
            raw = self.rfile.readline(65536)
            if not raw:
                return
            cmd = raw.decode("utf-8", "replace").strip()
            verb = cmd.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.say("250-127.0.0.1" if verb == "EHLO" else "250 127.0.0.1")
                if verb == "EHLO":
                    self.say("250 8BITMIME")
            elif verb == "MAIL":
                rcpt = []
                self.say("250 OK")
            elif verb == "RCPT":
                rcpt.append(cmd.split(":", 1)[1].strip().strip("<>").split(">")[0])
                self.say("250 OK")
            elif verb == "DATA":
                self.say("354 end with .")
                lines = []
                while True:
                    line = self.rfile.readline(1 << 20)
                    if not line or line in (b".\r\n", b".\n"):
                        break
                    if line.startswith(b".."):
                        line = line[1:]
                    lines.append(line)
                with LOCK:
                    COUNT[0] += 1
                    name = os.path.join(DIRECTORY, "%06d.eml" % COUNT[0])
                with open(name + ".tmp", "wb") as f:
                    f.write(("To: " + ",".join(rcpt) + "\r\n").encode())
                    f.write(b"".join(lines))
                os.rename(name + ".tmp", name)
                self.say("250 queued")
            elif verb in ("RSET", "NOOP"):
                self.say("250 OK")
            elif verb == "QUIT":
                self.say("221 bye")
                return
            else:
                self.say("502 not implemented")


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    server = Server(("127.0.0.1", PORT), Session)
    server.serve_forever()


if __name__ == "__main__":
    main()
