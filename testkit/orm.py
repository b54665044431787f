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


def make_case(customer_ref: str = "customer-a", *, category="phishing", ip=None, state="forwarded", report=True,
              sensitive=False, evidence="log line", url="", end_customer_ref=None, raw=None, opened_hours_ago=1,
              hours_left=10, deadline_hours=24, **fields) -> Case:
    """A case made by the ORM (testkit.pipeline makes one through the real pipeline instead).

    Opened `opened_hours_ago` hours ago (forwarded then, unless it is new), `hours_left` to its
    deadline, with one matched report of notice `raw` (a new notice by default); `report=False`:
    only the case row, for the state machine and the API's filters. `fields` set any other
    column or replace any of these (end_customer, received_at, ...)."""
    n = next(_seq)
    customer = Customer.objects.get(reference=customer_ref)
    end = Customer.objects.get(reference=end_customer_ref) if end_customer_ref else None
    now = clock.now()
    opened = now - timedelta(hours=opened_hours_ago)
    ip = ip or f"198.51.100.{n % 100 + 1}"
    values = dict(
        entity=customer.entity, customer=customer, end_customer=end, category=category, target=url or ip, ip=ip,
        url=url, state=state, sensitive=sensitive, received_at=opened, first_seen=opened, last_seen=now,
        report_count=1, deadline=now + timedelta(hours=hours_left), deadline_hours=deadline_hours,
        forwarded_at=None if state == "new" else opened,
    )
    case = Case.objects.create(**(values | fields))
    if report:
        Report.objects.create(
            raw_message=raw or raw_message(), event_index=n, category=category, ip=ip, url=url,
            received_at=case.received_at, evidence=evidence, fingerprint=n, status=Report.Status.MATCHED,
            customer=customer, case=case, source_ref=f"REF-{n}",
        )
    return case
