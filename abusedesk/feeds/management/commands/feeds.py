"""abusedesk feeds add|run|list|status (docs/feeds.md)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from abusedesk.feeds import config
from abusedesk.feeds.models import Feed, FeedRun
from abusedesk.feeds.runner import Busy, run_feed


class Command(BaseCommand):
    help = "Feed collectors: add a feed, run one now, list them, show their state."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{add,run,list,status}")
        subparser = sub.add_parser
        add = subparser("add", help="add a feed (or change the one of that name)",
                        description="Add a feed. Secrets never go on the command line: give "
                                    "--option secret-file=PATH or --option secret-env=NAME.")
        add.add_argument("name", help="a short name: letters, digits, - and _")
        add.add_argument("--kind", required=True, choices=[k.value for k in Feed.Kind])
        add.add_argument("--url", required=True, help="the list, dump or API base URL")
        add.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                         help="a per-kind option (docs/feeds.md); repeat for more")
        add.add_argument("--interval", type=int, default=60, metavar="MINUTES", help="minutes between runs")
        add.add_argument("--disabled", action="store_true", help="add it switched off")
        run = subparser("run", help="run one feed now and print a summary",
                        description="Run one feed now; exit 0 when the run succeeded.")
        run.add_argument("name")
        run.add_argument("--no-progress", action="store_true", help="no progress bar (for scripts)")
        subparser("list", help="the feeds and their settings (no secrets)", description="List the feeds.")
        subparser("status", help="each feed's last run, next run and last error",
                  description="Show each feed's last run, next run and last error.")

    def handle(self, *args, action, **options):
        console = Console(file=self.stdout._out, width=140)
        getattr(self, f"_{action}")(console, **options)

    def _add(self, console, *, name, kind, url, option, interval, disabled, **_):
        try:
            opts = config.parse_options(option)
            with transaction.atomic():
                feed, created = config.save_feed(name, kind, url, opts, interval, enabled=not disabled)
        except config.Invalid as exc:
            raise CommandError(str(exc)) from None
        console.print(f"feed {feed.name} {'added' if created else 'changed'} ({feed.get_kind_display()})")

    def _run(self, console, *, name, no_progress, **_):
        feed = Feed.objects.filter(name=name).first()
        if feed is None:
            raise CommandError(f"no feed named {name!r} (abusedesk feeds list shows them)")
        try:
            if no_progress:
                run = run_feed(feed, trigger="command")
            else:
                with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[detail]}"),
                              TimeElapsedColumn(), console=console, transient=True) as progress:
                    fetch = progress.add_task(f"fetch {feed.name}", total=None, detail="")
                    events = progress.add_task("events", total=None, detail="")

                    def on_bytes(done, total):
                        progress.update(fetch, completed=done, total=total,
                                        detail=f"{done / 2**20:.1f} MiB" + (f" of {total / 2**20:.1f}" if total else ""))

                    def on_events(done, total):
                        progress.update(events, completed=done, total=total, detail=f"{done} of ~{total}")

                    run = run_feed(feed, trigger="command", on_bytes=on_bytes, on_events=on_events)
        except Busy as exc:
            raise CommandError(str(exc)) from None
        table = Table(title=f"feed {feed.name}: run {run.pk}")
        table.add_column("what")
        table.add_column("value", justify="right")
        for label, value in (("state", run.state), ("downloads stored", run.items), ("bytes", run.bytes),
                             ("events", run.events), ("matched", run.matched), ("cases new", run.cases_new),
                             ("cases updated", run.cases_updated),
                             ("seconds", f"{(run.finished_at - run.started_at).total_seconds():.1f}")):
            table.add_row(label, str(value))
        console.print(table)
        if not run.ok:
            raise CommandError(f"feed {feed.name} failed: {run.error}")

    def _list(self, console, **_):
        table = Table(title="feeds")
        for column in ("name", "kind", "url", "every (min)", "enabled", "options"):
            table.add_column(column)
        for feed in Feed.objects.all():
            table.add_row(feed.name, feed.kind, config.shown_url(feed.url), str(feed.interval_minutes),
                          "yes" if feed.enabled else "no", config.shown_options(feed.options))
        console.print(table)

    def _status(self, console, **_):
        table = Table(title="feed status")
        for column in ("name", "last run", "state", "events", "cases new", "last success", "next run",
                       "failures", "last error"):
            table.add_column(column)
        for feed in Feed.objects.all():
            run = FeedRun.objects.filter(feed=feed).first()
            table.add_row(feed.name, _when(run.started_at if run else None), run.state if run else "never",
                          str(run.events if run else 0), str(run.cases_new if run else 0),
                          _when(feed.last_success_at), _when(feed.next_run_at) if feed.enabled else "disabled",
                          str(feed.failures), feed.last_error[:80])
        console.print(table)


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"
