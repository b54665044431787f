"""Four eyes on restrictions: the proposer may not approve a kind whose policy asks for a second
approver (by default every restricting kind); the desk's policy page turns it off per kind."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from abusedesk.enforcement.actions import ActionError, approve, needs_second_approver, propose
from abusedesk.enforcement.models import ApprovalPolicy

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["null_route", "suspend_service", "suspend_account"])
def test_the_proposer_cannot_approve_a_restriction_by_default(escalated_case, staff, kind):
    desk, second = staff
    action = propose(escalated_case, kind, desk, "kit online")
    with pytest.raises(ActionError):
        approve(action, desk)
    action.refresh_from_db()
    assert action.state == "proposed"
    assert approve(action, second).state == "approved"


def test_a_termination_first_approved_by_its_proposer_needs_another_user_to_finish(escalated_case, staff):
    desk, second = staff
    action = approve(propose(escalated_case, "terminate", desk, "third case"), desk)
    with pytest.raises(ActionError):
        approve(action, desk)
    assert approve(action, second).state == "approved"


def test_the_policy_page_turns_the_second_approver_off_for_one_kind(escalated_case, staff):
    desk, _second = staff
    client = Client()
    client.force_login(User.objects.get(username="desk"))
    page = client.get("/desk/policy/").content.decode()
    assert 'value="null_route" checked' in page
    response = client.post("/desk/policy/", {"form": "approval", "second_approver": ["suspend_service",
                                                                                    "suspend_account", "terminate"]})
    assert response.status_code == 302
    assert not needs_second_approver("null_route") and needs_second_approver("suspend_service")
    assert ApprovalPolicy.objects.count() == 4
    action = propose(escalated_case, "null_route", desk, "kit online")
    assert approve(action, desk).state == "approved"
