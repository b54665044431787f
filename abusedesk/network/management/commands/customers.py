"""`abusedesk customers import FILE.csv|FILE.json [--dry-run]`."""

import os

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from abusedesk.network.customer_import import COLUMNS, CustomerImporter, FileError


class Command(BaseCommand):
    help = "Customers: import them from the billing system's CSV or JSON export."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{import}")
        imp = sub.add_parser(
            "import", help="create or update customers by reference (idempotent)",
            description=f"Load customers from CSV (header {','.join(COLUMNS)}) or JSON (a list of objects "
                        "with the same keys). The reference is the key; a column the file has is the truth, "
                        "one it lacks is left alone. Re-importing changes nothing. Entities must exist "
                        "(abusedesk entities add).",
        )
        imp.add_argument("file", help="CSV or JSON file")
        imp.add_argument("--dry-run", action="store_true", help="show what would change, write nothing")
        imp.add_argument("--no-progress", action="store_true", help="no progress bar (for scripts)")

    def handle(self, *args, action, file, dry_run, no_progress, **options):
        console = Console(file=self.stdout._out)
        if not os.path.isfile(file):
            raise CommandError(f"no such file: {file}")
        with open(file, "rb") as f:
            data = f.read()
        importer = CustomerImporter(dry_run=dry_run)
        try:
            if no_progress:
                result = importer.run(data, file)
            else:
                with Progress(TextColumn("importing customers"), BarColumn(), MofNCompleteColumn(),
                              TimeElapsedColumn(), console=console) as progress:
                    task = progress.add_task("rows", total=None)
                    result = importer.run(data, file, lambda done, total: progress.update(
                        task, completed=done, total=total))
        except FileError as exc:
            raise CommandError(f"{file}: {exc}") from None
        if dry_run:
            for change in result.changes:
                console.print(f"would {change}")
            more = result.created + result.updated - len(result.changes)
            if more > 0:
                console.print(f"... and {more} more changes")
        for error in result.errors:
            console.print(f"[yellow]rejected[/yellow] {error}")
        if result.rejected > len(result.errors):
            console.print(f"... and {result.rejected - len(result.errors)} more rejected rows")
        prefix = "dry run, nothing written: " if dry_run else ""
        console.print(f"{prefix}rows {result.rows}, created {result.created}, updated {result.updated}, "
                      f"unchanged {result.unchanged}, rejected {result.rejected}, {result.seconds:.1f}s")
