import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from abusedesk.intake.smtp import make_controller


class Command(BaseCommand):
    help = "Run the SMTP intake server (answers 250 only after the notice is stored)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.SMTP_HOST, help="listen address (env SMTP_HOST)")
        parser.add_argument("--port", type=int, default=settings.SMTP_PORT, help="listen port (env SMTP_PORT)")

    def handle(self, *args, host, port, **options):
        controller = make_controller(host, port)
        controller.start()
        self.stdout.write(f"SMTP intake listening on {host}:{port}")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *a: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()
