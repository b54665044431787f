"""Staff write to the notifier from the case; the customer asks for more time, staff grant
(the deadline moves, the next check is rescheduled) or refuse, audited and told in the thread."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from abusedesk.cases import services as casework
from abusedesk.cases.models import CaseNotifier, ExtensionRequest
from abusedesk.outbox.models import OutgoingMail
from testkit.orm import make_case

pytestmark = pytest.mark.django_db


def _case(clock, **kw):
    case = make_case("customer-a", ip="198.51.100.90", category="spam", **kw)
    CaseNotifier.objects.create(case=case, email="analyst@bank.example", language="de", reference="T-77",
                                created_at=clock.now)
    return case


def test_staff_ask_the_notifier_for_more_in_its_language_without_naming_the_customer(demo, clock):
    case = _case(clock)
    desk = User.objects.get(username="desk")
    message = casework.write_to_notifier(case, desk, "ask_more", "Which URL exactly?")
    mail = OutgoingMail.objects.get(kind="to_notifier")
    assert mail.to == "analyst@bank.example" and "Which URL exactly?" in mail.body and "T-77" in mail.body
    assert "Ihre" in mail.body or "Ihrer" in mail.body  # German
    assert case.customer.name not in mail.body
    assert not message.visible_to_customer and "Which URL" in message.body
    assert case.audit.filter(verb="notifier_written").exists()


def test_writing_to_a_case_without_a_notifier_address_is_refused(demo, clock):
    case = make_case("customer-a", ip="198.51.100.91", category="spam")
    with pytest.raises(casework.CaseworkError):
        casework.write_to_notifier(case, User.objects.get(username="desk"), "not_ours", "")


def test_a_granted_extension_moves_the_deadline_and_its_check_and_tells_the_customer(demo, clock):
    case = _case(clock)
    before = case.deadline
    ask = casework.request_extension(case, User.objects.get(username="customer-a"), 24, "Waiting for the host")
    with pytest.raises(casework.CaseworkError):  # one waiting request at a time
        casework.request_extension(case, User.objects.get(username="customer-a"), 2, "more")
    casework.decide_extension(ask, User.objects.get(username="desk"), True)
    case.refresh_from_db()
    assert (case.deadline - before).total_seconds() == 24 * 3600
    assert case.next_check_at is not None and case.next_check_at <= case.deadline
    assert ExtensionRequest.objects.get().state == "granted"
    assert case.audit.get(verb="extension_granted").data["hours"] == 24
    assert "24" in OutgoingMail.objects.get(case=case, kind="staff_reply").body


def test_a_refused_extension_keeps_the_deadline_and_needs_a_reason(demo, clock):
    case = _case(clock)
    before = case.deadline
    ask = casework.request_extension(case, User.objects.get(username="customer-a"), 48, "Holiday")
    desk = User.objects.get(username="desk")
    with pytest.raises(casework.CaseworkError):
        casework.decide_extension(ask, desk, False, "")
    casework.decide_extension(ask, desk, False, "Phishing must go within the day.")
    case.refresh_from_db()
    assert case.deadline == before
    assert case.audit.filter(verb="extension_refused").exists()


@pytest.mark.parametrize("hours", ["0", "169", "abc"])
def test_the_portal_refuses_a_malformed_request_for_more_time(demo, clock, hours):
    case = _case(clock)
    client = Client()
    client.force_login(User.objects.get(username="customer-a"))
    response = client.post(f"/portal/cases/{case.pk}/extension/", {"hours": hours, "reason": "x"})
    assert response.status_code == 400
    assert not ExtensionRequest.objects.exists()


def test_the_desk_grants_a_request_made_in_the_portal(demo, clock):
    case = _case(clock)
    customer, desk = Client(), Client()
    customer.force_login(User.objects.get(username="customer-a"))
    desk.force_login(User.objects.get(username="desk"))
    assert customer.post(f"/portal/cases/{case.pk}/extension/", {"hours": "12", "reason": "DNS"}).status_code == 302
    ask = ExtensionRequest.objects.get()
    assert "More time asked" in desk.get(f"/desk/cases/{case.pk}/").content.decode()
    desk.post(f"/desk/cases/{case.pk}/grant-extension/", {"request": ask.pk})
    ask.refresh_from_db()
    assert ask.state == "granted" and ask.decided_by.username == "desk"
