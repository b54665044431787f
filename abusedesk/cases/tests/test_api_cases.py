"""The cases endpoint: filters, and that a customer never sees another's cases."""

import pytest
from rest_framework.test import APIClient

from testkit.orm import make_case

pytestmark = pytest.mark.django_db


def client_for(username, password=None):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Basic " + __import__("base64").b64encode(
        f"{username}:{password or username + '-demo'}".encode()).decode())
    return client


def ids(response):
    assert response.status_code == 200, response.content
    return sorted(c["id"] for c in response.json()["results"])


def test_staff_can_filter_cases_by_ip_customer_and_state(demo):
    a = make_case("customer-a", ip="198.51.100.42", category="spam", state="new", report=False)
    b = make_case("customer-b", ip="198.51.100.200", report=False, state="forwarded")
    api = client_for("desk")

    assert ids(api.get("/api/v1/cases/", {"ip": "198.51.100.42"})) == [a.pk]
    assert ids(api.get("/api/v1/cases/", {"customer": "customer-b"})) == [b.pk]
    assert ids(api.get("/api/v1/cases/", {"state": "forwarded"})) == [b.pk]
    assert ids(api.get("/api/v1/cases/", {"ip": "198.51.100.0/24"})) == sorted([a.pk, b.pk])


def test_a_customer_sees_only_its_own_cases(demo):
    a = make_case("customer-a", ip="198.51.100.42", category="spam", state="new", report=False)
    b = make_case("customer-b", ip="198.51.100.200", category="spam", state="new", report=False)

    assert ids(client_for("customer-a").get("/api/v1/cases/")) == [a.pk]
    assert client_for("customer-a").get(f"/api/v1/cases/{b.pk}/").status_code == 404
    assert ids(client_for("customer-b").get("/api/v1/cases/")) == [b.pk]


def test_a_reseller_sees_its_end_customers_cases(demo):
    from abusedesk.network.models import Customer

    end = Customer.objects.get(reference="reseller-c-end-1")
    c = make_case("reseller-c", ip="203.0.113.17", report=False, end_customer=end)
    make_case("customer-a", ip="198.51.100.42", category="spam", state="new", report=False)

    assert ids(client_for("reseller-c").get("/api/v1/cases/")) == [c.pk]


def test_child_abuse_cases_are_for_the_compliance_role_only(demo, django_user_model):
    csam = make_case("customer-a", ip="198.51.100.9", report=False, category="csam", sensitive=True)
    other = django_user_model.objects.create_user("junior", password="junior-pass-1", is_staff=True)

    assert csam.pk in ids(client_for("desk").get("/api/v1/cases/"))
    assert csam.pk not in ids(client_for("junior", "junior-pass-1").get("/api/v1/cases/"))
    assert other.pk


def test_anonymous_requests_are_refused(demo):
    assert APIClient().get("/api/v1/cases/").status_code in (401, 403)


def test_the_openapi_schema_is_served(demo):
    response = client_for("desk").get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"/api/v1/cases/" in response.content


def test_staff_find_reports_by_ip_with_and_without_a_case(demo):
    from abusedesk.cases.models import Report
    from abusedesk.intake.models import RawMessage

    case = make_case("customer-a", ip="198.51.100.42", category="spam", state="new", report=False)
    raw = RawMessage.objects.create(content=b"two reports", channel="file")
    now = case.received_at
    common = dict(raw_message=raw, category="spam", received_at=now, fingerprint=0, status="matched")
    matched = Report.objects.create(event_index=0, ip="198.51.100.42", case=case, **common)
    foreign = Report.objects.create(event_index=1, ip="192.0.2.7", **{**common, "status": "unmatched"})
    Report.objects.create(event_index=2, ip="198.51.100.43", **{**common, "status": "unmatched"})
    api = client_for("desk")

    assert ids(api.get("/api/v1/reports/", {"ip": "198.51.100.42"})) == [matched.pk]
    assert ids(api.get("/api/v1/reports/", {"ip": "192.0.2.7"})) == [foreign.pk]
    assert ids(api.get("/api/v1/reports/", {"ip": "not an address"})) == []
