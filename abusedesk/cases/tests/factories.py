"""Factories for case tests (on top of the fixed demo data)."""

from datetime import timedelta

from abusedesk.cases.models import Case
from abusedesk.lib import clock
from abusedesk.network.models import Customer


def make_case(customer_ref="customer-a", ip="198.51.100.10", category="spam", state="new", **kwargs) -> Case:
    customer = Customer.objects.get(reference=customer_ref)
    now = clock.now()
    defaults = dict(
        entity=customer.entity, customer=customer, category=category, target=ip, ip=ip, state=state,
        received_at=now, first_seen=now, last_seen=now, deadline=now + timedelta(hours=48), deadline_hours=48,
        report_count=1,
    )
    defaults.update(kwargs)
    return Case.objects.create(**defaults)
