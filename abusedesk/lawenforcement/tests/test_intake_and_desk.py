"""From the demo's sample notice to a decided, answered request: intake, the desk pages, the API."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from abusedesk.lawenforcement.models import Disclosure, LegalRequest

pytestmark = pytest.mark.django_db


def test_the_demo_sample_becomes_a_legal_request_with_what_the_parser_found(ingest, samples):
    legal, raw = ingest((samples / "06-law-enforcement-request-nl.eml").read_bytes(), "abuse@hoster.example")
    assert legal is not None and legal.raw_message == raw
    assert legal.entity.code == "nl"  # the default entity: no entity's address was named
    assert (legal.country, legal.reference, legal.type) == ("NL", "PL0900-2024123456", "subscriber_data")
    assert "126nc" in legal.legal_basis
    [ip] = legal.identifiers.all()
    assert (ip.value, ip.at.isoformat(), ip.zone) == ("198.51.100.150", "2024-03-21T22:45:10+00:00", "CET")
    assert legal.validity == "valid"
    assert legal.audit.filter(verb="registered").exists()
    assert raw.reports.get().status == "law_enforcement"  # never a case, never the customer's


def test_processing_the_notice_again_registers_it_once(ingest):
    from abusedesk.intake.models import RawMessage
    from abusedesk.intake.processing import process_raw_message

    legal, raw = ingest("nl_vordering_126na.eml")
    RawMessage.objects.filter(pk=raw.pk).update(state="new", events_done=0)
    process_raw_message(raw.pk)
    assert LegalRequest.objects.filter(raw_message=raw).count() == 1


def test_the_legal_team_decides_answers_and_discloses_in_the_desk(client, ingest, world):
    legal, raw = ingest("nl_vordering_126na.eml")
    client.force_login(world["legal"])
    act = lambda verb, data=None: client.post(reverse("legal:act", args=[legal.pk, verb]), data or {})  # noqa: E731
    act("review")
    act("verify-contact", {"note": "called the unit back"})
    act("answer")
    act("decide", {"decision": "accept", "reason": ""})
    legal.refresh_from_db()
    assert legal.state == "accepted"
    answers = [i.answer["customer"]["reference"] for i in legal.identifiers.order_by("id")]
    assert answers == ["customer-a", "customer-b"]
    sent = "Naam: Customer A Ltd\nAdres: ...\n(198.51.100.23 op 2024-04-02 12:03:51 UTC)"
    act("disclose", {"content": sent, "recipient": "dig.recherche@politie.example.nl", "channel": "email",
                     "identifiers": [legal.identifiers.order_by("id").first().pk]})
    legal.refresh_from_db()
    assert legal.state == "answered"
    disclosure = legal.disclosures.get(kind=Disclosure.Kind.DATA)
    assert disclosure.content == sent and disclosure.sent_by == world["legal"]
    assert disclosure.identifiers.count() == 1
    verbs = list(legal.audit.values_list("verb", flat=True))
    assert verbs[:2] == ["registered", "checked"] or verbs[0] == "registered"
    assert {"transition", "identifiers_answered", "disclosed"} <= set(verbs)
    page = client.get(reverse("legal:detail", args=[legal.pk])).content.decode()
    assert "Customer A Ltd" in page and sent.splitlines()[0] in page


def test_a_rejection_records_the_reply_in_the_authoritys_language(ingest, world):
    legal, raw = ingest("de_auskunft_100j.eml")  # German police to the NL entity: no EIO
    client = APIClient()
    client.force_authenticate(world["legal"])
    client.post(f"/api/v1/legal-requests/{legal.pk}/verify-contact/", {"note": "110"}, format="json")
    data = client.post(f"/api/v1/legal-requests/{legal.pk}/decide/", {
        "decision": "reject", "reason": "Keine Europäische Ermittlungsanordnung"}, format="json").json()
    assert (data["state"], data["decision_code"]) == ("rejected", "jurisdiction")
    [reply] = data["disclosures"]
    assert reply["kind"] == "rejection" and "Wir können Ihrem Ersuchen nicht nachkommen." in reply["content"]


def test_accepting_a_request_that_is_not_valid_needs_a_reason(ingest, world):
    legal, raw = ingest("nl_bevel_zonder_tijd.eml")
    client = APIClient()
    client.force_authenticate(world["legal"])
    client.post(f"/api/v1/legal-requests/{legal.pk}/verify-contact/", {"note": "0900-8844"}, format="json")
    refused = client.post(f"/api/v1/legal-requests/{legal.pk}/decide/", {"decision": "accept"}, format="json")
    assert refused.status_code == 400 and "needs a reason" in refused.json()["detail"]
    clarify = client.post(f"/api/v1/legal-requests/{legal.pk}/decide/", {"decision": "clarify"}, format="json").json()
    assert clarify["state"] == "clarification_requested"
    assert "tijdzone" in clarify["disclosures"][0]["content"]
    # The authority answers with the exact time: the pair is added, the request becomes valid.
    added = client.post(f"/api/v1/legal-requests/{legal.pk}/add-identifier/", {
        "kind": "ip", "value": "198.51.100.77", "at": "2024-03-05T14:00:00+01:00"}, format="json").json()
    assert added.get("validity") == "incomplete", added  # the old pair without a time is still there
    client.post(f"/api/v1/legal-requests/{legal.pk}/confirm-check/", {
        "code": "timestamps", "passed": True, "note": "the first pair was replaced by the second"}, format="json")
    legal.refresh_from_db()
    assert legal.validity == "valid"


def test_disclosing_before_accepting_is_refused(ingest, world):
    legal, raw = ingest("nl_vordering_126na.eml")
    client = APIClient()
    client.force_authenticate(world["legal"])
    refused = client.post(f"/api/v1/legal-requests/{legal.pk}/disclose/", {"content": "x"}, format="json")
    assert refused.status_code == 400
    assert not legal.disclosures.exists()


def test_a_us_subpoena_to_the_eu_entity_is_registered_as_a_foreign_order(ingest):
    legal, raw = ingest("us_grand_jury_subpoena.eml")
    assert (legal.type, legal.instrument, legal.validity) == ("foreign_order", "us_subpoena", "not_enforceable")


def test_verifying_the_contact_channel_is_audited_and_shown_in_the_evidence(ingest, world):
    legal, raw = ingest("nl_vordering_126na.eml")
    client = APIClient()
    client.force_authenticate(world["legal"])
    data = client.post(f"/api/v1/legal-requests/{legal.pk}/verify-contact/", {"note": "called 0900-8844"},
                       format="json").json()
    assert data["contact_verified"] is True
    authority = next(c for c in data["checks"] if c["code"] == "authority")
    assert "verified by staff" in authority["evidence"]
    assert legal.audit.filter(verb="contact_verified", reason="called 0900-8844").exists()
