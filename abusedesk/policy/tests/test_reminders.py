import pytest

from abusedesk.outbox.models import OutgoingMail
from abusedesk.policy.followup import followup_due
from abusedesk.sweep import run_sweep
from testkit.pipeline import open_case

pytestmark = pytest.mark.django_db


def reminders(case):
    return list(OutgoingMail.objects.filter(case=case, kind="reminder").order_by("id"))


def test_reminders_go_out_at_half_and_ninety_percent_once_each(demo, clock):
    case = open_case("phishing")  # 24 h
    clock.advance(hours=11, minutes=59)
    run_sweep()
    assert reminders(case) == []
    clock.advance(minutes=1)  # 50 %
    run_sweep()
    run_sweep()  # a second sweeper at the same moment does nothing
    assert len(reminders(case)) == 1
    clock.advance(hours=9, minutes=36)  # 90 %
    run_sweep()
    clock.advance(minutes=5)
    run_sweep()
    mails = reminders(case)
    assert len(mails) == 2
    assert all(m.to == "abuse@customer-a.example" for m in mails)
    case.refresh_from_db()
    assert case.reminders_sent == 2 and case.state == "forwarded"


def test_after_an_outage_only_the_latest_reminder_is_sent(demo, clock):
    case = open_case("phishing")
    clock.advance(hours=23)  # past 50 % and 90 %, before the deadline
    assert followup_due() == 1
    assert len(reminders(case)) == 1
    assert followup_due() == 0


def test_a_resolved_case_gets_no_reminders(demo, clock):
    from django.contrib.auth.models import User

    from abusedesk.cases.services import resolve

    case = open_case("phishing")
    resolve(case, User.objects.get(username="customer-a"), "removed_content", "Page removed")
    clock.advance(hours=30)
    run_sweep()
    case.refresh_from_db()
    assert reminders(case) == [] and case.state == "resolved"
