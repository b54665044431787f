"""The raw-notice view shows every part: an ARF report's fields and the attached mail with its headers."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from abusedesk.desk.rawview import sanitised
from abusedesk.intake.models import RawMessage
from abusedesk.intake.store import store_raw

from .. import rawview

ARF = (rawview.__file__.rsplit("/desk/", 1)[0] + "/demo/samples/01-arf-spam-customer-a.eml")


def arf_bytes():
    with open(ARF, "rb") as f:
        return f.read()


def test_the_feedback_report_is_shown_field_by_field_and_the_original_with_its_headers():
    view = sanitised(arf_bytes())
    fields = [f for part in view["parts"] for f in part["fields"]]
    assert ("Source-IP", "198.51.100.42") in fields
    attached = [p for p in view["parts"] if p["type"] in ("message/rfc822", "text/rfc822-headers")]
    assert attached and (attached[0]["headers"] or attached[0]["fields"])


@pytest.mark.django_db
def test_the_page_escapes_every_part(client):
    hostile = (b"From: x@example.org\r\nSubject: <script>alert(1)</script>\r\nMIME-Version: 1.0\r\n"
               b"Content-Type: multipart/report; report-type=feedback-report; boundary=B\r\n\r\n--B\r\n"
               b"Content-Type: text/html\r\n\r\n<b onmouseover=alert(2)>see</b>\r\n--B\r\n"
               b"Content-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\nSource-IP: 192.0.2.7\r\n"
               b"Reported-Domain: <img src=x onerror=alert(3)>\r\n--B\r\n"
               b"Content-Type: message/rfc822\r\n\r\nFrom: spammer@example.net\r\nSubject: Cheap <pills>\r\n\r\nbody\r\n"
               b"--B--\r\n")
    raw, _ = store_raw(hostile, RawMessage.Channel.SMTP, enqueue=False)
    client.force_login(User.objects.create_user("ann", "a@provider.example", "x", is_staff=True))
    body = client.get(reverse("desk:raw", args=[raw.pk])).content.decode()
    assert "192.0.2.7" in body and "spammer@example.net" in body and "Cheap &lt;pills&gt;" in body
    assert "<script>alert(1)" not in body and "<img src=x" not in body and "<b onmouseover" not in body
