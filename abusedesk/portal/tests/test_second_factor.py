"""The second factor holds on every way in: the login form, HTTP Basic, the admin, sessions."""

import base64

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db


def _device(username):
    return TOTPDevice.objects.create(user=User.objects.get(username=username), name="app", confirmed=True)


def _code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _basic(username, password):
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def _login(client, username, password, token=""):
    return client.post(reverse("login"), {"username": username, "password": password, "otp_token": token})


def test_http_basic_is_refused_for_a_user_with_an_authenticator_app(client, demo):
    _device("customer-a")
    response = client.get("/api/v1/cases/", **_basic("customer-a", "customer-a-demo"))
    assert response.status_code in (401, 403)
    assert "second factor" in response.json()["detail"]
    assert client.post("/api/v1/messages/", {"case": 1, "body": "x"},
                       **_basic("customer-a", "customer-a-demo")).status_code in (401, 403)


def test_http_basic_still_works_for_a_user_without_one(client, demo):
    """The documented demo contract: curl -u desk:desk-demo .../api/v1/cases/"""
    assert client.get("/api/v1/cases/", **_basic("desk", "desk-demo")).status_code == 200
    assert client.get("/api/v1/cases/", **_basic("customer-b", "customer-b-demo")).status_code == 200


def test_http_basic_guessing_is_limited_like_the_login_form(client, demo, settings):
    settings.LOGIN_RATE_LIMIT = 3
    for _ in range(3):
        assert client.get("/api/v1/cases/", **_basic("customer-b", "wrong")).status_code in (401, 403)
    # the right password no longer helps, through Basic or the form
    assert client.get("/api/v1/cases/", **_basic("customer-b", "customer-b-demo")).status_code == 429
    assert _login(Client(), "customer-b", "customer-b-demo").status_code == 429


def test_failed_logins_on_the_form_also_lock_http_basic(demo, settings):
    settings.LOGIN_RATE_LIMIT = 2
    for _ in range(2):
        _login(Client(REMOTE_ADDR="192.0.2.7"), "customer-b", "nope")
    response = Client(REMOTE_ADDR="192.0.2.8").get("/api/v1/cases/", **_basic("customer-b", "customer-b-demo"))
    assert response.status_code == 429


def test_the_admin_login_is_the_projects_login(client, demo):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    # a password alone posted to the admin's login gives no session
    _device("desk")
    client.post("/admin/login/?next=/admin/", {"username": "desk", "password": "desk-demo"})
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_the_admin_needs_the_code_of_a_user_with_an_app(client, demo):
    device = _device("desk")
    assert _login(client, "desk", "desk-demo").status_code == 200
    assert client.get("/admin/").status_code == 302
    assert _login(client, "desk", "desk-demo", _code(device)).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_admin_login_guessing_is_limited(client, demo, settings):
    settings.LOGIN_RATE_LIMIT = 2
    for _ in range(2):
        _login(client, "desk", "wrong")
    assert _login(client, "desk", "desk-demo").status_code == 429
    assert client.get("/admin/").status_code == 302


def test_the_admin_is_for_superusers_only(demo):
    plain = User.objects.create_user("viewer", password="viewer-pass-1", is_staff=True)
    client = Client()
    client.force_login(plain)
    assert client.get("/admin/", follow=True).status_code == 403
    assert client.get("/admin/cases/case/", follow=True).status_code == 403


def test_a_password_only_session_of_a_user_with_an_app_is_not_accepted(demo):
    """A session opened without the code (e.g. before the app was added elsewhere) is ended."""
    _device("desk")
    client = Client()
    client.force_login(User.objects.get(username="desk"))
    assert client.get(reverse("desk:queues")).status_code == 302
    assert "_auth_user_id" not in client.session
    client.force_login(User.objects.get(username="desk"))
    assert client.get("/api/v1/cases/").status_code in (401, 403)


def test_the_portal_login_with_the_code_gives_a_working_session_for_desk_and_api(client, demo):
    device = _device("desk")
    assert _login(client, "desk", "desk-demo", _code(device)).status_code == 302
    assert client.get(reverse("desk:queues")).status_code == 200
    assert client.get("/api/v1/cases/").status_code == 200


def test_compliance_staff_must_set_up_a_second_factor_when_required(demo, settings):
    settings.OTP_REQUIRED_FOR_COMPLIANCE = True
    officer = User.objects.create_user("officer", password="officer-pass-1", is_staff=True)
    officer.groups.add(Group.objects.get_or_create(name="compliance")[0])
    client = Client()
    assert _login(client, "officer", "officer-pass-1").status_code == 302
    response = client.get(reverse("desk:queues"))
    assert response.status_code == 302 and response["Location"] == reverse("portal:security")
    assert client.get(reverse("portal:security")).status_code == 200
    assert client.get("/api/v1/cases/").status_code == 403
    assert Client().get("/api/v1/cases/", **_basic("officer", "officer-pass-1")).status_code in (401, 403)
    # staff without the role are not forced
    User.objects.create_user("clerk", password="clerk-pass-1", is_staff=True)
    clerk = Client()
    _login(clerk, "clerk", "clerk-pass-1")
    assert clerk.get(reverse("desk:queues")).status_code == 200


def test_confirming_an_app_verifies_the_session_that_did_it(client, demo):
    _login(client, "customer-a", "customer-a-demo")
    client.get(reverse("portal:security"))
    device = TOTPDevice.objects.get(user__username="customer-a", confirmed=False)
    client.post(reverse("portal:security"), {"token": _code(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("portal:cases")).status_code == 200


def test_removing_the_app_needs_the_current_code_or_the_password(client, demo):
    device = _device("customer-a")
    _login(client, "customer-a", "customer-a-demo", _code(device))
    client.post(reverse("portal:security"), {"action": "remove"})
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    client.post(reverse("portal:security"), {"action": "remove", "code_or_password": "wrong"})
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    client.post(reverse("portal:security"), {"action": "remove", "code_or_password": "customer-a-demo"})
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()


def test_staff_sessions_end_when_idle(demo, clock, settings):
    settings.STAFF_IDLE_MINUTES = 30
    client = Client()
    _login(client, "desk", "desk-demo")
    assert client.get(reverse("desk:queues")).status_code == 200
    clock.advance(minutes=20)
    assert client.get(reverse("desk:queues")).status_code == 200
    clock.advance(minutes=31)
    assert client.get(reverse("desk:queues")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_reset_is_limited_per_address_and_per_client(demo, settings, mailoutbox):
    settings.PASSWORD_RESET_RATE_LIMIT = 3
    user = User.objects.get(username="customer-a")
    user.email = "a@customer-a.example"
    user.save()
    for i in range(3):
        response = Client(REMOTE_ADDR=f"192.0.2.{i + 1}").post(reverse("password_reset"), {"email": user.email})
        assert response.status_code == 302
    assert len(mailoutbox) == 3
    # a fourth for the same address, from yet another client
    assert Client(REMOTE_ADDR="192.0.2.50").post(reverse("password_reset"),
                                                 {"email": user.email}).status_code == 429
    # one client asking for many addresses
    client = Client(REMOTE_ADDR="192.0.2.60")
    for i in range(3):
        client.post(reverse("password_reset"), {"email": f"x{i}@elsewhere.example"})
    assert client.post(reverse("password_reset"), {"email": "y@elsewhere.example"}).status_code == 429
    assert len(mailoutbox) == 3
