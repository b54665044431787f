"""What the register sends to an authority goes out through the outbox to a real SMTP server:
the data disclosed, the clarification request in the authority's language, the TCO Annex II and
III replies; only to the verified contact channel, and never to the customer."""

import email
from datetime import UTC, datetime
from email.policy import default as default_policy

import pytest
from rest_framework.test import APIClient

from abusedesk.lawenforcement import services
from abusedesk.lawenforcement.tests.conftest import sample
from abusedesk.outbox.models import OutgoingMail
from abusedesk.outbox.sending import send_due
from abusedesk.outbox.tests.sink import SmtpSink

pytestmark = pytest.mark.django_db

THEIR_ID = "<2024-MN-004417.1@politie.example.nl>"


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def received(sink):
    return [(rcpts, email.message_from_bytes(content, policy=default_policy)) for _f, rcpts, content in sink.messages
            if not any("customer" in r for r in rcpts)]


def text(msg):
    return msg.get_content().replace("\r\n", "\n")


def vordering():
    """The Dutch 126na demand, as the police's mail system sent it (with its Message-ID)."""
    return sample("nl_vordering_126na.eml").replace(b"Date: ", f"Message-ID: {THEIR_ID}\nDate: ".encode(), 1)


def test_a_disclosure_reaches_the_authority_by_smtp_exactly_as_recorded_and_nothing_reaches_the_customer(
        ingest, world, clock, settings):
    clock.set(datetime(2024, 4, 9, 9, 0, tzinfo=UTC))
    legal, raw = ingest(vordering())
    assert legal.confidential  # "u mag uw klant niet informeren"
    client = api(world["legal"])
    client.post(f"/api/v1/legal-requests/{legal.pk}/verify-contact/", {"note": "called the unit back"}, format="json")
    client.post(f"/api/v1/legal-requests/{legal.pk}/answer/", format="json")
    client.post(f"/api/v1/legal-requests/{legal.pk}/decide/", {"decision": "accept"}, format="json")
    sent = "Uw kenmerk: 2024-MN-004417\n198.51.100.23 op 2024-04-02 12:03:51 UTC: Customer A Ltd, klant customer-a\n"
    with SmtpSink() as sink:
        sink.settings(settings)
        data = client.post(f"/api/v1/legal-requests/{legal.pk}/disclose/", {"content": sent}, format="json").json()
        assert send_due() >= 1
    [(rcpts, msg)] = received(sink)
    assert rcpts == ["dig.recherche@politie.example.nl"]
    assert text(msg) == sent
    assert "2024-MN-004417" in msg["Subject"] and legal.ref in msg["Subject"]
    assert msg["In-Reply-To"] == THEIR_ID
    [disclosure] = data["disclosures"]
    assert (disclosure["recipient"], disclosure["channel"], disclosure["content"]) == (
        "dig.recherche@politie.example.nl", "email", sent)
    detail = client.get(f"/api/v1/legal-requests/{legal.pk}/").json()
    [disclosure] = detail["disclosures"]
    assert disclosure["mail_state"] == "sent" and disclosure["message_id"] == msg["Message-ID"]
    assert disclosure["delivered_at"] is not None and detail["state"] == "answered"
    # The customer at that address heard nothing: no mail to it, no case.
    assert not OutgoingMail.objects.filter(to__icontains="customer-a").exists()
    assert legal.audit.filter(verb="disclosed").exists()


def test_nothing_is_sent_to_a_contact_channel_nobody_verified(ingest, world):
    legal, raw = ingest("nl_vordering_126na.eml")
    services.decide(legal, "accept", user=world["legal"])
    with pytest.raises(services.RegisterError, match="not verified"):
        services.disclose(legal, user=world["legal"], content="Naam: ...")
    assert not legal.disclosures.exists() and not OutgoingMail.objects.filter(kind__startswith="legal_").exists()


def test_mail_goes_only_to_the_verified_channel_never_to_another_address(ingest, world):
    legal, raw = ingest("nl_vordering_126na.eml")
    services.verify_contact(legal, user=world["legal"])
    services.decide(legal, "accept", user=world["legal"])
    with pytest.raises(services.RegisterError, match="only to the authority's verified contact channel"):
        services.disclose(legal, user=world["legal"], content="Naam: ...", recipient="abuse@customer-a.example")
    assert not OutgoingMail.objects.filter(to="abuse@customer-a.example").exists()


def test_a_customers_address_taken_for_the_authoritys_is_refused(ingest, world):
    legal, raw = ingest("nl_vordering_126na.eml")
    legal.contact_channel = "abuse@customer-a.example"  # a mis-extracted contact line
    legal.save()
    services.verify_contact(legal, user=world["legal"])
    with pytest.raises(services.RegisterError, match="customer's address"):
        services.decide(legal, "reject", user=world["legal"], reason="no")
    legal.refresh_from_db()
    assert legal.state == "new" and not OutgoingMail.objects.exists()


def test_the_clarification_request_goes_out_in_german(ingest, world, settings):
    legal, raw = ingest("de_ohne_rechtsgrundlage.eml", "abuse@hosting-de.example")
    assert legal.language == "de" and legal.validity == "incomplete"
    services.verify_contact(legal, user=world["legal"])
    with SmtpSink() as sink:
        sink.settings(settings)
        services.decide(legal, "clarify", user=world["legal"])
        send_due()
    [(rcpts, msg)] = received(sink)
    assert rcpts == [legal.contact_channel]
    body = text(msg)
    assert "Bitte senden Sie uns" in body and "Rechtsgrundlage" in body
    assert body.rstrip("\n") == legal.disclosures.get().content
    assert "Rückfrage" in msg["Subject"] or "Klärung" in msg["Subject"]


def test_tco_annex_ii_and_iii_go_to_the_authority_with_retries(ingest, world, clock, settings):
    clock.set(datetime(2024, 4, 19, 6, 0, tzinfo=UTC))
    legal, raw = ingest("de_tco_entfernungsanordnung.eml")
    client = api(world["legal"])
    refused = client.post(f"/api/v1/legal-requests/{legal.pk}/tco-reply/", {
        "removed": False, "reason": "manifest_error", "text": "URL gives 404"}, format="json")
    assert refused.status_code == 400 and "not verified" in refused.json()["detail"]
    client.post(f"/api/v1/legal-requests/{legal.pk}/verify-contact/", {"note": "IRU hotline"}, format="json")
    with SmtpSink(refuse=1) as sink:
        sink.settings(settings)
        client.post(f"/api/v1/legal-requests/{legal.pk}/tco-reply/", {
            "removed": False, "reason": "manifest_error", "text": "URL gives 404"}, format="json")
        send_due()
        annex_iii = OutgoingMail.objects.get(kind="legal_tco_cannot_comply")
        assert (annex_iii.state, annex_iii.attempts) == ("queued", 1)  # the relay said 451: tried again later
        clock.advance(minutes=3)
        client.post(f"/api/v1/legal-requests/{legal.pk}/clock/", {"action": "resume"}, format="json")
        client.post(f"/api/v1/legal-requests/{legal.pk}/tco-reply/", {"removed": True}, format="json")
        send_due()
    annexes = [text(msg) for _r, msg in received(sink)]
    first_lines = {a.split("\n", 1)[0].split(" - ")[0]: a for a in annexes}
    assert sorted(first_lines) == ["Anhang II", "Anhang III"]  # the German authority's language
    assert "https://198.51.100.70/videos/attack-glorification.mp4" in first_lines["Anhang II"]
    assert "offensichtliche Fehler" in first_lines["Anhang III"]
    assert all(r == ["tco@bka.example.de"] for r, _m in received(sink))
    mails = OutgoingMail.objects.filter(kind__startswith="legal_tco").order_by("id")
    assert [(m.state, m.attempts) for m in mails] == [("sent", 2), ("sent", 1)]
