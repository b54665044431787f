"""Bad input at the REST API gets a 4xx with a clear message, never a server error."""

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

HUGE = "44399511671201726464"  # beyond 64 bits


def api(username):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(User.objects.get(username=username))
    return client


@pytest.mark.parametrize("path", ["/api/v1/messages/", "/api/v1/assignments/", "/api/v1/customers/",
                                  "/api/v1/notifiers/", "/api/v1/reports/", "/api/v1/cases/"])
def test_limit_or_offset_beyond_64_bits_is_a_400(cases, path):
    desk = api("desk")
    for params in ({"limit": HUGE}, {"offset": HUGE}, {"offset": "-5"}, {"limit": "1e400"}):
        response = desk.get(path, params)
        assert response.status_code in (200, 400), (path, params, response.status_code)
        if response.status_code == 400:
            assert response.json()
    assert desk.get(path, {"offset": HUGE}).status_code == 400


@pytest.mark.parametrize("path,name", [("/api/v1/cases/", "notifier"), ("/api/v1/reports/", "case"),
                                       ("/api/v1/messages/", "case")])
def test_a_float_or_huge_number_for_an_integer_filter_is_a_400(cases, path, name):
    for value in ["-3.4e38", "-1.6e240", HUGE, "1.5", "abc", "NaN"]:
        response = api("desk").get(path, {name: value})
        assert response.status_code == 400, (path, value, response.status_code)
        assert name in response.json()


def test_a_customer_filter_with_a_unicode_digit_finds_nothing(cases):
    for value in ["\u00b9", HUGE, "١٢"]:
        response = api("desk").get("/api/v1/cases/", {"customer": value})
        assert response.status_code == 200 and response.json()["results"] == []


def test_a_huge_path_id_is_a_404(cases):
    for path in [f"/api/v1/cases/{HUGE}/", f"/api/v1/reports/{HUGE}/", f"/api/v1/messages/{HUGE}/",
                 f"/api/v1/customers/{HUGE}/", f"/api/v1/notifiers/{HUGE}/", f"/api/v1/assignments/{HUGE}/",
                 f"/api/v1/cases/{HUGE}/resolve/"]:
        response = api("desk").get(path) if "resolve" not in path else api("desk").post(path, {})
        assert response.status_code == 404, path


@pytest.mark.parametrize("body", ["[null, null]", "-356647", '"text"', "null", "{", "[" * 100_000])
def test_a_json_body_that_is_not_an_object_is_a_400(cases, body):
    for path in ["/api/v1/messages/", f"/api/v1/cases/{cases['a'].pk}/resolve/",
                 f"/api/v1/cases/{cases['a'].pk}/dispute/"]:
        response = api("customer-a").generic("POST", path, body, content_type="application/json")
        assert response.status_code == 400, (path, body[:20])
        assert response.json()["detail"]


def test_a_message_for_a_huge_or_missing_case_is_refused_clearly(cases):
    alice = api("customer-a")
    for case in [HUGE, "abc", None, 1.5]:
        response = alice.post("/api/v1/messages/", {"case": case, "body": "hi"}, format="json")
        assert response.status_code in (400, 404), case
    assert alice.post("/api/v1/messages/", {"case": cases["a"].pk, "body": ["x"]}, format="json").status_code == 400
