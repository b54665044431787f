"""The KYC API: staff with the kyc role do everything; the shop's user submits orders and
reads their screening, and nothing else; everyone else is refused."""

import pytest
from django.contrib.auth.models import User

from abusedesk.kyc.models import Order

from .conftest import api_for, order_fields

pytestmark = pytest.mark.django_db

ORDER = {**order_fields(), "email": "x@mailinator.com", "business_type": "vpn", "signup_ip": "145.97.0.1",
         "phone": "+49 30 5555 0100"}


def test_the_shop_submits_an_order_and_reads_its_screening(shop_api, shop_user):
    r = shop_api.post("/api/v1/kyc/orders/", ORDER, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["company_name"] == "Clean Company B.V." and body["state"] == "review"
    assert body["risk_level"] in ("medium", "high") and body["risk_score"] > 0
    codes = {s["code"] for s in body["signals"]}
    assert {"disposable_email", "country_mismatch", "questionnaire_required"} <= codes
    assert all(set(s) == {"code", "weight", "explanation"} for s in body["signals"])  # no evidence for the shop
    assert body["questionnaire_url"].startswith("http://127.0.0.1:8000/kyc/questionnaire/")
    assert Order.objects.get(pk=body["id"]).submitted_by == shop_user
    again = shop_api.get(f"/api/v1/kyc/orders/{body['id']}/")
    assert again.status_code == 200 and again.json()["risk_score"] == body["risk_score"]
    assert [o["id"] for o in shop_api.get("/api/v1/kyc/orders/").json()["results"]] == [body["id"]]


def test_the_shop_sees_only_its_own_orders_and_cannot_decide(shop_api, kyc_api):
    staff_order = kyc_api.post("/api/v1/kyc/orders/", order_fields(), format="json").json()
    assert shop_api.get(f"/api/v1/kyc/orders/{staff_order['id']}/").status_code == 404
    mine = shop_api.post("/api/v1/kyc/orders/", order_fields(), format="json").json()
    r = shop_api.post(f"/api/v1/kyc/orders/{mine['id']}/decide/", {"decision": "approve"}, format="json")
    assert r.status_code == 403
    assert Order.objects.get(pk=mine["id"]).state == "review"


@pytest.mark.parametrize("path", ["/api/v1/kyc/watchlist/", "/api/v1/customers/", "/api/v1/assignments/",
                                  "/api/v1/notifiers/"])
def test_the_shop_cannot_read_the_watch_list_or_the_inventory(shop_api, path):
    assert shop_api.get(path).status_code == 403


@pytest.mark.parametrize("path", ["/api/v1/cases/", "/api/v1/reports/", "/api/v1/messages/"])
def test_the_shop_sees_no_case_report_or_message(shop_api, path):
    from testkit.orm import make_case

    make_case("customer-a", ip="198.51.100.10")
    r = shop_api.get(path)
    assert r.status_code == 403 or r.json()["results"] == []


def test_the_shop_cannot_add_to_the_watch_list(shop_api):
    r = shop_api.post("/api/v1/kyc/watchlist/", {"name": "X", "source": "y", "listed_on": "2026-01-01"},
                      format="json")
    assert r.status_code == 403


@pytest.mark.parametrize("username", ["customer-a", "plain-staff", None])
def test_customers_staff_without_the_kyc_role_and_strangers_are_refused(demo, username):
    from rest_framework.test import APIClient

    if username == "plain-staff":
        User.objects.create_user("plain-staff", is_staff=True)
    client = api_for(User.objects.get(username=username)) if username else APIClient()
    assert client.get("/api/v1/kyc/orders/").status_code in (401, 403)
    assert client.post("/api/v1/kyc/orders/", order_fields(), format="json").status_code in (401, 403)
    assert client.get("/api/v1/kyc/watchlist/").status_code in (401, 403)


def test_kyc_staff_decide_through_the_api(kyc_api):
    order = kyc_api.post("/api/v1/kyc/orders/", order_fields(), format="json").json()
    assert "evidence" in kyc_api.get(f"/api/v1/kyc/orders/{order['id']}/").json()["signals"][0] if order[
        "signals"] else True
    r = kyc_api.post(f"/api/v1/kyc/orders/{order['id']}/decide/", {"decision": "reject"}, format="json")
    assert r.status_code == 409 and "reason" in r.json()["detail"]
    r = kyc_api.post(f"/api/v1/kyc/orders/{order['id']}/decide/", {"decision": "reject", "reason": "fraud",
                                                                    "note": "fake documents"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "rejected" and r.json()["reject_reason"] == "fraud"
    other = kyc_api.post("/api/v1/kyc/orders/", order_fields(), format="json").json()
    r = kyc_api.post(f"/api/v1/kyc/orders/{other['id']}/decide/", {"decision": "approve"}, format="json")
    assert r.status_code == 200 and r.json()["customer"] == "clean-company-bv"


def test_kyc_staff_add_to_the_watch_list_and_matching_customers_are_reviewed(kyc_api):
    r = kyc_api.post("/api/v1/kyc/watchlist/", {
        "name": "Klant B Limited", "domains": ["bulletproof-servers.example"], "source": "police letter",
        "listed_on": "2026-10-01"}, format="json")
    assert r.status_code == 201 and r.json()["reviews_opened"] == 1
    listed = kyc_api.get("/api/v1/kyc/watchlist/").json()["results"]
    assert listed[0]["name"] == "Klant B Limited" and listed[0]["domains"] == ["bulletproof-servers.example"]


@pytest.mark.parametrize("bad", [
    {"company_name": ""}, {"email": "not-an-address"}, {"signup_ip": "999.1.1.1"}, {"business_type": "casino"},
    {"entity": "nowhere"},
])
def test_malformed_orders_get_a_clear_400(shop_api, bad):
    r = shop_api.post("/api/v1/kyc/orders/", {**order_fields(), **bad}, format="json")
    assert r.status_code == 400 and set(bad) <= set(r.json())


def test_the_order_api_is_in_the_openapi_schema(kyc_api):
    r = kyc_api.get("/api/v1/schema/")
    assert r.status_code == 200 and b"/api/v1/kyc/orders/" in r.content and b"questionnaire_url" in r.content


def test_listing_orders_takes_the_same_queries_for_many_orders(kyc_api, shop_api, django_assert_max_num_queries):
    for _i in range(12):
        shop_api.post("/api/v1/kyc/orders/", {**order_fields(), "business_type": "vpn"}, format="json")
    with django_assert_max_num_queries(8):
        r = shop_api.get("/api/v1/kyc/orders/")
    assert len(r.json()["results"]) == 12 and all(o["questionnaire_url"] for o in r.json()["results"])
    with django_assert_max_num_queries(8):
        assert len(kyc_api.get("/api/v1/kyc/orders/").json()["results"]) == 12


def test_an_approval_whose_user_cannot_be_invited_is_rolled_back(kyc_api, demo):
    from django.contrib.auth.models import User

    User.objects.create_user("office@clean-company.example")  # the name is taken, by someone without that address
    order = kyc_api.post("/api/v1/kyc/orders/", order_fields(), format="json").json()
    r = kyc_api.post(f"/api/v1/kyc/orders/{order['id']}/decide/", {"decision": "approve"}, format="json")
    assert r.status_code == 409 and "cannot invite" in r.json()["detail"]
    assert Order.objects.get(pk=order["id"]).state == "review"
    from abusedesk.network.models import Customer

    assert not Customer.objects.filter(name="Clean Company B.V.").exists()
