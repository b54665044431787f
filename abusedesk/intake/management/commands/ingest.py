import os

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from abusedesk.intake.ingest import SUMMARY_KEYS, ingest_files


class Command(BaseCommand):
    help = "Run the full pipeline on notice files (raw store, parse, match, group, notify) and print a summary."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="mail (.eml), X-ARF JSON, Shadowserver CSV/zip, text ...")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar (for scripts)")

    def handle(self, *args, files, no_progress, **options):
        console = Console(file=self.stdout._out)
        missing = [f for f in files if not os.path.isfile(f)]
        if missing:
            raise CommandError(f"no such file: {', '.join(missing)}")
        if no_progress:
            totals = ingest_files(files)
        else:
            with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), console=console) as progress:
                file_task = progress.add_task("files", total=len(files))
                event_task = progress.add_task("events", total=None)

                def on_chunk(done, total):
                    progress.update(event_task, completed=done, total=total)

                def on_file(path, raw, summary):
                    # The file's events are all done: the bar ends full (the next file's first
                    # chunk sets its own count and total).
                    events = summary.get("events", raw.event_count or 0)
                    progress.update(event_task, completed=events, total=max(events, 1))
                    progress.advance(file_task)

                totals = ingest_files(files, on_file, on_chunk)
        table = Table(title="ingest summary")
        table.add_column("what")
        table.add_column("count", justify="right")
        for key in ("files", *SUMMARY_KEYS, "already_ingested", "held_elsewhere", "to_staff_queue", "seconds",
                    "events_per_second"):
            table.add_row(key.replace("_", " "), str(totals.get(key, 0)))
        console.print(table)
        for message in totals.get("messages", []):
            self.stderr.write(message)
        if totals.get("held_elsewhere"):
            raise CommandError(f"{totals['held_elsewhere']} file(s) not processed now: held by another process")
