from datetime import timedelta

import pytest

from abusedesk.intake.models import Notifier
from abusedesk.network.models import Customer, Entity
from abusedesk.policy.deadlines import deadline_hours, reminder_percentages
from abusedesk.policy.models import CustomerDeadline, DeadlinePolicy, NotifierDeadline
from testkit.pipeline import open_case

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("category,hours", [
    ("csam", 1), ("terrorism", 1), ("phishing", 24), ("malware", 24), ("botnet", 24), ("fraud", 24),
    ("spam", 48), ("scanning", 48), ("copyright", 48), ("other", 48), ("vulnerable_service", 72),
])
def test_the_defaults_of_the_design_apply_without_a_policy(demo, category, hours):
    assert deadline_hours(Entity.objects.get(code="nl"), category) == hours


def test_an_entity_policy_replaces_the_default(demo):
    nl, us = Entity.objects.get(code="nl"), Entity.objects.get(code="us")
    DeadlinePolicy.objects.create(entity=nl, category="spam", hours=12, reminders="25, 75,junk,150")
    assert deadline_hours(nl, "spam") == 12
    assert deadline_hours(us, "spam") == 48
    assert reminder_percentages(nl, "spam") == [25, 75]
    assert reminder_percentages(us, "spam") == [50, 90]


def test_a_notifier_override_shortens_but_never_lengthens(demo):
    nl = Entity.objects.get(code="nl")
    hotline = Notifier.objects.get(kind="hotline")
    NotifierDeadline.objects.create(notifier=hotline, category="", hours=4)
    NotifierDeadline.objects.create(notifier=hotline, category="phishing", hours=2)
    assert deadline_hours(nl, "phishing", notifier=hotline) == 2  # category-specific row wins
    assert deadline_hours(nl, "spam", notifier=hotline) == 4
    assert deadline_hours(nl, "csam", notifier=hotline) == 1  # 4 h would lengthen: ignored


def test_a_customer_override_replaces_the_policy_and_the_notice_still_shortens(demo):
    nl = Entity.objects.get(code="nl")
    risky = Customer.objects.get(reference="customer-b")
    CustomerDeadline.objects.create(customer=risky, category="", hours=6, reason="high risk")
    CustomerDeadline.objects.create(customer=risky, category="vulnerable_service", hours=96)
    assert deadline_hours(nl, "spam", customer=risky) == 6
    assert deadline_hours(nl, "vulnerable_service", customer=risky) == 96
    assert deadline_hours(nl, "spam", customer=risky, notice_hours=3) == 3
    assert deadline_hours(nl, "spam", customer=risky, notice_hours=0) == 6  # nonsense from a notice is ignored


def test_a_new_case_stores_its_deadline_once_with_the_overrides(demo, clock):
    customer_b = Customer.objects.get(reference="customer-b")
    CustomerDeadline.objects.create(customer=customer_b, category="phishing", hours=8)
    case = open_case("phishing", "198.51.100.200")
    assert case.deadline_hours == 8
    assert case.deadline == case.received_at + timedelta(hours=8)
    CustomerDeadline.objects.update(hours=2)
    case.refresh_from_db()
    assert case.deadline_hours == 8  # computed once, not re-read
