"""TOTP enrolment shows a QR code of the setup link, drawn on the server as SVG (no script, no
outside service sees the secret)."""

import pytest
import segno
from django.contrib.auth.models import User
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db


def test_the_security_page_shows_the_setup_link_as_an_svg_qr_code(alice):
    page = alice.get("/portal/security/").content.decode()
    device = TOTPDevice.objects.get(user=User.objects.get(username="customer-a"))
    assert '<svg' in page and 'class="segno"' in page
    # The very code of the device's setup link, not another one.
    assert segno.make(device.config_url, error="m").svg_inline(scale=4, light="#fff") in page
    assert "<script" not in page.split("<main", 1)[-1].split("</main>", 1)[0]


def test_no_qr_code_once_the_app_is_confirmed(alice):
    TOTPDevice.objects.create(user=User.objects.get(username="customer-a"), name="app", confirmed=True)
    assert "<svg" not in alice.get("/portal/security/").content.decode()
