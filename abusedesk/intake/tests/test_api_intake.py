"""The intake endpoint: API key, 202 only after storage, size limits; notifier management."""

import json

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from abusedesk.intake.models import Notifier, RawMessage

pytestmark = pytest.mark.django_db

MAIL = b"From: abuse@feed.example\r\nSubject: phishing on 198.51.100.7\r\n\r\nhttp://198.51.100.7/login\r\n"


@pytest.fixture
def feed(db):
    notifier = Notifier.objects.create(name="Feed", kind="feed", trusted=True)
    key = notifier.new_api_key()
    notifier.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return notifier, client


def post(client, body, ctype):
    return client.generic("POST", "/api/v1/intake/", body, content_type=ctype)


def test_a_raw_mail_is_stored_before_the_202(feed):
    notifier, client = feed
    response = post(client, MAIL, "message/rfc822")
    assert response.status_code == 202
    raw = RawMessage.objects.get(pk=response.json()["id"])
    assert bytes(raw.content) == MAIL and raw.channel == "api" and raw.notifier == notifier and raw.trusted


def test_the_same_notice_twice_is_one_notice(feed):
    _, client = feed
    first, second = post(client, MAIL, "message/rfc822"), post(client, MAIL, "message/rfc822")
    assert second.status_code == 202 and second.json()["duplicate"] is True
    assert first.json()["id"] == second.json()["id"] and RawMessage.objects.count() == 1


def test_a_simple_json_notice_is_validated_and_stored(feed):
    _, client = feed
    good = json.dumps({"category": "phishing", "url": "http://198.51.100.7/x", "evidence": "seen"}).encode()
    response = post(client, good, "application/json")
    assert response.status_code == 202 and response.json()["format"] == "simple"
    bad = json.dumps({"category": "nonsense"}).encode()
    assert post(client, bad, "application/json").status_code == 400
    assert post(client, b"{not json", "application/json").status_code == 400


def test_an_xarf_document_is_stored_as_is(feed):
    _, client = feed
    doc = json.dumps({"Version": "4", "ReporterInfo": {"ReporterOrg": "X"},
                      "Report": {"ReportClass": "Content", "ReportType": "Phishing", "SourceIp": "198.51.100.7"}})
    response = post(client, doc.encode(), "application/json")
    assert response.status_code == 202 and response.json()["format"] == "xarf"
    assert RawMessage.objects.get().filename == "xarf.json"


def test_no_key_or_a_wrong_key_is_401(db):
    assert post(APIClient(), MAIL, "message/rfc822").status_code == 401
    client = APIClient()
    client.credentials(HTTP_X_API_KEY="adk_wrong")
    assert post(client, MAIL, "message/rfc822").status_code == 401
    assert not RawMessage.objects.exists()


def test_a_logged_in_user_without_a_key_cannot_post_notices(demo):
    client = APIClient()
    client.force_login(User.objects.get(username="customer-a"))
    assert post(client, MAIL, "message/rfc822").status_code == 401


def test_notices_over_the_size_limit_are_refused(feed, settings):
    _, client = feed
    settings.INTAKE_MAX_BYTES = 100
    assert post(client, MAIL + b"x" * 200, "message/rfc822").status_code == 413
    assert post(client, b"   ", "message/rfc822").status_code in (400, 413)
    assert not RawMessage.objects.exists()


def test_staff_manage_notifiers_and_create_api_keys(demo):
    client = APIClient()
    client.force_authenticate(User.objects.get(username="desk"))
    notifier = Notifier.objects.get(name="Shadowserver Foundation")
    assert client.patch(f"/api/v1/notifiers/{notifier.pk}/", {"trusted": False}, format="json").status_code == 200
    notifier.refresh_from_db()
    assert notifier.trusted is False
    key = client.post(f"/api/v1/notifiers/{notifier.pk}/api-key/").json()["api_key"]
    assert Notifier.for_api_key(key) == notifier
    listing = client.get("/api/v1/notifiers/").json()["results"]
    assert all("api_key_hash" not in row for row in listing)


def test_customers_cannot_manage_notifiers(demo):
    client = APIClient()
    client.force_authenticate(User.objects.get(username="customer-a"))
    notifier = Notifier.objects.first()
    assert client.post(f"/api/v1/notifiers/{notifier.pk}/api-key/").status_code == 403


def test_a_simple_json_notice_about_our_ip_becomes_a_case(demo, feed, django_capture_on_commit_callbacks):
    from abusedesk.cases.models import Case

    _, client = feed
    notice = {"category": "phishing", "ip": "198.51.100.7", "url": "http://bank-login.example/x",
              "observed_at": "2026-11-22T10:00:00Z", "reference": "T-1"}
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, json.dumps(notice).encode(), "application/json")

    assert response.status_code == 202
    case = Case.objects.get(customer__reference="customer-a", category="phishing")
    assert case.ip == "198.51.100.7"
    assert case.target == "http://bank-login.example/x"


def test_a_deeply_nested_json_notice_is_a_400(feed):
    _notifier, client = feed
    client.raise_request_exception = False
    for body in [b"[" * 100_000 + b"]" * 100_000, b"{\"a\":" * 100_000 + b"1" + b"}" * 100_000]:
        response = post(client, body, "application/json")
        assert response.status_code == 400
        assert "JSON" in response.json()["detail"]
    assert not RawMessage.objects.exists()
