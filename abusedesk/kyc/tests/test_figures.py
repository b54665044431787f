"""The transparency report's kyc section."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import User

from abusedesk.kyc import services
from abusedesk.kyc.figures import transparency_section
from abusedesk.network.models import Entity

from .conftest import order_fields

pytestmark = pytest.mark.django_db


def test_orders_decisions_re_reviews_and_terminations_are_counted_per_period_and_entity(demo, clock, kyc_user,
                                                                                        ex_shady):
    from abusedesk.enforcement.actions import approve, execute_due, propose
    from testkit.orm import make_case

    nl = Entity.objects.get(code="nl")
    other = Entity.objects.get(code="us")
    start = clock.now
    a = services.submit_order(nl, order_fields())
    b = services.submit_order(nl, order_fields(company_name="Shady Hosting Ltd"))
    c = services.submit_order(nl, order_fields(email="x@mailinator.com"))
    d = services.submit_order(nl, order_fields(company_name="Fraudster Ltd"))
    services.submit_order(other, order_fields())
    services.approve(a, kyc_user)
    services.reject(b, kyc_user, "ex_customer")
    services.reject(c, kyc_user, "fraud")
    services.reject(d, kyc_user, "fraud")
    services.open_review(ex_shady, "offender", evidence=["x"])
    case = make_case("customer-a", ip="198.51.100.10")
    desk, second = User.objects.get(username="desk"), User.objects.create_user("desk2", is_staff=True)
    action = propose(case, "terminate", desk, "again")
    approve(action, desk)
    approve(action, second)
    execute_due()
    clock.advance(days=40)
    services.submit_order(nl, order_fields())  # after the period

    figures = transparency_section(start, start + timedelta(days=30), ["nl"])
    assert figures == {
        "orders_screened": 4,
        "orders_by_risk_level": {"low": 2, "medium": 1, "high": 1},
        "orders_approved": 1,
        "orders_rejected": 3,
        "rejected_by_reason": {"ex_customer": 1, "fraud": 2},
        "customers_rereviewed": 1,
        "terminations": 1,
    }
    everything = transparency_section(start, start + timedelta(days=60), None)
    assert everything["orders_screened"] == 6
    assert transparency_section(start, start + timedelta(days=30), ["us"])["orders_screened"] == 1
    empty = transparency_section(datetime(2020, 1, 1, tzinfo=UTC), datetime(2021, 1, 1, tzinfo=UTC), [])
    assert empty["orders_screened"] == 0 and empty["rejected_by_reason"] == {}
