"""API tokens: shown once, stored hashed, expiring, scoped, revocable by the user and by staff."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from abusedesk.portal.models import ApiToken

pytestmark = pytest.mark.django_db


def _token_client(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _create(client, scope="read", days="30", name="script"):
    response = client.post(reverse("portal:security"), {"action": "token", "name": name, "scope": scope,
                                                         "days": days})
    assert response.status_code == 200
    return response.context["new_token"]


def test_a_token_is_shown_once_and_stored_hashed(alice, cases):
    key = _create(alice)
    token = ApiToken.objects.get()
    assert key not in (token.key_hash, token.prefix) and key.startswith(token.prefix)
    assert key not in alice.get(reverse("portal:security")).content.decode()
    ids = {c["id"] for c in _token_client(key).get("/api/v1/cases/").json()["results"]}
    assert ids == {cases["a"].pk, cases["csam"].pk}


def test_a_read_token_cannot_write(alice, cases):
    key = _create(alice, scope="read")
    client = _token_client(key)
    assert client.get("/api/v1/cases/").status_code == 200
    response = client.post("/api/v1/messages/", {"case": cases["a"].pk, "body": "hi"}, format="json")
    assert response.status_code == 403
    assert not cases["a"].messages.exists()


def test_an_orders_token_reaches_only_endpoints_that_declare_orders(alice, cases):
    key = _create(alice, scope="orders")
    client = _token_client(key)
    for path in ["/api/v1/cases/", "/api/v1/reports/", "/api/v1/messages/", "/api/v1/schema/"]:
        assert client.get(path).status_code == 403, path
    assert client.post("/api/v1/messages/", {"case": cases["a"].pk, "body": "hi"},
                       format="json").status_code == 403


def test_a_token_expires(alice, cases, clock):
    key = _create(alice, days="1")
    assert _token_client(key).get("/api/v1/cases/").status_code == 200
    clock.advance(days=1, minutes=1)
    assert _token_client(key).get("/api/v1/cases/").status_code in (401, 403)


def test_the_user_revokes_a_token(alice, cases):
    key = _create(alice)
    token = ApiToken.objects.get()
    alice.post(reverse("portal:security"), {"action": "revoke", "token": token.pk})
    assert _token_client(key).get("/api/v1/cases/").status_code in (401, 403)


def test_a_user_cannot_revoke_someone_elses_token(alice, bob, cases):
    key = _create(bob)
    alice.post(reverse("portal:security"), {"action": "revoke", "token": ApiToken.objects.get().pk})
    assert _token_client(key).get("/api/v1/cases/").status_code == 200


def test_staff_revoke_every_token_of_a_user(bob, cases, capsys):
    key = _create(bob)
    call_command("api_tokens", "list")
    assert f"customer-b\t{key[:12]}\tread" in capsys.readouterr().out
    call_command("api_tokens", "revoke", "--user", "customer-b")
    assert _token_client(key).get("/api/v1/cases/").status_code in (401, 403)
    call_command("api_tokens", "list")
    assert "customer-b" not in capsys.readouterr().out


def test_a_wrong_token_is_refused(cases):
    assert _token_client("adt_nonsense").get("/api/v1/cases/").status_code in (401, 403)


def test_a_token_works_for_a_user_with_an_authenticator_app(demo, cases):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = User.objects.get(username="customer-b")
    key, _token = ApiToken.issue(user, "script", ["read"], timedelta(days=30))
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    assert _token_client(key).get("/api/v1/cases/").status_code == 200


def test_the_scope_must_be_one_of_the_known_ones(alice):
    alice.post(reverse("portal:security"), {"action": "token", "name": "x", "scope": "admin", "days": "30"})
    assert not ApiToken.objects.exists()



def test_an_intake_token_of_staff_posts_notices_and_nothing_else(demo):
    from abusedesk.intake.models import RawMessage

    key, _token = ApiToken.issue(User.objects.get(username="desk"), "forwarder", ["intake"], timedelta(days=1))
    client = _token_client(key)
    mail = b"From: jane@victim.example\r\nSubject: spam from 198.51.100.9\r\n\r\nspam from 198.51.100.9\r\n"
    response = client.generic("POST", "/api/v1/intake/", mail, content_type="message/rfc822")
    assert response.status_code == 202
    raw = RawMessage.objects.get()
    assert raw.notifier is None and not raw.trusted
    assert client.get("/api/v1/cases/").status_code == 403
    read_key, _ = ApiToken.issue(User.objects.get(username="desk"), "reader", ["read"], timedelta(days=1))
    assert _token_client(read_key).generic("POST", "/api/v1/intake/", mail,
                                           content_type="message/rfc822").status_code == 403
