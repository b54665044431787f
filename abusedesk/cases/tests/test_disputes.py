"""Disputes (DSA Art 20 internal complaint handling): staff uphold or reject with a reason the
customer is mailed; a restricted customer disputes the restriction; both are audited for the report."""

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from abusedesk.cases import services as casework
from abusedesk.cases.models import Case
from abusedesk.cases.states import State
from abusedesk.enforcement.actions import active_restrictions, execute_due
from abusedesk.enforcement.models import Action
from abusedesk.outbox.models import OutgoingMail
from testkit.orm import make_case

pytestmark = pytest.mark.django_db


def _users():
    return User.objects.get(username="customer-a"), User.objects.get(username="desk")


def _restricted(desk):
    case = make_case("customer-a", ip="198.51.100.77", category="phishing")
    action = casework.propose_action(case, Action.Kind.NULL_ROUTE, desk, "phishing kit")
    second = User.objects.create_user("desk-two", password="x-desk-two-1", is_staff=True)
    casework.approve_action(action, second)
    execute_due()
    case.refresh_from_db()
    assert case.state == State.RESTRICTED
    return case


def test_a_rejected_dispute_goes_back_to_the_customer_with_a_fresh_deadline_and_a_mail(demo, clock):
    customer, desk = _users()
    case = make_case("customer-a", ip="198.51.100.70", category="spam", hours_left=1)
    casework.dispute(case, customer, "This is our own newsletter, opt-in only.")
    clock.advance(hours=5)
    casework.reject_dispute(case, desk, "The recipients never opted in: see the notice.")
    case.refresh_from_db()
    assert case.state == State.FORWARDED
    assert case.deadline > clock.now
    mail = OutgoingMail.objects.get(case=case, kind="dispute_decision")
    assert "rejected" in mail.subject and "The recipients never opted in" in mail.body
    assert mail.to == case.customer.contact_email
    verbs = list(case.audit.values_list("verb", flat=True))
    assert "dispute" in verbs and "dispute_rejected" in verbs


def test_an_upheld_dispute_closes_the_case_as_dispute_upheld_and_mails_the_reason(demo, clock):
    customer, desk = _users()
    case = make_case("customer-a", ip="198.51.100.71", category="spam")
    casework.dispute(case, customer, "Not our server.")
    casework.uphold_dispute(case, desk, "The address was reassigned last week.")
    case.refresh_from_db()
    assert (case.state, case.close_reason) == (State.CLOSED, Case.CloseReason.DISPUTE_UPHELD)
    mail = OutgoingMail.objects.get(case=case, kind="dispute_decision")
    assert "upheld" in mail.subject and "reassigned last week" in mail.body


def test_a_decision_without_a_reason_is_refused(demo, clock):
    customer, desk = _users()
    case = make_case("customer-a", ip="198.51.100.72", category="spam")
    casework.dispute(case, customer, "Wrong.")
    with pytest.raises(casework.CaseworkError):
        casework.reject_dispute(case, desk, "  ")
    with pytest.raises(casework.CaseworkError):
        casework.uphold_dispute(case, desk, "")


def test_only_a_disputed_case_offers_a_dispute_decision(demo, clock):
    _customer, desk = _users()
    case = make_case("customer-a", ip="198.51.100.73", category="spam")
    assert not {"uphold", "reject_dispute"} & casework.offered(case)
    with pytest.raises(casework.CaseworkError):
        casework.uphold_dispute(case, desk, "why not")


def test_a_restricted_customer_disputes_and_an_upheld_dispute_lifts_the_restriction(demo, clock):
    customer, desk = _users()
    case = _restricted(desk)
    assert "dispute" in casework.offered(case)
    casework.dispute(case, customer, "The phishing page was a security training of our own.")
    assert case.audit.get(verb="dispute").data == {"restricted": True}
    casework.uphold_dispute(case, desk, "Confirmed with the customer's security team.")
    restore = Action.objects.get(case=case, kind=Action.Kind.RESTORE)
    assert restore.state == Action.State.APPROVED
    execute_due()
    assert not active_restrictions(case).exists()
    assert case.audit.get(verb="dispute_upheld").data == {"restricted": True}


def test_a_rejected_dispute_of_a_restriction_keeps_the_service_restricted(demo, clock):
    customer, desk = _users()
    case = _restricted(desk)
    casework.dispute(case, customer, "Please lift it.")
    casework.reject_dispute(case, desk, "The kit is still online.")
    case.refresh_from_db()
    assert case.state == State.RESTRICTED
    assert active_restrictions(case).exists()
    assert "still online" in OutgoingMail.objects.get(case=case, kind="dispute_decision").body


def test_a_staff_reply_in_the_thread_is_mailed_to_the_customer_and_an_internal_note_is_not(demo, clock):
    _customer, desk = _users()
    case = make_case("customer-a", ip="198.51.100.74", category="spam")
    casework.post_message(case, desk, "Can you tell us which script sent this?", author_kind="staff")
    casework.post_message(case, desk, "They sent this twice last month.", author_kind="staff",
                          visible_to_customer=False)
    mails = OutgoingMail.objects.filter(case=case, kind="staff_reply")
    assert mails.count() == 1
    assert "which script sent this" in mails[0].body and "twice last month" not in mails[0].body
    assert mails[0].reply_to.startswith("abuse+")


def test_the_api_lets_staff_decide_a_dispute_and_refuses_a_customer(demo, clock):
    customer, desk = _users()
    case = make_case("customer-a", ip="198.51.100.75", category="spam")
    casework.dispute(case, customer, "Wrong.")
    api = APIClient()
    api.force_authenticate(customer)
    url = f"/api/v1/cases/{case.pk}/dispute-decision/"
    assert api.post(url, {"decision": "uphold", "reason": "I say so"}, format="json").status_code == 403
    api.force_authenticate(desk)
    response = api.post(url, {"decision": "reject", "reason": "Still there."}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "forwarded"
