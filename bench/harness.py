"""What the Python benchmarks share: a `punchclock serve` on 127.0.0.1 that
starts, answers and stops the same way in each, its JSON API with sign-up,
and the figures read from /proc. Standard library only; loopback only.

    from harness import Server, cpu_seconds, wait_line
    with Server(args.bin, work, config="...") as server:
        token = server.api.sign_up("Bench", "owner@bench.example.com")
"""
import http.client
import json
import os
import signal
import socket
import subprocess
import time

TICK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    """User + system CPU seconds of a process so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_mb(pid):
    """Resident memory in MB; 0 once the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def wait_line(proc, needle, timeout):
    """Reads the process's stdout until a line holds `needle`."""
    end = time.time() + timeout
    while time.time() < end:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit(f"process ended before printing {needle!r}")
        if needle in line:
            return line.strip()
    raise SystemExit(f"no {needle!r} within {timeout} s")


def stop(procs):
    """SIGTERM to each process still running, last started first; a process
    that does not end within 60 s is killed."""
    for p in reversed(procs):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in reversed(procs):
        try:
            p.wait(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


class Api:
    """The JSON API at /api/v1, one connection a call."""

    def __init__(self, port):
        self.port = port

    def call(self, method, path, body=None, token=None, timeout=120):
        """(status, reply); any status, so a benchmark can count errors."""
        headers = {"content-type": "application/json"}
        if token:
            headers["authorization"] = "Bearer " + token
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            c.request(method, "/api/v1" + path, json.dumps(body) if body is not None else None,
                      headers)
            r = c.getresponse()
            data = r.read()
            return r.status, (json.loads(data) if data else None)
        finally:
            c.close()

    def ok(self, method, path, body=None, token=None):
        """The reply of a call that must succeed; anything else ends the run."""
        status, reply = self.call(method, path, body, token, timeout=60)
        if not 200 <= status < 300:
            raise SystemExit(f"{method} {path} answered {status}: {reply}")
        return reply

    def sign_up(self, company, email, password="correct horse battery", timezone="UTC"):
        """A new company and its owner; returns the owner's API token."""
        return self.ok("POST", "/signup", {"company": company, "email": email,
                                           "password": password, "timezone": timezone})["token"]


class Server:
    """`punchclock serve` on a free 127.0.0.1 port, its data in work/data,
    `config` (TOML text) in work/bench.toml, stdout and stderr in
    work/serve.log. The caller's PUNCHCLOCK_* variables are dropped so the
    run measures the config given here; `env` adds variables on top.
    Entering waits until it says it is serving; leaving stops it."""

    def __init__(self, bin_path, work, config="", env=None, ready_seconds=60):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.api = Api(self.port)
        self.data = os.path.join(work, "data")
        self.log = os.path.join(work, "serve.log")
        conf = os.path.join(work, "bench.toml")
        with open(conf, "w") as f:
            f.write(config)
        clean = {k: v for k, v in os.environ.items() if not k.startswith("PUNCHCLOCK_")}
        clean.update(env or {})
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(
                [bin_path, "serve", "--config", conf, "--listen", f"127.0.0.1:{self.port}",
                 "--data-dir", self.data],
                stdout=log, stderr=subprocess.STDOUT, env=clean)
        self.pid = self.proc.pid
        self.ready_seconds = ready_seconds

    def __enter__(self):
        try:
            self.wait_serving()
        except BaseException:
            stop([self.proc])
            raise
        return self

    def __exit__(self, *_):
        stop([self.proc])

    def wait_serving(self):
        end = time.monotonic() + self.ready_seconds
        while time.monotonic() < end:
            with open(self.log) as f:
                if "serving on" in f.read():
                    return
            if self.proc.poll() is not None:
                raise SystemExit(f"punchclock serve exited ({self.proc.returncode}); see "
                                 f"{self.log}")
            time.sleep(0.1)
        raise SystemExit(f"punchclock serve not serving within {self.ready_seconds} s")
