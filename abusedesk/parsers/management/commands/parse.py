"""`abusedesk parse FILE...`: parse notices without a database or network."""

import json
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter

from abusedesk.parsers import ParseContext, parse

EPILOG = """\
Output: one JSON object per file, one per line:
  {"file", "format", "kind": "abuse"|"law_enforcement"|"unparseable", "category",
   "events": [{"category", "ip", "url", "domain", "port", "observed_at"}], "errors": [...]}

Formats: ARF (RFC 5965/6591), X-ARF 0.2 and JSON, Shadowserver CSV/zip, ACNS XML,
Spamhaus SBL, abuse.ch (URLhaus, Feodo Tracker), SpamCop, Cloudflare, child-abuse
hotlines, EU TCO removal orders, law-enforcement requests, phishing services,
DMCA, and free text (en/nl/de/fr/es) as the fallback. See docs/parsers.md.

Exit status: 0 if every file was parsed, 1 if any was unparseable or unreadable.

Examples:
  abusedesk parse notice.eml
  abusedesk parse samples/*.eml | jq .category
  abusedesk parse - < notice.eml
"""


class Command(BaseCommand):
    help = "Parse abuse notices (mail, X-ARF JSON, Shadowserver CSV/zip, ACNS XML) and print what they report."
    requires_system_checks = []  # parsing needs no database and no configured apps

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.epilog = EPILOG
        parser.formatter_class = _RawEpilogFormatter
        return parser

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="notice file to parse; '-' reads standard input")
        parser.add_argument(
            "--own-mail-server",
            action="append",
            default=None,
            metavar="HOST|IP|CIDR",
            help="one of our own mail servers, never an offender (repeatable; default: ABUSEDESK_OWN_MAIL_SERVERS)",
        )

    def handle(self, *args, files, own_mail_server, **options):
        servers = own_mail_server if own_mail_server is not None else getattr(settings, "OWN_MAIL_SERVERS", [])
        context = ParseContext(own_mail_servers=tuple(servers))
        failed = 0
        for name in files:
            try:
                data = sys.stdin.buffer.read() if name == "-" else _read(name)
            except OSError as exc:
                out = {"file": name, "format": "unknown", "kind": "unparseable", "category": None, "events": [],
                       "errors": [f"cannot read file: {exc.strerror or exc}"]}
            else:
                out = parse(data, filename=None if name == "-" else name, context=context).contract_dict(name)
            if out["kind"] == "unparseable":
                failed += 1
            self.stdout.write(json.dumps(out))
        if failed:
            raise CommandError(f"{failed} of {len(files)} file(s) unparseable", returncode=1)


def _read(name: str) -> bytes:
    with open(name, "rb") as fh:
        return fh.read()


class _RawEpilogFormatter(DjangoHelpFormatter):
    """Django's help formatter, but the epilog keeps its line breaks."""

    def _fill_text(self, text, width, indent):
        return "".join(indent + line for line in text.splitlines(keepends=True))
