import time

from django.core.management.base import BaseCommand

from abusedesk.intake.imap import poll_once
from abusedesk.lib.env import envbool, envint, envstr


class Command(BaseCommand):
    help = ("Poll an IMAP mailbox for abuse notices (env IMAP_HOST, IMAP_PORT, IMAP_USER, IMAP_PASSWORD[_FILE], "
            "IMAP_FOLDER, IMAP_DONE_FOLDER, IMAP_SSL). Stores each unseen message, then flags it seen.")

    def add_arguments(self, parser):
        parser.add_argument("--host", default=envstr("IMAP_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=envint("IMAP_PORT", 993))
        parser.add_argument("--user", default=envstr("IMAP_USER", ""))
        parser.add_argument("--folder", default=envstr("IMAP_FOLDER", "INBOX"))
        parser.add_argument("--done-folder", default=envstr("IMAP_DONE_FOLDER", ""),
                            help="move processed mail here (default: leave it, flagged seen)")
        parser.add_argument("--no-ssl", action="store_true", default=not envbool("IMAP_SSL", "True"))
        parser.add_argument("--interval", type=float, default=60.0, help="seconds between polls")
        parser.add_argument("--once", action="store_true", help="poll once and exit")

    def handle(self, *args, host, port, user, folder, done_folder, no_ssl, interval, once, **options):
        password = envstr("IMAP_PASSWORD", "")
        while True:
            try:
                count = poll_once(host, port, user, password, folder, use_ssl=not no_ssl, done_folder=done_folder)
                self.stdout.write(f"{count} new notice(s) from {user}@{host}/{folder}")
            except Exception as exc:  # a mailbox outage must not end the poller
                self.stderr.write(f"IMAP poll failed: {type(exc).__name__}: {exc}")
                if once:
                    raise
            if once:
                return
            time.sleep(interval)
