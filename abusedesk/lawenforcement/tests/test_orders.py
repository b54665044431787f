"""Orders against content are registered and become cases with the order's deadline; TCO
replies (Annex II/III), the one-hour clock's pause and resume, and the six-month hold."""

from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.test import APIClient

from abusedesk.cases.models import Case
from abusedesk.outbox.models import OutgoingMail

pytestmark = pytest.mark.django_db


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_dsa_article_9_order_becomes_a_forwarded_case_with_the_orders_deadline(ingest, clock):
    clock.set(datetime(2024, 4, 18, 8, 5, tzinfo=UTC))
    legal, raw = ingest("dsa_art9_order_nl.eml")
    assert (legal.type, legal.country, legal.instrument) == ("dsa_art9", "NL", "dsa_art9")
    assert legal.validity == "valid"
    assert legal.authority_deadline == raw.received_at + timedelta(hours=48)  # "binnen 48 uur na ontvangst"
    cases = list(legal.cases.order_by("url"))  # fraud is content: one case per URL
    assert [c.url for c in cases] == ["https://198.51.100.45/shop/checkout.php",
                                      "https://198.51.100.45/shop/offer-iphone.html"]
    for case in cases:
        assert case.customer.reference == "customer-a"  # 198.51.100.45
        assert case.state == "forwarded" and case.law_enforcement
        assert case.deadline <= legal.deadline
        assert OutgoingMail.objects.filter(case=case, to="abuse@customer-a.example").exists()


def test_a_court_order_under_125p_becomes_a_case_due_when_the_order_says(ingest, clock):
    clock.set(datetime(2024, 4, 22, 10, 5, tzinfo=UTC))
    legal, raw = ingest("nl_court_removal_125p.eml")
    assert legal.type == "court_removal"
    assert legal.authority_deadline == datetime(2024, 4, 24, 10, 0, tzinfo=UTC)  # 12:00 Amsterdam summer time
    [case] = legal.cases.all()
    assert case.customer.reference == "customer-a"  # 198.51.100.101 is in 198.51.100.0/25
    assert case.deadline <= legal.authority_deadline


def test_a_confidential_order_opens_no_case_until_the_flag_is_lifted(ingest, world, clock):
    from abusedesk.lawenforcement import services

    clock.set(datetime(2024, 4, 18, 8, 5, tzinfo=UTC))
    mail = (b"From: ACM <dsa-bevelen@acm.example.nl>\nTo: abuse@hosting-nl.example\n"
            b"Subject: Order to act against illegal content (Article 9 DSA) - ref ACM-7\n\n"
            b"Autoriteit Consument en Markt. Order under Article 9 of Regulation (EU) 2022/2065 (Digital Services "
            b"Act) to remove:\nhttps://198.51.100.46/fake-shop/\nThis order is confidential: do not inform the "
            b"customer until we say so.\nContact: dsa-bevelen@acm.example.nl\n")
    legal, raw = ingest(mail)
    assert legal.confidential and legal.type == "dsa_art9"
    assert not legal.cases.exists() and not Case.objects.exists()
    assert not OutgoingMail.objects.filter(to__endswith="customer-a.example").exists()
    services.set_confidential(legal, False, user=world["legal"], reason="authority agreed")
    assert legal.cases.count() == 1
    assert legal.audit.filter(verb="confidentiality").exists()


def test_a_tco_removal_order_is_registered_and_linked_to_its_one_hour_case(ingest, clock):
    clock.set(datetime(2024, 4, 19, 6, 0, tzinfo=UTC))
    legal, raw = ingest("de_tco_entfernungsanordnung.eml")
    assert raw.format == "tco"
    assert (legal.type, legal.country, legal.instrument) == ("tco_removal", "DE", "tco")
    assert legal.authority.startswith("Bundeskriminalamt")
    assert legal.reference == "IRU-DE-2024-077"
    assert legal.validity == "valid"  # a German authority's TCO order binds an NL entity
    [case] = legal.cases.all()
    assert case.category == "terrorism" and case.deadline_hours == 1
    assert legal.deadline == raw.received_at + timedelta(hours=1)


def test_tco_clock_pauses_and_resumes_through_the_api(ingest, world, clock):
    clock.set(datetime(2024, 4, 19, 6, 0, tzinfo=UTC))
    legal, raw = ingest("de_tco_entfernungsanordnung.eml")
    client = _api(world["legal"])
    paused = client.post(f"/api/v1/legal-requests/{legal.pk}/clock/", {"action": "pause",
                                                                       "reason": "manifest_error",
                                                                       "note": "URL points to a 404"}, format="json")
    assert paused.status_code == 200, paused.content
    case = legal.cases.get()
    assert case.deadline_paused_at is not None and case.deadline_pause_reason == "manifest_error"
    clock.advance(hours=3)
    client.post(f"/api/v1/legal-requests/{legal.pk}/clock/", {"action": "resume", "note": "corrected URL"},
                format="json")
    case.refresh_from_db()
    assert case.deadline_paused_at is None
    assert case.deadline == clock.now + timedelta(hours=1)
    assert list(legal.audit.filter(verb__startswith="clock_").values_list("verb", flat=True)) == [
        "clock_paused", "clock_resumed"]


def test_tco_cannot_comply_sends_annex_iii_and_stops_the_clock(ingest, world, clock):
    from abusedesk.lawenforcement import services

    clock.set(datetime(2024, 4, 19, 6, 0, tzinfo=UTC))
    legal, raw = ingest("de_tco_entfernungsanordnung.eml")
    services.verify_contact(legal, user=world["legal"], note="BKA IRU switchboard")
    reply = _api(world["legal"]).post(f"/api/v1/legal-requests/{legal.pk}/tco-reply/", {
        "removed": False, "reason": "insufficient_information", "text": "The URL does not exist on our network."},
        format="json").json()
    [annex] = reply["disclosures"]
    assert annex["kind"] == "tco_cannot_comply" and "Anhang III" in annex["content"]  # the authority's language
    assert "die Entfernungsanordnung enthält nicht genügend Informationen" in annex["content"]
    assert legal.cases.get().deadline_paused_at is not None


def test_tco_removed_sends_annex_ii_and_holds_the_data_six_months_extendable(ingest, world, clock):
    from abusedesk.lawenforcement import services

    clock.set(datetime(2024, 4, 19, 6, 0, tzinfo=UTC))
    legal, raw = ingest("de_tco_entfernungsanordnung.eml")
    services.verify_contact(legal, user=world["legal"], note="BKA IRU switchboard")
    clock.advance(minutes=40)
    reply = _api(world["legal"]).post(f"/api/v1/legal-requests/{legal.pk}/tco-reply/", {"removed": True},
                                      format="json").json()
    [annex] = reply["disclosures"]
    assert annex["kind"] == "tco_removed"
    assert "https://198.51.100.70/videos/attack-glorification.mp4" in annex["content"]
    assert "2024-04-19T06:40:00+00:00" in annex["content"]
    [hold] = legal.holds.all()
    assert hold.until - hold.since >= timedelta(days=182)
    assert hold.case == legal.cases.get()
    services.extend_hold(hold, user=world["legal"], reason="court asked")
    hold.refresh_from_db()
    assert hold.extensions == 1 and hold.until - hold.since >= timedelta(days=365)
    legal.refresh_from_db()
    assert legal.given_effect_at == datetime(2024, 4, 19, 6, 40, tzinfo=UTC)
    assert legal.state == "answered" and legal.decision == "accept"
