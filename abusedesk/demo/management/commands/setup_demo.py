from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand

from abusedesk.demo import data, history
from abusedesk.kyc.demo import load_demo as load_kyc_demo

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


class Command(BaseCommand):
    help = ("Migrate the configured database, load the fixed demo data (entities, customers, reseller, "
            "assignments, notifiers, users) and feed the shipped sample notices through the real pipeline.")

    def add_arguments(self, parser):
        parser.add_argument("--no-samples", action="store_true", help="do not ingest the sample notices")
        parser.add_argument("--no-history", action="store_true",
                            help="do not build the year of history behind the dashboard and the report")

    def handle(self, *args, no_samples, no_history=False, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("database migrated")
        counts = data.load()
        self.stdout.write(f"demo data loaded: {counts}")
        self.stdout.write(f"KYC demo data loaded: {load_kyc_demo()}")
        if not no_samples:
            files = sorted(str(p) for p in SAMPLES.iterdir() if p.is_file())
            call_command("ingest", *files, "--no-progress", stdout=self.stdout)
        if not no_history:
            self._history()
        self.stdout.write(self.style.SUCCESS(
            "\nDemo logins:\n"
            "  staff      desk / desk-demo\n"
            "  customer   customer-a / customer-a-demo\n"
            "  customer   customer-b / customer-b-demo\n"
            "  reseller   reseller-c / reseller-c-demo\n"
            "  shop API   shop / shop-demo (KYC orders only)\n"
        ))

    def _history(self):
        """A year of cases through the real workflow (demo.history), with a progress bar."""
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        columns = [TextColumn("building a year of history"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                   TimeElapsedColumn()]
        with Progress(*columns, console=Console(file=self.stdout._out), transient=True) as progress:
            task = progress.add_task("history", total=None)
            made = history.build(progress=lambda done, total: progress.update(task, completed=done, total=total))
        self.stdout.write(f"history: {made['cases']} cases from {made['notices']} notices and "
                          f"{made['removal_orders']} removal orders over the last 365 days")
