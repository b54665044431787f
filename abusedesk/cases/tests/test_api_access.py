"""REST API: every endpoint with two customers, a reseller, plain staff and the compliance role."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from abusedesk.cases.models import Message
from abusedesk.portal.models import ApiToken

pytestmark = pytest.mark.django_db


def api(username):
    client = APIClient()
    client.force_authenticate(User.objects.get(username=username))
    return client


def ids(response):
    return {row["id"] for row in response.json()["results"]}


def test_anonymous_requests_are_refused_everywhere(client, cases):
    for path in ["/api/v1/cases/", "/api/v1/reports/", "/api/v1/messages/", "/api/v1/customers/",
                 "/api/v1/assignments/", "/api/v1/notifiers/", f"/api/v1/cases/{cases['a'].pk}/"]:
        assert client.get(path).status_code in (401, 403), path


def test_a_customer_lists_only_its_own_cases_reports_and_messages(cases):
    alice = api("customer-a")
    assert ids(alice.get("/api/v1/cases/")) == {cases["a"].pk, cases["csam"].pk}
    report_cases = {r["case"] for r in alice.get("/api/v1/reports/").json()["results"]}
    assert report_cases == {cases["a"].pk, cases["csam"].pk}


def test_another_customers_case_is_404_on_every_case_endpoint(cases):
    alice, other = api("customer-a"), cases["b"]
    assert alice.get(f"/api/v1/cases/{other.pk}/").status_code == 404
    assert alice.post(f"/api/v1/cases/{other.pk}/resolve/", {"resolution": "removed_content"}).status_code == 404
    assert alice.post(f"/api/v1/cases/{other.pk}/dispute/", {"text": "no"}).status_code == 404
    assert alice.post("/api/v1/messages/", {"case": other.pk, "body": "hi"}).status_code == 404
    report = other.reports.get()
    assert alice.get(f"/api/v1/reports/{report.pk}/").status_code == 404
    assert alice.get("/api/v1/messages/", {"case": other.pk}).json()["results"] == []
    other.refresh_from_db()
    assert other.state == "forwarded" and not other.messages.exists()


def test_customers_cannot_read_customers_assignments_or_notifiers(cases):
    alice = api("customer-a")
    for path in ["/api/v1/customers/", "/api/v1/assignments/", "/api/v1/notifiers/"]:
        assert alice.get(path).status_code == 403, path


def test_a_reseller_sees_its_end_customers_cases(cases):
    assert cases["c1"].pk in ids(api("reseller-c").get("/api/v1/cases/"))
    assert cases["a"].pk not in ids(api("reseller-c").get("/api/v1/cases/"))


def test_child_abuse_cases_need_the_compliance_role(cases):
    plain = User.objects.create_user("plain-staff", is_staff=True)
    client = APIClient()
    client.force_authenticate(plain)
    assert cases["csam"].pk not in ids(client.get("/api/v1/cases/"))
    assert client.get(f"/api/v1/cases/{cases['csam'].pk}/").status_code == 404
    assert cases["csam"].pk in ids(api("desk").get("/api/v1/cases/"))


def test_resolve_through_the_api_needs_a_solution(cases):
    alice = api("customer-a")
    assert alice.post(f"/api/v1/cases/{cases['a'].pk}/resolve/", {}).status_code == 400
    response = alice.post(f"/api/v1/cases/{cases['a'].pk}/resolve/", {"resolution": "removed_content",
                                                                      "text": "deleted"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "resolved"


def test_a_customer_message_through_the_api_is_always_visible_and_from_the_customer(cases):
    response = api("customer-a").post("/api/v1/messages/", {"case": cases["a"].pk, "body": "done",
                                                            "visible_to_customer": False}, format="json")
    assert response.status_code == 201
    message = Message.objects.get()
    assert message.author_kind == "customer" and message.visible_to_customer and message.channel == "api"


def test_internal_messages_are_not_listed_for_customers(cases, clock):
    Message.objects.create(case=cases["a"], author_kind="staff", channel="portal", body="internal",
                           visible_to_customer=False, created_at=clock.now)
    assert api("customer-a").get("/api/v1/messages/").json()["results"] == []
    assert len(api("desk").get("/api/v1/messages/").json()["results"]) == 1


def test_token_authentication_works(cases):
    key, _token = ApiToken.issue(User.objects.get(username="customer-b"), "script", ["read"], timedelta(days=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert ids(client.get("/api/v1/cases/")) == {cases["b"].pk}


def test_filters_by_prefix_state_and_category(cases):
    desk = api("desk")
    assert ids(desk.get("/api/v1/cases/", {"ip": "203.0.113.0/24"})) == {cases["c1"].pk}
    assert ids(desk.get("/api/v1/cases/", {"category": "csam"})) == {cases["csam"].pk}
    assert ids(desk.get("/api/v1/cases/", {"customer": "customer-b"})) == {cases["b"].pk}
    assert len(ids(desk.get("/api/v1/cases/", {"state": "forwarded"}))) == 4


def test_the_openapi_schema_is_served(cases):
    response = api("desk").get("/api/v1/schema/")
    assert response.status_code == 200 and b"/api/v1/intake/" in response.content
