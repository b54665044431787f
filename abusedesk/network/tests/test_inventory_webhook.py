"""The billing system's signed inventory webhook: customers and assignments as they change."""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from abusedesk.lib.signatures import sign
from abusedesk.network.matching import match_ip
from abusedesk.network.models import Assignment, Customer, Entity

SECRET = "billing-webhook-secret"
URL = "/api/v1/inventory/events/"


@pytest.fixture
def entity(db, settings):
    settings.INVENTORY_WEBHOOK_SECRET = SECRET
    return Entity.objects.create(code="nl", name="NL", abuse_email="abuse@hosting.example", jurisdiction="NL")


def post(client, body, secret=SECRET, timestamp=None):
    data = json.dumps(body).encode() if not isinstance(body, bytes) else body
    ts = str(int(timestamp if timestamp is not None else time.time()))
    return client.post(URL, data, content_type="application/json", HTTP_X_ABUSEDESK_TIMESTAMP=ts,
                       HTTP_X_ABUSEDESK_SIGNATURE="sha256=" + sign(secret, ts, data))


def test_a_new_customer_and_its_assignment_arrive_in_one_signed_request(entity, client):
    response = post(client, {"events": [
        {"event": "customer.upsert", "customer": {"reference": "b-1", "name": "Billing Ltd", "entity": "nl",
                                                  "abuse_email": "abuse@billing.example"}},
        {"event": "assignment.assign", "prefix": "192.0.2.0/24", "customer": "b-1", "service_ref": "vps-77"},
    ]})
    assert response.status_code == 200, response.content
    assert response.json()["applied"] == ["customer b-1: created", "assignment 192.0.2.0/24: assigned"]
    assert match_ip("192.0.2.9", datetime.now(UTC) + timedelta(seconds=1)).customer.reference == "b-1"


def test_termination_closes_the_customers_assignments_and_keeps_the_history(entity, client):
    customer = Customer.objects.create(entity=entity, reference="b-2", name="Gone")
    Assignment.objects.create(prefix="198.51.100.0/24", customer=customer, valid_from=datetime(2024, 1, 1, tzinfo=UTC))
    response = post(client, {"event": "customer.terminate", "reference": "b-2"})
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.state == "terminated"
    closed = Assignment.objects.get(prefix="198.51.100.0/24")
    assert closed.valid_to is not None
    assert match_ip("198.51.100.1", datetime(2025, 1, 1, tzinfo=UTC)).customer == customer


def test_one_bad_event_applies_none_of_the_request(entity, client):
    response = post(client, {"events": [
        {"event": "customer.upsert", "customer": {"reference": "b-3", "name": "Three", "entity": "nl"}},
        {"event": "assignment.assign", "prefix": "192.0.2.1/24", "customer": "b-3"},
    ]})
    assert response.status_code == 400 and response.json()["detail"].startswith("event 1:")
    assert not Customer.objects.filter(reference="b-3").exists()


@pytest.mark.parametrize("body", [[1, 2], {"events": []}, {"event": "customer.explode"}, b"\x00not json",
                                  {"event": "assignment.release", "prefix": "192.0.2.0/24", "at": "yesterday"}])
def test_malformed_events_are_a_400_with_a_reason(entity, client, body):
    response = post(client, body)
    assert response.status_code == 400 and response.json()["detail"]


def test_an_unsigned_a_wrongly_signed_and_a_replayed_request_are_refused(entity, client):
    body = {"event": "customer.suspend", "reference": "nobody"}
    assert client.post(URL, body, content_type="application/json").status_code == 401
    assert post(client, body, secret="guess").status_code == 401
    assert post(client, body, timestamp=time.time() - 3600).status_code == 401


def test_the_webhook_is_off_without_a_secret(db, client, settings):
    settings.INVENTORY_WEBHOOK_SECRET = ""
    assert post(client, {"event": "customer.suspend", "reference": "x"}).status_code == 503
