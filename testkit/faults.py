"""Real processes for the fault tests and the soak benchmark: our own redis-server and PostgreSQL
cluster on free ports (never the machine's shared services), abusedesk commands as child processes,
and an SMTP client that times each reply."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import smtplib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from testkit.helpers import free_port, wait_for, wait_until_listening


def redis_binary() -> str | None:
    return shutil.which("redis-server")


def postgres_bindir() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(found[-1]) if found else None


class RedisServer:
    """A redis-server of our own: it can be frozen (SIGSTOP: accepts connections, answers nothing)."""

    def __init__(self):
        self.port = free_port()
        self.process = subprocess.Popen(
            [redis_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until_listening(self.port, 10)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def freeze(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        self.thaw()
        self.process.kill()
        self.process.wait(10)


class PostgresCluster:
    """A throwaway PostgreSQL cluster in a temporary directory, on a free port."""

    def __init__(self):
        bindir = postgres_bindir()
        self.bin = lambda name: os.path.join(bindir, name)
        self.dir = tempfile.mkdtemp(prefix="abusedesk-pg-")
        self.port = free_port()
        # PostgreSQL refuses to run as root: then the cluster belongs to the postgres user.
        self.user = None
        if os.geteuid() == 0:
            import pwd

            self.user = "postgres"
            os.chown(self.dir, pwd.getpwnam("postgres").pw_uid, pwd.getpwnam("postgres").pw_gid)
        self._run([self.bin("initdb"), "-D", self.dir + "/data", "-U", "postgres", "-A", "trust", "--no-sync"],
                  timeout=120)
        self.start()
        self._run([self.bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "abusedesk"],
                  timeout=60)

    def _run(self, args, check=True, timeout=90):
        return subprocess.run(args, check=check, capture_output=True, timeout=timeout, user=self.user)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/abusedesk"

    def start(self) -> None:
        self._run([self.bin("pg_ctl"), "-D", self.dir + "/data", "-l", self.dir + "/log", "-w", "-t", "60",
                   "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off", "start"])

    def pids(self) -> list[int]:
        """The postmaster and every backend of the cluster."""
        with open(self.dir + "/data/postmaster.pid") as f:
            postmaster = int(f.readline())
        children = subprocess.run(["pgrep", "-P", str(postmaster)], capture_output=True, text=True).stdout.split()
        return [postmaster, *map(int, children)]

    def _signal(self, signum) -> None:
        for pid in self.pids():
            try:
                os.kill(pid, signum)
            except ProcessLookupError:  # a backend that ended since it was listed
                pass

    def freeze(self) -> None:
        self._signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self._signal(signal.SIGCONT)

    def crash(self) -> None:
        """kill -9 of the postmaster and its backends: what a machine crash leaves."""
        self._signal(signal.SIGKILL)
        wait_for(lambda: self._run([self.bin("pg_ctl"), "-D", self.dir + "/data", "status"],
                                   check=False).returncode != 0, timeout=20)

    def stop(self) -> None:
        try:
            self.thaw()
        except (OSError, ValueError):
            pass
        self._run([self.bin("pg_ctl"), "-D", self.dir + "/data", "-m", "immediate", "stop"], check=False,
                  timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)


def command_env(database_url: str, broker_url: str = "", **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env.update(DATABASE_URL=database_url, CELERY_BROKER_URL=broker_url, DJANGO_SETTINGS_MODULE="abusedesk.settings",
               LOG_LEVEL="WARNING", PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    env.update({k: str(v) for k, v in extra.items()})
    return env


def abusedesk(env: dict, *args, **popen) -> subprocess.Popen:
    """`abusedesk ARGS` as a child process."""
    popen.setdefault("stdout", subprocess.DEVNULL)
    popen.setdefault("stderr", subprocess.DEVNULL)
    return subprocess.Popen([sys.executable, "-m", "abusedesk", *args], env=env, **popen)


def stop(process: subprocess.Popen, timeout: float = 20) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def send(port: int, content: bytes, timeout: float = 30) -> tuple[int, float]:
    """One mail over SMTP: (the reply code to the end of DATA, seconds until it came)."""
    started = time.monotonic()
    with smtplib.SMTP("127.0.0.1", port, timeout=timeout) as client:
        client.ehlo()
        client.mail("fbl@mail.example")
        client.rcpt("abuse@provider.example")
        code, _text = client.data(content)
    return code, time.monotonic() - started


def arf(n: int, ip: str = "198.51.100.42") -> bytes:
    """An ARF spam report, distinct per `n` (so each is a notice of its own)."""
    return (
        "From: FBL <fbl@mail.example>\r\nTo: abuse@provider.example\r\n"
        f"Subject: FBL report {n}\r\nMessage-ID: <fbl-{n}@mail.example>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=feedback-report; boundary=b\r\n\r\n"
        "--b\r\nContent-Type: text/plain\r\n\r\nThis is an abuse report.\r\n"
        "--b\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\nVersion: 1\r\n"
        f"Source-IP: {ip}\r\nArrival-Date: Sun, 22 Nov 2026 08:{n // 60 % 60:02d}:{n % 60:02d} +0000\r\n"
        "--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: spammer@example.net\r\nSubject: buy\r\n\r\nspam\r\n"
        "--b--\r\n"
    ).encode()
