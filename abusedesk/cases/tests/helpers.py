"""Open cases the way intake does (raw message → reports → match → Grouper), minus the parser."""

import itertools

from abusedesk.cases.grouping import Grouper, target_of
from abusedesk.cases.models import Case
from abusedesk.intake.models import RawMessage
from abusedesk.intake.reports import report_from_event
from abusedesk.intake.resolve import resolve_event
from abusedesk.network.matching import match_ip
from abusedesk.parsers.base import Event, NotifierInfo, ParsedNotice

_serial = itertools.count()


def notice_for(category="phishing", ip="198.51.100.10", url="", *, email="", reference="REF-1",
               deadline_hours=None, sensitive=False, evidence="Phishing page for Example Bank", no_reply=False):
    return ParsedNotice(
        format="test", category=category, sensitive=sensitive, deadline_hours=deadline_hours,
        events=[Event(category=category, ip=ip, url=url or None, evidence=evidence, source_ref=reference)],
        notifier=NotifierInfo(email=email, reference=reference, no_reply=no_reply),
    )


def ingest(notice: ParsedNotice, *, notifier=None, channel="smtp") -> list[Case]:
    """Run a parsed notice through reports, matching and grouping; returns its cases."""
    raw = RawMessage.objects.create(content=f"notice {next(_serial)} {id(notice)}".encode(), channel=channel,
                                    notifier=notifier, state=RawMessage.State.DONE)
    grouper = Grouper(raw, notice)
    reports = []
    for index, event in enumerate(notice.events):
        report = report_from_event(raw, notice, index, event)
        report.save()
        if resolve_event(report, match_ip):
            grouper.add(report)
            reports.append(report)
    grouper.finish()
    return [Case.objects.get(customer=r.customer, target=target_of(r), category=r.category,
                             state__in=["new", "forwarded", "customer_replied", "escalated"]) for r in reports]


def open_case(category="phishing", ip="198.51.100.10", **kwargs) -> Case:
    notifier = kwargs.pop("notifier", None)
    return ingest(notice_for(category, ip, **kwargs), notifier=notifier)[0]
