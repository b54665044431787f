import importlib
from datetime import timedelta

import pytest

from abusedesk.cases.models import AuditLog
from abusedesk.outbox.models import OutgoingMail
from testkit.pipeline import open_case

pytestmark = pytest.mark.django_db


def test_the_deadline_escalates_within_a_minute_even_across_a_restart(demo, clock):
    case = open_case("csam", "198.51.100.30", url="http://198.51.100.30/x", sensitive=True)  # 1 h
    clock.advance(minutes=50)
    from abusedesk import sweep

    sweep.run_sweep()
    # "Restart": no process state survives; the sweep modules are imported afresh.
    importlib.reload(importlib.import_module("abusedesk.policy.followup"))
    sweep = importlib.reload(sweep)
    clock.set(case.deadline + timedelta(seconds=15))
    sweep.run_sweep()
    case.refresh_from_db()
    assert case.state == "escalated"
    assert timedelta(0) <= case.escalated_at - case.deadline <= timedelta(seconds=60)
    entry = AuditLog.objects.get(case=case, verb="transition", to_state="escalated")
    assert entry.actor_label == "system" and entry.reason == "deadline passed"
    mail = OutgoingMail.objects.get(case=case, kind="escalation")
    assert case.ref in mail.subject
    sweep.run_sweep()
    assert OutgoingMail.objects.filter(case=case, kind="escalation").count() == 1


def test_an_informational_case_is_not_escalated(demo, clock):
    case = open_case("vulnerable_service", "198.51.100.40", evidence="open resolver")
    clock.advance(hours=73)
    from abusedesk.sweep import run_sweep

    run_sweep()
    case.refresh_from_db()
    assert case.state == "forwarded" and case.next_check_at is None
    assert AuditLog.objects.filter(case=case, verb="deadline_passed").exists()


def test_a_case_without_contact_address_still_escalates(demo, clock):
    from abusedesk.network.models import Customer
    from abusedesk.sweep import run_sweep

    Customer.objects.filter(reference="customer-a").update(abuse_email="", main_email="")
    case = open_case("malware", "198.51.100.41")
    assert case.state == "new"
    clock.advance(hours=24, seconds=1)
    run_sweep()
    case.refresh_from_db()
    assert case.state == "escalated"
