"""Login: rate limited, with an optional authenticator-app code."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db


def login(client, username, password, token=""):
    return client.post(reverse("login"), {"username": username, "password": password, "otp_token": token})


def test_a_customer_logs_in_with_the_demo_password(client, demo):
    response = login(client, "customer-a", "customer-a-demo")
    assert response.status_code == 302
    assert client.get(reverse("portal:cases")).status_code == 200


def test_too_many_failed_logins_are_refused_even_with_the_right_password(client, demo, settings):
    settings.LOGIN_RATE_LIMIT = 3
    for _ in range(3):
        assert login(client, "customer-a", "wrong").status_code == 200
    response = login(client, "customer-a", "customer-a-demo")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_limit_is_per_user_name_across_addresses(demo, settings):
    from django.test import Client

    settings.LOGIN_RATE_LIMIT = 2
    for i in range(2):
        Client(REMOTE_ADDR=f"192.0.2.{i + 1}").post(reverse("login"), {"username": "customer-b", "password": "x"})
    assert login(Client(REMOTE_ADDR="192.0.2.99"), "customer-b", "customer-b-demo").status_code == 429


def _device(username):
    user = User.objects.get(username=username)
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def _code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_with_an_authenticator_app_the_code_is_required(client, demo):
    device = _device("customer-a")
    assert login(client, "customer-a", "customer-a-demo").status_code == 200
    assert "_auth_user_id" not in client.session
    assert login(client, "customer-a", "customer-a-demo", _code(device)).status_code == 302


def test_setting_up_an_app_needs_a_valid_code(alice):
    page = alice.get(reverse("portal:security"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user__username="customer-a", confirmed=False)
    alice.post(reverse("portal:security"), {"token": "000000" if _code(device) != "000000" else "111111"})
    device.refresh_from_db()
    assert not device.confirmed
    device.throttle_reset()  # a wrong code throttles the device for a moment, as it should
    alice.post(reverse("portal:security"), {"token": _code(device)})
    device.refresh_from_db()
    assert device.confirmed
