"""`abusedesk doctor`: what a working desk still lacks, with the fix for each."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from rich.console import Console

from abusedesk.readiness import ESSENTIAL, findings


class Command(BaseCommand):
    help = ("Check the set-up: entity, assignments, abuse contacts, staff, outgoing mail, intake, and in "
            "production Django's deployment checks. Exits non-zero while something essential is missing, "
            "so deployment scripts can run it.")

    def add_arguments(self, parser):
        parser.add_argument("--no-intake-check", action="store_true",
                            help="do not try to reach the SMTP intake (e.g. before the processes start)")

    def handle(self, *args, no_intake_check, **options):
        console = Console(file=self.stdout._out, highlight=False, soft_wrap=True)
        try:
            found = findings(check_intake=not no_intake_check)
        except DatabaseError as exc:
            raise CommandError(f"the database cannot be read: {str(exc).strip().splitlines()[0]}") from None
        if not found:
            console.print("[green]ok[/green]: nothing is missing")
            return
        for f in found:
            mark = "[red]essential[/red]" if f.level == ESSENTIAL else "[yellow]warning[/yellow]"
            console.print(f"{mark} {f.code}: {f.message}\n    fix: {f.fix}")
        essential = sum(f.level == ESSENTIAL for f in found)
        if essential:
            raise CommandError(f"{essential} essential item(s) missing")
