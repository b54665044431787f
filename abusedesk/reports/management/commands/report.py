"""`abusedesk report transparency ...` and `abusedesk report statements ...`: the published numbers."""

import os
from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from abusedesk.reports import render, tdb, transparency


class Command(BaseCommand):
    help = "Publish the numbers: the yearly transparency report, or the statements of reasons for the EU database."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True, metavar="{transparency,statements}")
        tr = sub.add_parser(
            "transparency", help="the transparency report of a year",
            description="The transparency report of a calendar year (UTC): compliance rate, uptime, notices, "
                        "enforcement, law enforcement, KYC, DSA Art 15(1) and TCO Art 7. JSON is the source of "
                        "the other formats; the definitions are in docs/reports.md.")
        tr.add_argument("--year", type=int, required=True, help="calendar year, e.g. 2026")
        tr.add_argument("--entity", action="append", default=[], metavar="CODE",
                        help="only this entity (repeat for several; default: all)")
        tr.add_argument("--language", choices=render.LANGUAGES, default="en", help="language of HTML and PDF")
        tr.add_argument("--format", choices=render.FORMATS, required=True)
        tr.add_argument("-o", "--output", required=True, metavar="FILE", help="where to write it ('-': stdout)")
        tr.add_argument("--no-progress", action="store_true", help="no progress display (for scripts)")
        st = sub.add_parser(
            "statements", help="statements of reasons in the EU DSA Transparency Database format",
            description="Every statement of reasons issued since DATE, as a JSON list in the field structure "
                        "of the EU DSA Transparency Database (ready to submit).")
        st.add_argument("--since", required=True, metavar="DATE", help="ISO date, e.g. 2026-01-01 (UTC)")
        st.add_argument("-o", "--output", required=True, metavar="FILE", help="where to write it ('-': stdout)")

    def handle(self, *args, what, **options):
        if what == "transparency":
            data = self._transparency(options)
        else:
            data = self._statements(options["since"])
        self._write(options["output"], data)

    def _transparency(self, options) -> bytes:
        try:
            scope = transparency.year_scope(options["year"], options["entity"])
        except transparency.ReportError as exc:
            raise CommandError(str(exc)) from None
        if options["format"] == "pdf" and options["output"] == "-":
            raise CommandError("a PDF needs -o FILE, not stdout")
        fmt, language = options["format"], options["language"]
        try:
            if options["no_progress"] or options["output"] == "-":
                return render.render(transparency.build(scope), fmt, language)
            with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                          console=Console(file=self.stderr._out), transient=True) as progress:
                task = progress.add_task(f"counting {scope.start:%Y}")
                report = transparency.build(scope)
                progress.update(task, description=f"rendering {fmt}")
                return render.render(report, fmt, language)
        except OSError as exc:  # WeasyPrint without its system libraries (pango)
            raise CommandError(f"cannot render the PDF: {exc}") from None

    def _statements(self, since: str) -> bytes:
        try:
            start = datetime.fromisoformat(since)
        except ValueError:
            raise CommandError(f"--since: not an ISO date: {since!r}") from None
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        return tdb.export_json(start).encode()

    def _write(self, output: str, data: bytes) -> None:
        if output == "-":
            self.stdout.write(data.decode(), ending="")
            return
        directory = os.path.dirname(os.path.abspath(output))
        if not os.path.isdir(directory):
            raise CommandError(f"no such directory: {directory}")
        try:
            with open(output, "wb") as f:
                f.write(data)
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc.strerror}") from None
        self.stderr.write(f"wrote {output} ({len(data)} bytes)")
