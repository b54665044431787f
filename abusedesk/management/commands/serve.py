from django.conf import settings
from django.core.management.base import BaseCommand
from waitress import serve

from abusedesk.wsgi import application


class Command(BaseCommand):
    help = "Run the web app (UI, portal, REST API) with the waitress WSGI server."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.WEB_HOST, help="listen address (env WEB_HOST)")
        parser.add_argument("--port", type=int, default=settings.WEB_PORT, help="listen port (env WEB_PORT)")
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, host, port, threads, **options):
        self.stdout.write(f"web app on http://{host}:{port}/")
        serve(application, host=host, port=port, threads=threads, ident="abusedesk")
