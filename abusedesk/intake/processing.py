"""Process one RawMessage: parse → reports → match → group → notify.

Idempotent: a RawMessage is claimed from its row, everything it produces is
written in one transaction, and reports are unique per (raw message, event
index), so a crash at any point is repaired by running it again.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from abusedesk.cases.grouping import Grouper
from abusedesk.cases.models import Report
from abusedesk.lib import clock
from abusedesk.lib.claims import claim
from abusedesk.network.matching import match_ip
from abusedesk.parsers import ParseContext, parse
from abusedesk.parsers.base import KIND_LAW_ENFORCEMENT, KIND_UNPARSEABLE

from . import replies, trust
from .models import RawMessage
from .resolve import resolve_event

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3


def parse_context() -> ParseContext:
    return ParseContext(own_mail_servers=tuple(settings.OWN_MAIL_SERVERS))


def claim_raw(raw_id: int) -> RawMessage | None:
    stale = clock.now() - timedelta(seconds=settings.CLAIM_TIMEOUT)
    return claim(RawMessage, raw_id, [RawMessage.State.NEW], RawMessage.State.PROCESSING, stale)


def process_raw_message(raw_id: int) -> dict | None:
    """Claim and process; returns a summary, or None if another worker has it."""
    raw = claim_raw(raw_id)
    if raw is None:
        return None
    try:
        with transaction.atomic():
            summary = _process(raw)
    except Exception as exc:
        log.exception("processing raw message %s failed", raw_id)
        raw.attempts += 1
        raw.errors = [f"internal error: {type(exc).__name__}: {exc}"[:500]]
        if raw.attempts >= MAX_ATTEMPTS:
            raw.state = RawMessage.State.FAILED
            raw.needs_staff = True
            raw.staff_reason = "processing failed repeatedly"
        else:
            raw.state = RawMessage.State.NEW
        raw.save()
        return {"error": str(exc)}
    return summary


def _process(raw: RawMessage) -> dict:
    content = bytes(raw.content)
    case = replies.case_for_reply(raw.envelope_to, content) if raw.channel == RawMessage.Channel.SMTP else None
    if case is not None:
        replies.thread_reply(raw, case)
        raw.kind = "reply"
        raw.state = RawMessage.State.DONE
        raw.processed_at = clock.now()
        raw.save()
        return {"events": 0, "reply_to_case": case.pk}
    if raw.notifier_id is None and raw.channel in (RawMessage.Channel.SMTP, RawMessage.Channel.IMAP):
        raw.notifier, raw.trusted = trust.identify(content, raw.envelope_from)
    notice = parse(content, raw.filename or None, parse_context())
    raw.format = notice.format[:40]
    raw.kind = notice.kind
    raw.category = notice.category or ""
    raw.subject = (notice.subject or "")[:500]
    raw.errors = list(notice.errors)[:50]
    raw.event_count = len(notice.events)
    summary = {"events": len(notice.events), "matched": 0, "unmatched": 0, "cases_new": 0, "cases_updated": 0,
               "duplicates": 0}

    if notice.kind == KIND_UNPARSEABLE:
        _to_staff(raw, notice.errors[0] if notice.errors else "unparseable")
    elif notice.kind == KIND_LAW_ENFORCEMENT:
        # Never forwarded to a customer: the compliance team registers it.
        _store_reports(raw, notice, status=Report.Status.LAW_ENFORCEMENT)
        _to_staff(raw, "law-enforcement request")
    elif not notice.events:
        _to_staff(raw, notice.errors[0] if notice.errors else "no IP address, URL or domain found")
    else:
        grouper = Grouper(raw, notice)
        for report in _store_reports(raw, notice):
            if report is None:
                summary["duplicates"] += 1
                continue
            if resolve_event(report, match_ip):
                summary["matched"] += 1
                grouper.add(report)
            else:
                summary["unmatched"] += 1
        summary["cases_new"], summary["cases_updated"] = grouper.finish()
        if summary["unmatched"] and not summary["matched"]:
            _to_staff(raw, "no IP address of ours found")

    raw.state = RawMessage.State.DONE
    raw.processed_at = clock.now()
    raw.save()
    return summary


def _to_staff(raw: RawMessage, reason: str) -> None:
    raw.needs_staff = True
    raw.staff_reason = reason[:200]


def _store_reports(raw: RawMessage, notice, status: str = ""):
    """Yield a saved Report per event (None for a duplicate of an earlier report)."""
    from .reports import report_from_event

    for index, event in enumerate(notice.events):
        report = report_from_event(raw, notice, index, event)
        if status:
            report.status = status
        if Report.objects.filter(fingerprint=report.fingerprint).exclude(raw_message=raw).exists():
            yield None
            continue
        report.save()
        yield report
