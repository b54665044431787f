import pytest
from django.core.exceptions import PermissionDenied

from abusedesk.enforcement.actions import ActionError, approve, execute_due, propose
from abusedesk.network.models import Customer

pytestmark = pytest.mark.django_db


def test_termination_needs_two_different_staff_users(escalated_case, staff):  # noqa: F811
    desk, second = staff
    action = propose(escalated_case, "terminate", desk, "third phishing case this month")
    approve(action, desk)
    action.refresh_from_db()
    assert action.state == "proposed" and action.approved_by == desk
    assert execute_due() == 0  # nothing runs on one approval
    with pytest.raises(ActionError):
        approve(action, desk)
    approve(action, second)
    action.refresh_from_db()
    assert action.state == "approved" and action.second_approved_by == second
    assert execute_due() == 1
    assert Customer.objects.get(reference="customer-a").state == "terminated"


def test_a_suspension_needs_one_approval_and_customers_cannot_act(escalated_case, staff):  # noqa: F811
    from django.contrib.auth.models import User

    with pytest.raises(PermissionDenied):
        propose(escalated_case, "null_route", User.objects.get(username="customer-a"), "x")
    action = approve(propose(escalated_case, "suspend_account", staff[0], "x"), staff[1])
    assert action.state == "approved"
    execute_due()
    assert Customer.objects.get(reference="customer-a").state == "suspended"
