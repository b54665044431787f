"""The register is for the legal role (and superusers): other staff and customers get 404,
in the desk, the API and the admin."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from abusedesk.network.models import Entity

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


def test_the_navigation_links_the_register_for_the_legal_role_only(client, world):
    client.force_login(world["legal"])
    assert reverse("legal:queue") in client.get(reverse("desk:queues")).content.decode()
    client.force_login(world["desk"])
    assert reverse("legal:queue") not in client.get(reverse("desk:queues")).content.decode()


def test_the_legal_team_registers_a_request_that_came_by_post(client, world):
    client.force_login(world["legal"])
    response = client.post(reverse("legal:new"), {
        "entity": Entity.objects.get(code="nl").pk,
        "authority": "Rechtbank Den Haag", "country": "NL", "channel": "post", "received_at": "2024-04-02 09:00",
        "reference": "C/09/123", "legal_basis": "art. 126nc Sv", "type": "subscriber_data", "language": "nl",
        "contact_channel": "griffie@rechtspraak.example.nl", "ip": "198.51.100.20", "ip_at": "2024-04-01 10:00:00"})
    assert response.status_code == 302
    from abusedesk.lawenforcement.models import LegalRequest

    legal = LegalRequest.objects.get(reference="C/09/123")
    assert (legal.channel, legal.validity) == ("post", "valid")
    assert legal.identifiers.get().at.isoformat() == "2024-04-01T10:00:00+00:00"


def test_the_api_list_costs_a_fixed_number_of_queries(world, ingest, django_assert_max_num_queries):
    for name in ("nl_vordering_126na.eml", "en_epoc_ie.eml", "nl_bevel_zonder_tijd.eml"):
        ingest(name)
    client = _client(world["legal"])
    with django_assert_max_num_queries(12):
        assert len(client.get("/api/v1/legal-requests/").json()["results"]) == 3
