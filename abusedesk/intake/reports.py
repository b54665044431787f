"""Turn a parsed event into a report row, and recognise a report seen before.

A ReportRow is a plain slotted object, not a model instance: feeds produce
hundreds of thousands of them, written with one multi-row INSERT per chunk.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from datetime import datetime

from abusedesk.cases.models import CHILD_ABUSE, Report

FIELDS = ["raw_message_id", "event_index", "notifier_id", "category", "ip", "url", "domain", "port",
          "observed_at", "received_at", "evidence", "source_ref", "fingerprint", "status", "reason",
          "customer_id", "assignment_id", "case_id", "created_at"]


# A packed row (`pack`): FIELDS but the last two, case_id and created_at, which its writer adds.
PACKED_FIELDS = FIELDS[:-2]
FINGERPRINT = FIELDS.index("fingerprint")


def fingerprint(notifier_key, category, ip, url, port, observed_at, source_ref) -> int:
    """Same notifier and either the same reference or the same content: the same report.

    The value is stored and compared with earlier reports: it must never change
    for the same inputs (tests pin it). It is the first 64 bits of the key's
    sha256, as a signed integer (a BIGINT column)."""
    if source_ref:
        # The notifier's own id for this observation: resending it is the same report.
        key = f"{notifier_key}|ref|{source_ref}"
    else:
        when = _isoformat(observed_at) if observed_at else ""
        key = f"{notifier_key or ''!s}|{category or ''!s}|{ip or ''!s}|{url or ''!s}|{port or ''!s}|{when}"
    # Copying a prepared context is cheaper than making a new one.
    h = _SHA256.copy()
    h.update(key.encode("utf-8", "replace"))
    # 64 bits, an integer: its index costs a feed's inserts less than half the time of the
    # 128-bit hex text it replaces. Among N reports about N²/2^65 pairs collide
    # (0.03 in a billion); a report colliding with a stored one is taken for its
    # duplicate and not stored (the look-up is by fingerprint alone).
    return _first_64_bits(h.digest())[0]


_SHA256 = hashlib.sha256()
# int.from_bytes(digest[:8], "big", signed=True) without parsing keyword
# arguments: 50 ms less per 200,000 rows.
_first_64_bits = struct.Struct(">q").unpack_from
# The previous time and its isoformat(): a feed's rows come in runs of the same
# time (the same object, from the parser), and isoformat costs more than the rest
# of the key. Compared by identity, so any datetime prints as it always did;
# one tuple swapped whole, so threads cannot mix a time with another's text.
_last_time: tuple[datetime | None, str] = (None, "")


def _isoformat(dt: datetime) -> str:
    global _last_time
    last, text = _last_time
    if dt is not last:
        text = dt.isoformat()
        _last_time = (dt, text)
    return text


@dataclass(slots=True)
class ReportRow:
    raw_message_id: int
    event_index: int
    notifier_id: int | None
    category: str
    ip: str | None
    url: str
    domain: str
    port: int | None
    observed_at: datetime | None
    received_at: datetime
    evidence: str
    source_ref: str
    fingerprint: int
    status: str = Report.Status.UNMATCHED
    reason: str = ""
    customer_id: int | None = None
    assignment_id: int | None = None
    case_id: int | None = None
    end_customer_id: int | None = None  # not stored on the report; the case keeps it

    @property
    def seen_at(self) -> datetime:
        return self.observed_at or self.received_at


def pack(rows, adapt_time) -> list[tuple]:
    """The rows' PACKED_FIELDS values as the database stores them, times adapted
    with `adapt_time` (lib.bulk.datetime_adapter). A feed's second process packs
    its rows, so that their writer only adds the case and sends them on."""
    packed = []
    append = packed.append
    # A feed's rows come in runs of the same times (the same objects): adapted once a run.
    observed = observed_text = received = received_text = None
    for r in rows:
        if r.observed_at is not observed:
            observed = r.observed_at
            observed_text = None if observed is None else adapt_time(observed)
        if r.received_at is not received:
            received = r.received_at
            received_text = adapt_time(received)
        append((r.raw_message_id, r.event_index, r.notifier_id, r.category, r.ip, r.url, r.domain, r.port,
                observed_text, received_text, r.evidence, r.source_ref, r.fingerprint, r.status, r.reason,
                r.customer_id, r.assignment_id))
    return packed


@dataclass(frozen=True, slots=True)
class NoticeFacts:
    """What the rows of one notice share."""

    category: str | None = None
    sensitive: bool = False
    reference: str = ""  # the notifier's ticket number
    deadline_hours: float | None = None


def notifier_key(raw) -> str:
    # Without a known notifier, the sender address stands for it.
    return f"n{raw.notifier_id}" if raw.notifier_id else f"from:{(raw.envelope_from or '').lower()}"


def row_from_event(raw, facts: NoticeFacts, index: int, event, key: str) -> ReportRow:
    return row_maker(raw, facts, key)(index, event)


def row_maker(raw, facts: NoticeFacts, key: str):
    """row_from_event for the events of one notice: what they share is looked up once."""
    raw_message_id, notifier_id, received_at = raw.pk, raw.notifier_id, raw.received_at
    # An event without its own time or reference is only the same report as
    # another within the same notice (resent notices are caught by the raw
    # store's content hash).
    own_scope = f"{key}|{raw.sha256}"
    default_category = facts.category or "other"
    sensitive, reference = facts.sensitive, facts.reference or ""

    def make(index: int, event) -> ReportRow:
        ip, url, port, observed_at = event.ip, event.url, event.port, event.observed_at
        category = event.category or default_category
        source_ref = event.source_ref or ""
        if sensitive or category == CHILD_ABUSE:
            # Child abuse: URL and reference only, never content, whatever parser made the event
            # (a free-text notice is not marked sensitive by its parser, its category is csam).
            evidence = " ".join(x for x in (url or "", reference) if x)
        else:
            evidence = event.evidence or ""
        scope = key if (observed_at or source_ref) else own_scope
        fp = fingerprint(scope, category, ip, url, port, observed_at, source_ref)
        if port is not None and not 0 <= port <= 65535:
            port = None
        # Positional, in field order: keywords would make the class call pack them into a dict.
        return ReportRow(raw_message_id, index, notifier_id, category, ip or None, (url or "")[:8000],
                         (event.domain or "")[:255], port, observed_at, received_at, evidence[:4000],
                         (source_ref or reference)[:200], fp)

    return make
