from datetime import timedelta

import pytest

from abusedesk.cases.models import AuditLog
from abusedesk.intake.models import Notifier
from abusedesk.policy.pause import pause, resume
from abusedesk.sweep import run_sweep
from testkit.pipeline import open_case

pytestmark = pytest.mark.django_db


def tco_order(demo):
    authority = Notifier.objects.get(kind="authority")
    return open_case("terrorism", "198.51.100.20", url="http://198.51.100.20/propaganda", notifier=authority,
                     deadline_hours=1)


def test_a_removal_order_runs_one_hour_from_receipt(demo, clock):
    case = tco_order(demo)
    assert case.deadline_hours == 1
    assert case.deadline == case.received_at + timedelta(hours=1)


def test_a_paused_clock_never_escalates_and_restarts_in_full_on_clarification(demo, clock):
    from django.contrib.auth.models import User

    desk = User.objects.get(username="desk")
    case = tco_order(demo)
    clock.advance(minutes=20)
    pause(case, "manifest_error", user=desk, note="order names an IP that is not in the URL")
    clock.advance(hours=3)
    run_sweep()
    case.refresh_from_db()
    assert case.state == "forwarded" and case.escalated_at is None

    resume(case, user=desk, note="authority sent a corrected order")
    case.refresh_from_db()
    assert case.deadline_paused_at is None
    assert case.deadline == clock.now + timedelta(hours=1)

    verbs = list(AuditLog.objects.filter(case=case, verb__startswith="deadline_").values_list("verb", "actor_label"))
    assert verbs == [("deadline_paused", "desk"), ("deadline_resumed", "desk")]
    resumed = AuditLog.objects.get(case=case, verb="deadline_resumed")
    assert resumed.data["pause_reason"] == "manifest_error"
    assert resumed.data["paused_seconds"] == 3 * 3600

    clock.advance(minutes=61)
    run_sweep()
    case.refresh_from_db()
    assert case.state == "escalated"


def test_an_unknown_pause_reason_is_refused(demo, clock):
    case = tco_order(demo)
    with pytest.raises(ValueError):
        pause(case, "too busy")
