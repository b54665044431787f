"""`abusedesk assignments import FILE.csv` and `abusedesk assignments lookup IP [--at TIME]`."""

import os

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

from abusedesk.lib import clock
from abusedesk.network import index as prefix_index
from abusedesk.network.importer import Importer, MissingEntity, parse_time
from abusedesk.network.matching import match_ip
from abusedesk.network.models import Entity


class Command(BaseCommand):
    help = "IP assignments: import them from CSV, or look up who held an address at a time."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{import,lookup}")
        imp = sub.add_parser(
            "import",
            help="load prefix,customer,valid_from,valid_to rows (idempotent)",
            description="Load IP assignments from CSV with the columns prefix,customer,valid_from,valid_to "
                        "(a header row is optional; times are ISO 8601, UTC unless they say otherwise; an "
                        "empty valid_to means still held). Unknown customers are created by reference. "
                        "Re-importing a file changes nothing; a row that gives a prefix to another customer "
                        "from a later date closes the earlier interval; other overlaps are rejected. "
                        "Then the prefix index is built and saved for the workers.",
        )
        imp.add_argument("file", help="CSV file")
        imp.add_argument("--entity", help="entity code for customers created by the import (default: "
                                          "ABUSEDESK_DEFAULT_ENTITY)")
        imp.add_argument("--no-progress", action="store_true", help="no progress bar (for scripts)")
        look = sub.add_parser("lookup", help="who held an address at a time (default: now)")
        look.add_argument("ip")
        look.add_argument("--at", help="ISO 8601 time (UTC unless it says otherwise)")

    def handle(self, *args, action, **options):
        console = Console(file=self.stdout._out)
        if action == "import":
            self._import(console, options["file"], options.get("entity"), options["no_progress"])
        else:
            self._lookup(options["ip"], options.get("at"))

    def _import(self, console, path, entity_code, no_progress):
        try:
            self._import_file(console, path, entity_code, no_progress)
        except MissingEntity as exc:
            raise CommandError(str(exc)) from None

    def _import_file(self, console, path, entity_code, no_progress):
        if not os.path.isfile(path):
            raise CommandError(f"no such file: {path}")
        entity = None
        if entity_code:
            entity = Entity.objects.filter(code=entity_code).first()
            if entity is None:
                raise CommandError(f"no entity with code {entity_code!r}")
        importer = Importer(entity=entity)
        if no_progress:
            result = importer.run(open(path, "rb"))
        else:
            with open(path, "rb") as stream, Progress(
                TextColumn("importing assignments"), BarColumn(), TextColumn("{task.fields[rows]:,} rows"),
                DownloadColumn(), TimeElapsedColumn(), console=console,
            ) as progress:
                task = progress.add_task("import", total=os.path.getsize(path), rows=0)
                result = importer.run(stream, lambda done, rows: progress.update(task, completed=done, rows=rows))
        for error in result.errors:
            console.print(f"[yellow]rejected[/yellow] {error}")
        if result.rejected > len(result.errors):
            console.print(f"... and {result.rejected - len(result.errors)} more rejected rows")
        console.print(
            f"rows {result.rows}, created {result.created}, unchanged {result.unchanged}, closed {result.closed}, "
            f"updated {result.updated}, rejected {result.rejected}, customers created {result.customers_created}, "
            f"{result.seconds:.1f}s"
        )
        # Built now, and saved: workers that start after the import load it instead of building it.
        index = prefix_index.current()
        console.print(f"prefix index: {len(index)} assignments, {index.built_in:.1f}s")

    def _lookup(self, ip, at_text):
        try:
            at = parse_time(at_text) if at_text else clock.now()
        except ValueError as exc:
            raise CommandError(f"bad --at time: {at_text}") from exc
        assignment = match_ip(ip, at)
        if assignment is None:
            self.stdout.write(f"{ip} at {at:%Y-%m-%d %H:%M} UTC: not ours")
            return
        end = f", end customer {assignment.end_customer.reference}" if assignment.end_customer_id else ""
        until = f"{assignment.valid_to:%Y-%m-%d %H:%M}" if assignment.valid_to else "now"
        self.stdout.write(
            f"{ip} at {at:%Y-%m-%d %H:%M} UTC: {assignment.prefix} held by {assignment.customer.reference}{end} "
            f"from {assignment.valid_from:%Y-%m-%d %H:%M} to {until}"
        )
