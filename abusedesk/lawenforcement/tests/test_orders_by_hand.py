"""Orders against content entered by hand (desk form) or through the API become cases with the
order's deadline, through the same function as the orders that come by mail."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from abusedesk.cases.models import Case
from abusedesk.lawenforcement.models import LegalRequest
from abusedesk.network.models import Entity
from abusedesk.outbox.models import OutgoingMail

pytestmark = pytest.mark.django_db


def test_a_dsa_article_9_order_posted_to_the_api_becomes_a_case_with_its_deadline(world, clock):
    clock.set(datetime(2024, 6, 3, 9, 0, tzinfo=UTC))
    client = APIClient()
    client.force_authenticate(world["legal"])
    response = client.post("/api/v1/legal-requests/", {
        "entity": "nl", "authority": "Autoriteit Consument en Markt", "country": "NL",
        "contact_channel": "dsa-bevelen@acm.example.nl", "reference": "ACM/DSA/24/0412",
        "legal_basis": "Article 9 of Regulation (EU) 2022/2065", "instrument": "dsa_art9", "type": "dsa_art9",
        "category": "fraud", "authority_deadline": "2024-06-03T17:00:00+02:00",
        "identifiers": [{"kind": "url", "value": "https://198.51.100.45/outlet/nike-sale.html"}],
    }, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    [case_id] = data["cases"]
    case = Case.objects.get(pk=case_id)
    assert (case.url, case.category, case.customer.reference) == (
        "https://198.51.100.45/outlet/nike-sale.html", "fraud", "customer-a")
    assert case.state == "forwarded" and case.law_enforcement
    assert case.deadline == datetime(2024, 6, 3, 15, 0, tzinfo=UTC)  # the order's own, shorter than policy
    assert OutgoingMail.objects.filter(case=case, to="abuse@customer-a.example").exists()
    legal = LegalRequest.objects.get(pk=data["id"])
    assert legal.raw_message.channel == "api" and case.opened_by == legal.raw_message
    assert "ACM/DSA/24/0412" in bytes(legal.raw_message.content).decode()


def test_a_court_order_entered_at_the_desk_becomes_a_case(client, world, clock):
    clock.set(datetime(2024, 6, 3, 9, 0, tzinfo=UTC))
    client.force_login(world["legal"])
    response = client.post(reverse("legal:new"), {
        "entity": Entity.objects.get(code="nl").pk, "authority": "Rechtbank Amsterdam", "country": "NL",
        "contact_channel": "griffie@rechtspraak.example.nl", "channel": "post", "received_at": "2024-06-03 08:30",
        "reference": "C/13/751234 / KG ZA 24-512", "legal_basis": "art. 125p Sv", "type": "court_removal",
        "language": "nl", "category": "copyright", "url": "https://198.51.100.140/films/new-release.mkv",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    legal = LegalRequest.objects.get()
    [case] = legal.cases.all()
    assert case.customer.reference == "customer-b" and case.category == "copyright"
    assert case.deadline == datetime(2024, 6, 4, 8, 30, tzinfo=UTC)  # the type's default: 24 hours
    assert legal.raw_message.channel == "form"


def test_a_confidential_order_by_api_opens_its_case_only_when_the_flag_is_lifted(world, clock):
    from abusedesk.lawenforcement import services

    clock.set(datetime(2024, 6, 3, 9, 0, tzinfo=UTC))
    client = APIClient()
    client.force_authenticate(world["legal"])
    data = client.post("/api/v1/legal-requests/", {
        "entity": "nl", "authority": "Bundeskriminalamt", "country": "DE", "type": "tco_removal",
        "instrument": "tco", "legal_basis": "Regulation (EU) 2021/784", "confidential": True,
        "contact_channel": "tco@bka.example.de",
        "identifiers": [{"kind": "url", "value": "https://198.51.100.72/v/9918"}],
    }, format="json").json()
    assert data["cases"] == [] and not Case.objects.exists()
    legal = LegalRequest.objects.get(pk=data["id"])
    services.set_confidential(legal, False, user=world["legal"])
    [case] = legal.cases.all()
    assert case.category == "terrorism" and case.deadline_hours == 1
    assert legal.deadline - legal.received_at == timedelta(hours=1)
