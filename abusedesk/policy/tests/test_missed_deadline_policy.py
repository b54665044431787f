"""What happens at a missed deadline, per entity and category: tell the desk (always), propose a
restriction for approval, or (child abuse, terrorist content) execute it with a statement of reasons."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from abusedesk.desk.models import StaffAlert
from abusedesk.enforcement.actions import execute_due
from abusedesk.enforcement.models import Action, StatementOfReasons
from abusedesk.network.models import Entity
from abusedesk.policy.models import DeadlinePolicy
from abusedesk.sweep import run_sweep
from testkit.pipeline import open_case

pytestmark = pytest.mark.django_db


def _policy(category, at_deadline, hours=1.0, restriction="null_route"):
    DeadlinePolicy.objects.update_or_create(entity=Entity.objects.get(code="nl"), category=category, defaults=dict(
        hours=hours, at_deadline=at_deadline, restriction=restriction))


def test_a_child_abuse_case_past_its_hour_is_null_routed_the_desk_told_and_the_customer_given_reasons(demo, clock):
    _policy("csam", "execute")
    case = open_case("csam", "198.51.100.95")
    clock.advance(hours=1, minutes=1)
    run_sweep()
    action = Action.objects.get(case=case)
    assert (action.kind, action.proposed_by, action.approved_by) == ("null_route", None, None)
    assert StaffAlert.objects.filter(event="overdue").exists()
    execute_due()
    case.refresh_from_db()
    assert case.state == "restricted"
    assert StatementOfReasons.objects.get(case=case).automated_decision is True


def test_a_propose_policy_leaves_a_prefilled_restriction_waiting_for_approval(demo, clock):
    _policy("phishing", "propose", hours=24, restriction="suspend_service")
    case = open_case("phishing", "198.51.100.96")
    clock.advance(hours=24, minutes=1)
    run_sweep()
    action = Action.objects.get(case=case)
    assert action.state == "proposed" and action.kind == "suspend_service" and action.target
    run_sweep()  # a second sweep proposes nothing twice
    assert Action.objects.filter(case=case).count() == 1


def test_execute_is_only_proposed_outside_child_abuse_and_terrorist_content(demo, clock):
    _policy("phishing", "execute", hours=24)
    case = open_case("phishing", "198.51.100.97")
    clock.advance(hours=24, minutes=1)
    run_sweep()
    assert Action.objects.get(case=case).state == "proposed"


def test_the_policy_page_refuses_execute_for_spam_and_accepts_it_for_terrorist_content(demo, clock):
    client = Client()
    client.force_login(User.objects.get(username="desk"))
    entity = Entity.objects.get(code="nl")
    form = {"entity": entity.pk, "hours": "1", "reminders": "50", "at_deadline": "execute", "restriction": "null_route"}
    response = client.post("/desk/policy/", dict(form, category="spam"))
    assert response.status_code == 400 and not DeadlinePolicy.objects.filter(category="spam").exists()
    assert client.post("/desk/policy/", dict(form, category="terrorism")).status_code == 302
    assert DeadlinePolicy.objects.get(category="terrorism").at_deadline == "execute"
