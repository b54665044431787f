import signal
import subprocess
import sys
import threading
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from abusedesk.sweep import run_sweep


def sweep_loop(stop: threading.Event, interval: float, log=None) -> None:
    """Run the sweep every `interval` seconds until `stop` is set."""
    from django.db import close_old_connections

    while not stop.is_set():
        close_old_connections()
        result = run_sweep()
        if log and any(v for v in result.values()):
            log(f"sweep: {result}")
        stop.wait(interval)


def die_with_parent() -> None:
    """In a child process, before exec: the kernel kills it when its parent dies (Linux)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the parent's finally still stops it
        pass


class Command(BaseCommand):
    help = ("Run the background worker. With CELERY_BROKER_URL set: a Celery worker on the queues of "
            "ABUSEDESK_WORKER_QUEUES (add --beat on one machine for the periodic tasks), plus a sweep loop in "
            "a process of its own, so that notices are processed and mail sent while the broker is down. "
            "Without a broker: the sweep loop in this process.")

    def add_arguments(self, parser):
        parser.add_argument("--beat", action="store_true", help="also run Celery beat (one per deployment)")
        parser.add_argument("--concurrency", type=int, default=2)
        parser.add_argument("--queues", default=",".join(settings.WORKER_QUEUES),
                            help="Celery queues to consume: process, mail, sweep (default: all)")
        parser.add_argument("--interval", type=float, default=None, help="seconds between sweeps")
        parser.add_argument("--sweep-only", action="store_true",
                            help="only the sweep loop, even with a broker (the Celery worker starts one)")

    def handle(self, *args, beat, concurrency, queues, interval, sweep_only, **options):
        interval = interval or settings.SWEEP_INTERVAL
        if settings.CELERY_BROKER_URL and not sweep_only:
            self._celery(beat, concurrency, queues, interval)
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *a: stop.set())
        if not sweep_only:
            self.stdout.write("no broker configured: running the sweep loop in-process")
        try:
            sweep_loop(stop, interval, self.stdout.write)
        except KeyboardInterrupt:
            pass

    def _celery(self, beat, concurrency, queues, interval):
        from abusedesk.celery import app

        # The database is the queue of record: this loop processes and sends whatever is due even while
        # the broker is down or hung (Celery itself only waits for it to come back).
        sweeper = subprocess.Popen([sys.executable, "-m", "abusedesk", "worker", "--sweep-only",
                                    f"--interval={interval:g}"], preexec_fn=die_with_parent)
        argv = ["worker", "--loglevel=INFO", f"--concurrency={concurrency}", f"--queues={queues}"]
        if beat:
            argv.append("--beat")
            Path(settings.CELERY_BEAT_SCHEDULE_FILENAME).parent.mkdir(parents=True, exist_ok=True)
        try:
            app.worker_main(argv)
        finally:
            sweeper.terminate()
            try:
                sweeper.wait(20)
            except subprocess.TimeoutExpired:
                sweeper.kill()
