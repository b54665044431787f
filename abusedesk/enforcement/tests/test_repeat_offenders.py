import pytest
from django.contrib.auth.models import User

from abusedesk.cases.services import close, resolve
from abusedesk.enforcement.models import RepeatOffenderThreshold
from abusedesk.enforcement.offenders import flag_for, refresh_flags
from abusedesk.network.models import Customer, Entity
from testkit.pipeline import open_case

pytestmark = pytest.mark.django_db


def validated(n, clock, start=10):
    customer_user, desk = User.objects.get(username="customer-a"), User.objects.get(username="desk")
    for i in range(n):
        case = open_case("spam", f"198.51.100.{start + i}")
        resolve(case, customer_user, "cleaned_server", "fixed")
        close(case, desk, "resolved")


def test_thresholds_raise_warn_then_suspend_in_rolling_windows(demo, clock):
    nl = Entity.objects.get(code="nl")
    RepeatOffenderThreshold.objects.create(entity=nl, step="warn", window_days=7, cases=2)
    RepeatOffenderThreshold.objects.create(entity=nl, step="suspend", window_days=30, cases=4)
    customer = Customer.objects.get(reference="customer-a")
    validated(1, clock)
    assert flag_for(customer) is None
    validated(1, clock, start=20)
    flag = flag_for(customer)
    assert flag.step == "warn" and flag.counts == {"7": 2, "30": 2}
    assert "2 validated cases in 7 days" in flag.reason
    clock.advance(days=10)
    validated(2, clock, start=30)
    assert flag_for(customer).step == "suspend"  # 4 in 30 days
    clock.advance(days=25)  # the first two leave the 30-day window; the last two are 25 days old
    clock.advance(hours=2)
    refresh_flags()
    flag = flag_for(customer)
    assert flag is None  # 0 in 7 days, 2 in 30 days: nothing recommended any more


def test_false_positives_and_disputes_do_not_count(demo, clock):
    nl = Entity.objects.get(code="nl")
    RepeatOffenderThreshold.objects.create(entity=nl, step="warn", window_days=30, cases=1)
    customer_user, desk = User.objects.get(username="customer-a"), User.objects.get(username="desk")
    case = open_case("spam", "198.51.100.50")
    resolve(case, customer_user, "false_positive", "not us")
    close(case, desk, "resolved")
    other = open_case("spam", "198.51.100.51")
    close(other, desk, "dispute_upheld")
    assert flag_for(Customer.objects.get(reference="customer-a")) is None


def test_the_default_ladder_applies_without_entity_rows(demo, clock):
    validated(3, clock)
    assert flag_for(Customer.objects.get(reference="customer-a")).step == "warn"
