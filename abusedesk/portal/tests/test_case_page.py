"""The case page: evidence, the thread, resolve with a solution, dispute."""

import pytest
from django.urls import reverse

from abusedesk.cases.models import AuditLog, Message

pytestmark = pytest.mark.django_db


def test_open_cases_come_first_with_a_countdown(alice, cases):
    body = alice.get(reverse("portal:cases")).content.decode()
    assert "data-deadline" in body and "left" in body


def test_a_resolved_case_says_whether_it_met_its_deadline(alice, cases, clock):
    from abusedesk.cases.workflow import transition

    case = cases["a"]
    transition(case, "resolved", reason="fixed")
    body = alice.get(reverse("portal:case", args=[case.pk])).content.decode()
    assert "resolved within the deadline of" in body

    late = cases["c1"]
    clock.advance(hours=11)
    transition(late, "resolved", reason="fixed late")
    late.refresh_from_db()
    assert late.met_deadline is False


def test_writing_in_the_thread_adds_a_customer_message_and_marks_the_reply(alice, cases):
    case = cases["a"]
    response = alice.post(reverse("portal:message", args=[case.pk]), {"body": "We are on it."})
    assert response.status_code == 302
    message = case.messages.get()
    assert message.author_kind == Message.Author.CUSTOMER and message.channel == "portal"
    case.refresh_from_db()
    assert case.state == "customer_replied" and case.first_response_at is not None
    assert "We are on it." in alice.get(reverse("portal:case", args=[case.pk])).content.decode()


def test_an_empty_message_is_refused(alice, cases):
    response = alice.post(reverse("portal:message", args=[cases["a"].pk]), {"body": "  "})
    assert response.status_code == 400
    assert not cases["a"].messages.exists()


def test_internal_staff_notes_are_not_shown_to_the_customer(alice, cases, clock):
    Message.objects.create(case=cases["a"], author_kind="staff", channel="portal", body="INTERNAL-NOTE",
                           visible_to_customer=False, created_at=clock.now)
    assert "INTERNAL-NOTE" not in alice.get(reverse("portal:case", args=[cases["a"].pk])).content.decode()


def test_resolving_needs_a_solution_type(alice, cases):
    case = cases["a"]
    assert alice.post(reverse("portal:resolve", args=[case.pk]), {}).status_code == 400
    case.refresh_from_db()
    assert case.state == "forwarded"


def test_other_as_solution_needs_a_text(alice, cases):
    response = alice.post(reverse("portal:resolve", args=[cases["a"].pk]), {"resolution": "other", "text": ""})
    assert response.status_code == 400


def test_resolving_records_the_solution_and_audits_it(alice, cases):
    case = cases["a"]
    response = alice.post(reverse("portal:resolve", args=[case.pk]),
                          {"resolution": "cleaned_server", "text": "reinstalled"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "resolved" and case.resolution == "cleaned_server" and case.resolved_at
    assert AuditLog.objects.filter(case=case, to_state="resolved", actor__username="customer-a").exists()


def test_disputing_pauses_with_a_reason_in_the_thread(alice, cases):
    case = cases["a"]
    alice.post(reverse("portal:dispute", args=[case.pk]), {"text": "This IP is a Tor relay we do not run."})
    case.refresh_from_db()
    assert case.state == "disputed"
    assert case.messages.filter(body__contains="Tor relay").exists()


def test_a_resolved_case_cannot_be_resolved_again(alice, cases):
    case = cases["a"]
    alice.post(reverse("portal:resolve", args=[case.pk]), {"resolution": "removed_content"})
    alice.post(reverse("portal:resolve", args=[case.pk]), {"resolution": "false_positive"})
    case.refresh_from_db()
    assert case.resolution == "removed_content"


def test_child_abuse_cases_show_url_and_reference_only(alice, cases):
    case = cases["csam"]
    body = alice.get(reverse("portal:case", args=[case.pk])).content.decode()
    assert "http://198.51.100.11/hidden/x" in body
    assert case.reports.get().source_ref in body
    assert "DESCRIPTION-OF-IMAGERY" not in body


def test_history_search_finds_closed_cases_by_target(alice, cases):
    case = cases["a"]
    alice.post(reverse("portal:resolve", args=[case.pk]), {"resolution": "removed_content"})
    body = alice.get(reverse("portal:cases"), {"q": "198.51.100.10"}).content.decode()
    assert case.ref in body
