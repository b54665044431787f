from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand

from abusedesk.demo import data
from abusedesk.kyc.demo import load_demo as load_kyc_demo

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


class Command(BaseCommand):
    help = ("Migrate the configured database, load the fixed demo data (entities, customers, reseller, "
            "assignments, notifiers, users) and feed the shipped sample notices through the real pipeline.")

    def add_arguments(self, parser):
        parser.add_argument("--no-samples", action="store_true", help="do not ingest the sample notices")

    def handle(self, *args, no_samples, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("database migrated")
        counts = data.load()
        self.stdout.write(f"demo data loaded: {counts}")
        self.stdout.write(f"KYC demo data loaded: {load_kyc_demo()}")
        if not no_samples:
            files = sorted(str(p) for p in SAMPLES.iterdir() if p.is_file())
            call_command("ingest", *files, "--no-progress", stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(
            "\nDemo logins:\n"
            "  staff      desk / desk-demo\n"
            "  customer   customer-a / customer-a-demo\n"
            "  customer   customer-b / customer-b-demo\n"
            "  reseller   reseller-c / reseller-c-demo\n"
            "  shop API   shop / shop-demo (KYC orders only)\n"
        ))
