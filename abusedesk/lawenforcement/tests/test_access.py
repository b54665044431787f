"""The register is for the legal role (and superusers): other staff and customers get 404,
in the desk, the API and the admin."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(ingest):
    legal, raw = ingest("nl_vordering_126na.eml")
    return legal, raw


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_legal_role_sees_the_queue_the_request_and_the_original(client, world, registered):
    legal, raw = registered
    client.force_login(world["legal"])
    assert client.get(reverse("legal:queue")).status_code == 200
    page = client.get(reverse("legal:detail", args=[legal.pk]))
    assert page.status_code == 200
    assert "198.51.100.23" in page.content.decode()
    assert client.get(reverse("desk:raw", args=[raw.pk])).status_code == 200


@pytest.mark.parametrize("who", ["desk", "customer"])
def test_staff_without_the_legal_role_and_customers_get_404_in_the_desk(client, world, registered, who):
    legal, raw = registered
    client.force_login(world[who])
    assert client.get(reverse("legal:queue")).status_code == 404
    assert client.get(reverse("legal:detail", args=[legal.pk])).status_code == 404
    assert client.post(reverse("legal:act", args=[legal.pk, "decide"]), {"decision": "accept"}).status_code == 404
    assert client.get(reverse("desk:raw", args=[raw.pk])).status_code == 404
    legal.refresh_from_db()
    assert legal.state == "new"


def test_the_unmatched_queue_does_not_list_requests_to_staff_without_the_legal_role(client, world, registered):
    legal, raw = registered
    from abusedesk.desk import queues

    assert raw.pk not in queues.queryset("unmatched", world["desk"]).values_list("pk", flat=True)
    assert raw.pk in queues.queryset("unmatched", world["legal"]).values_list("pk", flat=True)


@pytest.mark.parametrize("who", ["desk", "customer"])
def test_the_api_answers_404_to_everyone_but_the_legal_role(world, registered, who):
    legal, raw = registered
    client = _client(world[who])
    assert client.get("/api/v1/legal-requests/").status_code == 404
    assert client.get(f"/api/v1/legal-requests/{legal.pk}/").status_code == 404
    assert client.post("/api/v1/legal-requests/", {"entity": "nl", "authority": "x", "type": "other"},
                       format="json").status_code == 404
    assert client.post(f"/api/v1/legal-requests/{legal.pk}/decide/", {"decision": "accept"},
                       format="json").status_code == 404
    # Nor do the request's reports show in the reports API.
    reports = client.get("/api/v1/reports/").json()["results"]
    assert all(r["raw_message"] != raw.pk for r in reports)


def test_anonymous_callers_are_refused_by_the_api(registered):
    assert APIClient().get("/api/v1/legal-requests/").status_code in (401, 403)


def test_the_legal_role_reads_the_request_in_the_api_with_its_fields(world, registered):
    legal, raw = registered
    data = _client(world["legal"]).get(f"/api/v1/legal-requests/{legal.pk}/").json()
    for field in ("id", "authority", "country", "type", "entity", "received_at", "identifiers", "checks", "validity",
                  "state", "deadline", "decision_reason"):
        assert field in data
    assert data["entity"] == "nl" and data["country"] == "NL"
    assert {"ip": "198.51.100.23", "at": "2024-04-02T12:03:51Z"}.items() <= data["identifiers"][0].items()
    assert {c["code"] for c in data["checks"]} == {"authority", "legal_basis", "jurisdiction", "identifiers",
                                                   "timestamps", "scope"}
    assert all(set(c) >= {"code", "passed", "evidence"} for c in data["checks"])


def test_the_admin_shows_the_register_to_the_legal_role_only(client, world, registered):
    legal, raw = registered
    url = reverse("admin:lawenforcement_legalrequest_change", args=[legal.pk])
    client.force_login(world["desk"])
    assert client.get(url).status_code in (302, 403, 404)
    assert "lawenforcement" not in client.get(reverse("admin:index")).content.decode()
    client.force_login(world["legal"])
    assert client.get(url).status_code == 200


def test_the_customer_holding_the_address_sees_nothing_of_the_request(client, world, registered):
    legal, raw = registered
    client.force_login(world["customer"])  # customer-a holds 198.51.100.23
    page = client.get(reverse("portal:cases")).content.decode()
    assert "2024-MN-004417" not in page and "198.51.100.23" not in page
    from abusedesk.outbox.models import OutgoingMail

    assert not OutgoingMail.objects.filter(to__contains="customer-a").exists()


def test_the_schema_documents_the_endpoints(world):
    schema = _client(world["legal"]).get("/api/v1/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for path in ("/api/v1/legal-requests/", "/api/v1/legal-requests/{id}/", "/api/v1/legal-requests/{id}/decide/",
                 "/api/v1/legal-requests/{id}/disclose/"):
        assert path in paths
