import pytest
from django.contrib.auth.models import User

from abusedesk.cases.services import accept_resolution, resolve
from abusedesk.enforcement.actions import approve, execute_due, propose
from abusedesk.enforcement.models import Action
from abusedesk.network.models import Customer
from abusedesk.outbox.models import OutgoingMail

pytestmark = pytest.mark.django_db


def test_an_accepted_solution_restores_the_service_and_closes_the_case(escalated_case, staff):  # noqa: F811
    desk = staff[0]
    route = approve(propose(escalated_case, "null_route", desk, "x"), staff[1])
    account = approve(propose(escalated_case, "suspend_account", desk, "x"), staff[1])
    execute_due()
    assert Customer.objects.get(reference="customer-a").state == "suspended"

    escalated_case.refresh_from_db()
    resolve(escalated_case, User.objects.get(username="customer-a"), "removed_content", "Kit removed, WordPress updated")
    accept_resolution(escalated_case, desk)
    escalated_case.refresh_from_db()
    assert escalated_case.state == "closed" and escalated_case.close_reason == "resolved"

    restores = Action.objects.filter(kind="restore")
    assert {r.restores_id for r in restores} == {route.pk, account.pk}
    assert execute_due() == 2
    assert set(restores.values_list("state", flat=True)) == {"done"}
    assert Customer.objects.get(reference="customer-a").state == "active"
    assert OutgoingMail.objects.filter(kind="restored", case=escalated_case).count() == 2
    assert OutgoingMail.objects.filter(kind="outcome", to="analyst@bank.example").count() == 1
    # Accepting does not lift anything twice.
    from abusedesk.enforcement.actions import active_restrictions

    assert not active_restrictions(escalated_case).exists()
