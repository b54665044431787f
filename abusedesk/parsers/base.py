"""The contract every parser keeps: bytes in, a ParsedNotice out.

Parsers are pure: no database, no network, no clock other than what the
input says. Whatever they cannot understand becomes an error string in the
result, never an exception that escapes `abusedesk.parsers.parse`.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime

CATEGORIES = (
    "spam",
    "phishing",
    "malware",
    "botnet",
    "ddos",
    "scanning",
    "brute_force",
    "copyright",
    "csam",
    "terrorism",
    "fraud",
    "vulnerable_service",
    "blocklist",
    "other",
)

KIND_ABUSE = "abuse"
KIND_LAW_ENFORCEMENT = "law_enforcement"
KIND_UNPARSEABLE = "unparseable"
# Mail that is no report at all: a bounce, an out-of-office or other automatic
# reply, a ticket system's acknowledgement, a newsletter (parsers/notreport.py).
KIND_NOT_REPORT = "not_report"
KINDS = (KIND_ABUSE, KIND_LAW_ENFORCEMENT, KIND_UNPARSEABLE, KIND_NOT_REPORT)

# The desk's own case reference ("AD-000123"): the subject of every mail a case sends starts
# with it, so a reply to one carries it (cases.models.Case.ref writes it with case_ref).
CASE_REF = re.compile(r"\bAD-\d{6,}\b")


def case_ref(pk: int) -> str:
    return f"AD-{pk:06d}"


class ParseError(Exception):
    """Raised inside a parser for input it cannot accept; the dispatcher
    turns it into `kind: "unparseable"` with the message in `errors`."""


@dataclass(slots=True)
class Event:
    """One abuse observation: the abusing host (never the notifier, a victim
    or a relay), with what was seen and when."""

    category: str
    ip: str | None = None
    url: str | None = None
    domain: str | None = None
    port: int | None = None
    observed_at: datetime | None = None  # timezone-aware, UTC
    evidence: str = ""  # short plain-text excerpt, already sanitised
    source_ref: str | None = None  # the sender's own id for this event, if any
    extra: dict = field(default_factory=dict)

    def contract_dict(self) -> dict:
        """The event as `abusedesk parse` prints it (the parse contract of docs/design.md)."""
        return {
            "category": self.category,
            "ip": self.ip,
            "url": self.url,
            "domain": self.domain,
            "port": self.port,
            "observed_at": self.observed_at.isoformat() if self.observed_at else None,
        }


@dataclass(slots=True)
class NotifierInfo:
    """Who the notice says it comes from. Claims only: trust is decided by
    the channel (configured sender + DKIM/SPF, or an API key), not here."""

    name: str = ""
    email: str = ""
    organisation: str = ""
    reference: str = ""  # the notifier's ticket / case number
    no_reply: bool = False  # do not send automatic replies (feeds, no-reply senders)


@dataclass(slots=True)
class ParsedNotice:
    format: str
    kind: str = KIND_ABUSE
    category: str | None = None
    events: list[Event] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notifier: NotifierInfo = field(default_factory=NotifierInfo)
    subject: str = ""
    message_id: str = ""
    date: datetime | None = None  # when the notice says it was written
    confidence: float = 1.0  # free-text classification confidence, 0..1
    sensitive: bool = False  # child abuse: URL and reference only, compliance role only
    deadline_hours: float | None = None  # a deadline the notice itself imposes (hotline, TCO order)
    meta: dict = field(default_factory=dict)  # format-specific facts (DMCA elements, LE authority, ...)

    def contract_dict(self, filename: str | None = None) -> dict:
        out = {
            "file": filename,
            "format": self.format,
            "kind": self.kind,
            "category": self.category,
            "events": [e.contract_dict() for e in self.events],
            "errors": list(self.errors),
            "warnings": list(self.warnings),
        }
        return out

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(slots=True)
class ParseContext:
    """Configuration a parser may need, passed in so that parsers stay pure."""

    # Addresses/hostnames of the provider's own mail servers: never offenders.
    own_mail_servers: tuple[str, ...] = ()
    # Hard limits against hostile input.
    max_bytes: int = 50 * 1024 * 1024
    max_mime_depth: int = 10
    max_mime_parts: int = 200
    max_zip_members: int = 20
    max_zip_ratio: int = 200
    max_unzipped_bytes: int = 200 * 1024 * 1024
    max_events: int = 1_000_000
