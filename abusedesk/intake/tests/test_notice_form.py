"""The public notice form (DSA Art. 16): stored as a raw notice, rate limited, with a receipt."""

import json

import pytest
from django.urls import reverse

from abusedesk.intake.models import RawMessage

pytestmark = pytest.mark.django_db

GOOD = {"category": "phishing", "locations": "http://198.51.100.7/login", "explanation": "A fake bank login.",
        "name": "Pat Reporter", "email": "pat@example.net", "bona_fide": "on"}


def test_a_notice_is_stored_with_channel_form_and_the_sender_gets_a_receipt(client, db):
    response = client.post(reverse("notice-form"), GOOD)
    assert response.status_code == 302
    raw = RawMessage.objects.get()
    assert raw.channel == "form"
    doc = json.loads(bytes(raw.content))
    assert doc["locations"] == [GOOD["locations"]] and doc["bona_fide"] is True
    receipt = client.get(response["Location"]).content.decode()
    assert f"N-{raw.pk}" in receipt


def test_the_receipt_is_only_for_the_sender(client, db):
    client.post(reverse("notice-form"), GOOD)
    from django.test import Client

    assert Client().get(reverse("notice-receipt")).status_code == 302


def test_name_and_email_are_required_except_for_child_abuse(client, db):
    anonymous = dict(GOOD, name="", email="")
    assert client.post(reverse("notice-form"), anonymous).status_code == 200
    assert not RawMessage.objects.exists()
    csam = dict(anonymous, category="csam", locations="http://198.51.100.8/x")
    assert client.post(reverse("notice-form"), csam).status_code == 302


def test_the_bona_fide_statement_is_required(client, db):
    assert client.post(reverse("notice-form"), dict(GOOD, bona_fide="")).status_code == 200
    assert not RawMessage.objects.exists()


def test_the_location_must_be_a_url_or_an_ip(client, db):
    for bad in ["javascript:alert(1)", "not a place", "http://x\r\nBcc: a@b"]:
        assert client.post(reverse("notice-form"), dict(GOOD, locations=bad)).status_code == 200, bad
    assert not RawMessage.objects.exists()


def test_the_form_is_rate_limited_per_address(client, db, settings):
    from django.core.cache import cache

    cache.clear()
    settings.FORM_RATE_LIMIT = 2
    for i in range(2):
        client.post(reverse("notice-form"), dict(GOOD, locations=f"http://198.51.100.{i + 1}/x"))
    response = client.post(reverse("notice-form"), dict(GOOD, locations="http://198.51.100.9/x"))
    assert response.status_code == 429
    assert RawMessage.objects.count() == 2
    cache.clear()


def test_hostile_input_is_escaped_in_the_form_errors(client, db):
    html = client.post(reverse("notice-form"), dict(GOOD, locations='"><script>alert(1)</script>')).content.decode()
    assert "<script>alert(1)" not in html


def test_a_form_notice_about_our_ip_becomes_a_case(client, demo, django_capture_on_commit_callbacks):
    from abusedesk.cases.models import Case

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/report/", {"category": "scanning", "locations": "203.0.113.140",
                                 "explanation": "SSH scanning our hosts", "name": "Jan",
                                 "email": "jan@example.org", "bona_fide": "on"})

    case = Case.objects.get(ip="203.0.113.140")
    assert case.customer.reference == "reseller-c"
    assert case.end_customer.reference == "reseller-c-end-2"


def test_several_locations_and_how_to_find_them_become_one_notice_with_an_event_each(client, demo,
                                                                                   django_capture_on_commit_callbacks):
    from abusedesk.cases.models import Case

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/report/", dict(GOOD, category="copyright", how_to_find="The second video, at 01:20",
                                     locations="http://198.51.100.7/a\nhttp://198.51.100.7/a\n203.0.113.140\n"))
    doc = json.loads(bytes(RawMessage.objects.get().content))
    assert doc["locations"] == ["http://198.51.100.7/a", "203.0.113.140"]
    assert doc["how_to_find"] == "The second video, at 01:20"
    assert Case.objects.filter(ip="203.0.113.140").exists()


def test_the_category_has_no_default_and_errors_sit_under_their_own_field(client, db):
    page = client.get(reverse("notice-form")).content.decode()
    assert '<option value="" selected>' in page
    html = client.post(reverse("notice-form"), dict(GOOD, category="", locations="not a place")).content.decode()
    assert "Please correct the fields marked below." in html
    # The error list follows the field it belongs to, inside that field's block.
    block = html.split('name="locations"', 1)[1].split('<div class="field', 1)[0]
    assert "errorlist" in block
