"""Cases with known timestamps, written directly: the figures are checked against hand-computed values."""

from datetime import UTC, datetime, timedelta

import pytest

from abusedesk.cases.models import Case
from abusedesk.network.models import Customer, Entity

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


class Builder:
    def __init__(self):
        self.nl = Entity.objects.create(code="nl", name="Example NL B.V.", abuse_email="abuse@nl.example",
                                        jurisdiction="NL")
        self.us = Entity.objects.create(code="us", name="Example USA Inc.", abuse_email="abuse@us.example",
                                        jurisdiction="US")
        self.customers = {
            e.code: Customer.objects.create(entity=e, reference=f"c-{e.code}", name=f"Customer {e.code}")
            for e in (self.nl, self.us)
        }
        self.n = 0

    def case(self, *, entity="nl", category="spam", received=T0, deadline_h=48.0, state="forwarded",
             forwarded_h=None, resolved_h=None, restricted_h=None, close_reason="", resolution="",
             notifier=None, **extra):
        """A case received at `received`; the *_h arguments are hours after it (None: not set)."""
        self.n += 1
        customer = self.customers[entity]

        def at(h):
            return None if h is None else received + hours(h)

        return Case.objects.create(
            entity=customer.entity, customer=customer, category=category, target=f"192.0.2.{self.n % 250}#{self.n}",
            state=state, received_at=received, first_seen=received, last_seen=received,
            deadline=at(deadline_h), deadline_hours=deadline_h, forwarded_at=at(forwarded_h),
            resolved_at=at(resolved_h), restricted_at=at(restricted_h), close_reason=close_reason,
            resolution=resolution, notifier=notifier, **extra,
        )


@pytest.fixture
def build(db):
    return Builder()
