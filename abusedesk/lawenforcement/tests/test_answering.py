"""Who held an address at the time the authority names, across a change of assignment."""

from datetime import UTC, datetime

import pytest
from rest_framework.test import APIClient

from abusedesk.network.models import Assignment, Customer

pytestmark = pytest.mark.django_db
CHANGE = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def moved(world):
    """198.51.100.0/25 went from customer-a to customer-b at noon on 1 March 2024."""
    old = Assignment.objects.get(prefix="198.51.100.0/25", valid_to__isnull=True)
    old.valid_to = CHANGE
    old.save()
    Assignment.objects.create(prefix="198.51.100.0/25", customer=Customer.objects.get(reference="customer-b"),
                              valid_from=CHANGE, service_ref="srv-b-new")
    return world


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_each_ip_time_pair_is_answered_with_whoever_held_the_address_then(moved):
    client = _api(moved["legal"])
    created = client.post("/api/v1/legal-requests/", {
        "entity": "nl", "authority": "Politie Eenheid Den Haag", "country": "NL", "type": "subscriber_data",
        "contact_channel": "cyber@politie.example.nl", "legal_basis": "art. 126na Sv", "language": "nl",
        "identifiers": [
            {"kind": "ip", "value": "198.51.100.10", "at": "2024-03-01T11:59:59Z"},
            {"kind": "ip", "value": "198.51.100.10", "at": "2024-03-01T13:00:00+01:00"},
            {"kind": "ip", "value": "198.51.100.10"},
        ]}, format="json")
    assert created.status_code == 201, created.content
    legal = created.json()
    assert legal["validity"] == "incomplete"  # the third pair has no time
    answered = client.post(f"/api/v1/legal-requests/{legal['id']}/answer/").json()
    answers = [i["answer"] for i in answered["identifiers"]]
    assert answers[0]["customer"]["reference"] == "customer-a"
    assert answers[1]["customer"]["reference"] == "customer-b"  # 13:00 CET is 12:00 UTC: the new holder
    assert answers[2] == {"answered": False, "reason": "no exact time (date and time missing): not attributable"}
    assert "valid from 2020-01-01" in answers[0]["evidence"] and "until 2024-03-01T12:00:00+00:00" in answers[0][
        "evidence"]
    assert "srv-b-new" == answers[1]["service"]


def test_an_address_nobody_held_is_answered_as_such(world):
    from abusedesk.lawenforcement import services
    from abusedesk.network.models import Entity

    legal = services.register(entity=Entity.objects.get(code="nl"), received_at=CHANGE, authority="Politie",
                              country="NL", type="subscriber_data",
                              identifiers=[{"kind": "ip", "value": "192.0.2.77", "at": CHANGE, "zone": "UTC"}])
    [result] = services.answer_identifiers(legal, user=world["legal"])
    assert result["answered"] and result["held"] is False
    assert legal.audit.filter(verb="identifiers_answered").exists()
