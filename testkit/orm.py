"""Cases and notices for the portal, desk and API tests (on top of the demo data)."""

import itertools
from datetime import timedelta

from abusedesk.cases.models import Case, Report
from abusedesk.intake.models import RawMessage
from abusedesk.lib import clock
from abusedesk.network.models import Customer

_seq = itertools.count(1)

HOSTILE = (
    '<script>alert("x")</script><img src=x onerror=alert(1)><svg/onload=alert(2)>'
    '"><iframe src="javascript:alert(3)"></iframe><a href="javascript:alert(4)">click</a>'
    "<style>body{display:none}</style>{{ 7*7 }}{% now 'Y' %}&lt;b&gt;"
)


def raw_message(content: bytes = b"", **kw) -> RawMessage:
    n = next(_seq)
    content = content or f"From: reporter@example.net\nSubject: abuse {n}\n\nbody {n}\n".encode()
    return RawMessage.objects.create(content=content, channel=kw.pop("channel", "smtp"), **kw)


def make_case(customer_ref: str, *, category="phishing", ip=None, state="forwarded", sensitive=False,
              evidence="log line", url="", end_customer_ref=None, raw=None, hours_left=10, **kw) -> Case:
    n = next(_seq)
    customer = Customer.objects.get(reference=customer_ref)
    end = Customer.objects.get(reference=end_customer_ref) if end_customer_ref else None
    now = clock.now()
    ip = ip or f"198.51.100.{n % 100 + 1}"
    case = Case.objects.create(
        entity=customer.entity, customer=customer, end_customer=end, category=category,
        target=url or ip, ip=ip, url=url, state=state, sensitive=sensitive, received_at=now - timedelta(hours=1),
        first_seen=now - timedelta(hours=1), last_seen=now, report_count=1, deadline=now + timedelta(hours=hours_left),
        deadline_hours=24, forwarded_at=now - timedelta(hours=1), **kw,
    )
    raw = raw or raw_message()
    Report.objects.create(
        raw_message=raw, event_index=n, category=category, ip=ip, url=url, received_at=now - timedelta(hours=1),
        evidence=evidence, fingerprint=n, status=Report.Status.MATCHED, customer=customer, case=case,
        source_ref=f"REF-{n}",
    )
    return case


def bare_case(customer_ref="customer-a", ip="198.51.100.10", category="spam", state="new", **kwargs) -> Case:
    """Only the case row (no report, no notice), new, 48 h: for the state machine and API filters."""
    customer = Customer.objects.get(reference=customer_ref)
    now = clock.now()
    defaults = dict(
        entity=customer.entity, customer=customer, category=category, target=ip, ip=ip, state=state,
        received_at=now, first_seen=now, last_seen=now, deadline=now + timedelta(hours=48), deadline_hours=48,
        report_count=1,
    )
    defaults.update(kwargs)
    return Case.objects.create(**defaults)
