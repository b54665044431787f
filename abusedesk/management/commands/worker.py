import signal
import threading

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


class Command(BaseCommand):
    help = ("Run the background worker. With CELERY_BROKER_URL set: a Celery worker (add --beat on one "
            "machine for the periodic sweep). Without: the sweep loop in this process.")

    def add_arguments(self, parser):
        parser.add_argument("--beat", action="store_true", help="also run Celery beat (one per deployment)")
        parser.add_argument("--concurrency", type=int, default=2)
        parser.add_argument("--interval", type=float, default=None, help="sweep interval without a broker")

    def handle(self, *args, beat, concurrency, interval, **options):
        if settings.CELERY_BROKER_URL:
            from abusedesk.celery import app

            argv = ["worker", "--loglevel=INFO", f"--concurrency={concurrency}"]
            if beat:
                argv.append("--beat")
            app.worker_main(argv)
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *a: stop.set())
        self.stdout.write("no broker configured: running the sweep loop in-process")
        try:
            sweep_loop(stop, interval or settings.SWEEP_INTERVAL, self.stdout.write)
        except KeyboardInterrupt:
            pass
