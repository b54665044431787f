"""`abusedesk kyc watchlist import FILE.csv`, `abusedesk kyc watchlist list`, `abusedesk kyc check-ptr`."""

import os

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from abusedesk.kyc import ptr, watchimport
from abusedesk.kyc.models import WatchListEntry


class Command(BaseCommand):
    help = "KYC: the watch list (import from CSV, list) and the PTR check of VPN customers."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="area", required=True, metavar="{watchlist,check-ptr}")
        watch = sub.add_parser("watchlist", help="the watch list")
        wsub = watch.add_subparsers(dest="action", required=True, metavar="{import,list}")
        imp = wsub.add_parser(
            "import", help="add entries from a CSV file",
            description="Add watch-list entries from CSV with a header row naming the columns "
                        f"{', '.join(watchimport.COLUMNS)} (name, source and listed_on are required; lists in "
                        "a cell are separated by ';'; listed_on is YYYY-MM-DD). An entry already on the list "
                        "(same name and source) is skipped. Every new entry is screened against the existing "
                        "customers; matches become review items on the desk.")
        imp.add_argument("file", help="CSV file")
        imp.add_argument("--no-progress", action="store_true", help="no progress bar (for scripts)")
        wsub.add_parser("list", help="print the watch list")
        sub.add_parser("check-ptr", help="check the PTR records of every VPN customer now (normally the "
                                          "periodic sweep does this daily)")

    def handle(self, *args, area, **options):
        console = Console(file=self.stdout._out)
        if area == "check-ptr":
            n = ptr.check_due(limit=10_000)
            self.stdout.write(f"PTR records checked for {n} VPN customers")
        elif options["action"] == "list":
            for e in WatchListEntry.objects.all():
                self.stdout.write(f"{e.listed_on}  {e.name}  ({e.source})  {', '.join(e.domains)}")
        else:
            self._import(console, options["file"], options["no_progress"])

    def _import(self, console, path, no_progress):
        if not os.path.isfile(path):
            raise CommandError(f"no such file: {path}")
        with open(path, "rb") as f:
            data = f.read(50 * 1024 * 1024 + 1)
        if len(data) > 50 * 1024 * 1024:
            raise CommandError("file larger than 50 MiB")
        try:
            if no_progress:
                result = watchimport.run(data)
            else:
                with Progress(TextColumn("importing watch list"), BarColumn(), MofNCompleteColumn(),
                              console=console) as bar:
                    task = bar.add_task("import", total=None)
                    result = watchimport.run(data, progress=lambda done, total: bar.update(task, completed=done,
                                                                                           total=total))
        except watchimport.ImportError_ as exc:
            raise CommandError(f"{path}: {exc}") from None
        for error in result.errors[:50]:
            console.print(f"[yellow]rejected[/yellow] {error}")
        console.print(f"added {result.added}, skipped {result.skipped} (already listed), rejected "
                      f"{len(result.errors)}, customers to review {result.reviews_opened}")
        if result.errors and not result.added and not result.skipped:
            raise CommandError("no row could be imported")
