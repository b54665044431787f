"""Open cases the way intake does (raw message → reports → match → group → notify), minus the parser."""

import itertools

from abusedesk.cases.grouping import target_of
from abusedesk.cases.models import Case, Report
from abusedesk.intake.models import RawMessage
from abusedesk.intake.processing import _process_notice
from abusedesk.parsers.base import Event, NotifierInfo, ParsedNotice

_serial = itertools.count()


def notice_for(category="phishing", ip="198.51.100.10", url="", *, email="", reference=None,
               deadline_hours=None, sensitive=False, evidence="Phishing page for Example Bank", no_reply=False):
    # Each notice its own reference: intake stores a notifier's report with the same
    # reference and target only once.
    reference = reference or f"REF-{next(_serial)}"
    return ParsedNotice(
        format="test", category=category, sensitive=sensitive, deadline_hours=deadline_hours,
        events=[Event(category=category, ip=ip, url=url or None, evidence=evidence, source_ref=reference)],
        notifier=NotifierInfo(email=email, reference=reference, no_reply=no_reply),
    )


def ingest(notice: ParsedNotice, *, notifier=None, channel="smtp") -> list[Case]:
    """Run a parsed notice through reports, matching and grouping; returns its cases."""
    # A notifier given here is one the channel proved (an API key, our MTA's DKIM pass).
    raw = RawMessage.objects.create(content=f"notice {next(_serial)} {id(notice)}".encode(), channel=channel,
                                    notifier=notifier, trusted=bool(notifier and notifier.trusted),
                                    state=RawMessage.State.PROCESSING)
    _process_notice(raw, notice, proven=notifier is not None)
    reports = Report.objects.filter(raw_message=raw, status=Report.Status.MATCHED).order_by("event_index")
    return [Case.objects.get(customer=r.customer, target=target_of(r), category=r.category,
                             state__in=["new", "forwarded", "customer_replied", "escalated"]) for r in reports]


def open_case(category="phishing", ip="198.51.100.10", **kwargs) -> Case:
    notifier = kwargs.pop("notifier", None)
    return ingest(notice_for(category, ip, **kwargs), notifier=notifier)[0]
