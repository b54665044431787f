"""Our own JSON notices: the public web form and the simple API notice."""

import json

from abusedesk.parsers import parse


def form(**fields) -> bytes:
    doc = {"abusedesk_notice": 1, "source": "form", "category": "phishing",
           "location": "http://198.51.100.7/login.php", "explanation": "A fake bank login page.",
           "name": "Jane", "email": "jane@example.org", "bona_fide": True,
           "submitted_at": "2026-11-22T10:00:00+00:00", "language": "en"}
    doc.update(fields)
    return json.dumps(doc).encode()


def test_a_form_notice_yields_the_location_with_the_notifiers_contact():
    notice = parse(form(), "notice.json")

    assert (notice.format, notice.kind, notice.category) == ("webform", "abuse", "phishing")
    [event] = notice.events
    assert (event.ip, event.url) == ("198.51.100.7", "http://198.51.100.7/login.php")
    assert event.evidence == "A fake bank login page."
    assert (notice.notifier.name, notice.notifier.email) == ("Jane", "jane@example.org")
    assert notice.meta["bona_fide"] is True


def test_a_child_abuse_form_notice_is_sensitive_and_carries_no_content():
    notice = parse(form(category="csam", location="https://pics.example.net/a/1", name="", email="",
                        explanation="description of the image"), "notice.json")

    assert notice.sensitive
    [event] = notice.events
    assert event.domain == "pics.example.net"
    assert event.evidence == ""


def test_a_simple_api_notice_with_ip_and_url_is_matched_on_the_ip():
    doc = {"category": "phishing", "ip": "198.51.100.7", "url": "http://bank-login.example/x", "port": 80,
           "observed_at": "2026-11-22T10:00:00Z", "evidence": "form posts to /steal", "reference": "T-123"}

    notice = parse(json.dumps(doc).encode(), "notice.json")

    assert notice.format == "simple_json"
    [event] = notice.events
    assert (event.ip, event.url, event.port, event.source_ref) == (
        "198.51.100.7", "http://bank-login.example/x", 80, "T-123")
    assert event.observed_at.isoformat() == "2026-11-22T10:00:00+00:00"


def test_hostile_field_types_are_ignored_not_fatal():
    doc = {"category": ["spam"], "ip": {"x": 1}, "url": 7, "port": "80; rm -rf /", "evidence": None}

    notice = parse(json.dumps(doc).encode(), "notice.json")

    assert notice.kind == "abuse"
    assert notice.category == "other"
    assert notice.events == []
    assert notice.errors  # no target: the staff queue sees it


def test_unusable_addresses_are_not_offenders():
    notice = parse(json.dumps({"category": "scanning", "ip": "127.0.0.1"}).encode(), "notice.json")
    assert notice.events == []
