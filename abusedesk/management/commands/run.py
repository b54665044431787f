"""All processes of one machine in one: web, SMTP intake, worker and sweeps."""

import subprocess
import sys
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from waitress.server import create_server

from abusedesk.intake.smtp import make_controller
from abusedesk.management.commands.worker import sweep_loop
from abusedesk.wsgi import application


class Command(BaseCommand):
    help = ("Run everything on one machine: web app, SMTP intake, worker and periodic sweeps. "
            "Ctrl-C stops all. Also read from the environment: DATABASE_URL, CELERY_BROKER_URL (with a broker "
            "a worker process with beat is started), EMAIL_BACKEND and EMAIL_HOST for outgoing mail; the README "
            "lists every setting.")

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.WEB_HOST, help="web listen address (env WEB_HOST)")
        parser.add_argument("--port", type=int, default=settings.WEB_PORT, help="web listen port (env WEB_PORT)")
        parser.add_argument("--smtp-port", type=int, default=settings.SMTP_PORT,
                            help="SMTP intake port (env SMTP_PORT; its address is SMTP_HOST)")
        parser.add_argument("--interval", type=float, default=2.0,
                            help="seconds between sweeps when there is no broker (default 2)")

    def handle(self, *args, host, port, smtp_port, interval, **options):
        web = create_server(application, host=host, port=port, threads=8, ident="abusedesk")
        smtp = make_controller(settings.SMTP_HOST, smtp_port)
        stop = threading.Event()
        worker = None
        threads = [threading.Thread(target=web.run, name="web", daemon=True)]
        if settings.CELERY_BROKER_URL:
            worker = subprocess.Popen([sys.executable, "-m", "abusedesk", "worker", "--beat"])
        else:
            threads.append(threading.Thread(target=sweep_loop, args=(stop, interval), name="sweep", daemon=True))
        smtp.start()
        for t in threads:
            t.start()
        worker_text = (f"celery via {settings.CELERY_BROKER_URL.split('@')[-1]}" if worker
                       else f"in-process sweep every {interval:g}s")
        self.stdout.write(self.style.SUCCESS(
            f"abusedesk is running:\n"
            f"  web app      http://{host}:{port}/  (desk: /desk/, portal: /portal/, admin: /admin/)\n"
            f"  REST API     http://{host}:{port}/api/v1/  (schema: /api/v1/schema/)\n"
            f"  SMTP intake  {settings.SMTP_HOST}:{smtp_port}\n"
            f"  worker       {worker_text}\n"
            f"Press Ctrl-C to stop."
        ))
        try:
            stop.wait()
        except KeyboardInterrupt:
            self.stdout.write("stopping…")
        finally:
            stop.set()
            smtp.stop()
            web.close()
            if worker:
                worker.terminate()
                worker.wait(timeout=20)
