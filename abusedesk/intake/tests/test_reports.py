"""Report fingerprints are stored and compared with earlier reports: pinned here so that they never change silently."""

import hashlib
from datetime import UTC, datetime, timedelta, timezone

from abusedesk.intake.reports import fingerprint

T = datetime(2026, 11, 20, 4, 12, 33, tzinfo=UTC)
PLUS2 = timezone(timedelta(hours=2))


def sha(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def test_fingerprint_of_content_is_pinned():
    fp = fingerprint("n7", "vulnerable_service", "192.0.2.1", None, 80, T, "")
    assert fp == sha("n7|vulnerable_service|192.0.2.1||80|2026-11-20T04:12:33+00:00")
    assert fp == "9ca08b754435f9617f6301679dd491ab"


def test_fingerprint_of_a_reference_is_pinned():
    fp = fingerprint("n7", "vulnerable_service", "192.0.2.1", None, 80, T, "evt-1")
    assert fp == sha("n7|ref|evt-1") == "8a137da58c0f8f1a9524e5e338e4cd57"


def test_fingerprint_without_time_port_or_ip_is_pinned():
    scope = "from:abuse@example.net|" + "ab" * 32
    fp = fingerprint(scope, "spam", None, "http://example.org/x", None, None, None)
    assert fp == sha(f"{scope}|spam||http://example.org/x||") == "fc76570f606c148bff9289c3de3d1f56"


def test_fingerprint_keeps_the_zone_and_microseconds_of_the_time():
    when = T.astimezone(PLUS2).replace(microsecond=5)
    fp = fingerprint("n7", "phishing", "2001:db8::1", "http://example.org/é", 0, when, None)
    assert fp == sha("n7|phishing|2001:db8::1|http://example.org/é||2026-11-20T06:12:33.000005+02:00")
    assert fp == "bc410a05e93d7028967b22e13c542c30"


def test_equal_times_in_other_zones_keep_their_own_fingerprint_in_any_order():
    # The same instant written in another zone was always a different key; a
    # cache of formatted times must not merge them.
    args = ("n7", "spam", "192.0.2.1", None, 25)
    for times in ([T, T.astimezone(PLUS2)], [T.astimezone(PLUS2), T]):
        assert [fingerprint(*args, t, None) for t in times] == [
            sha(f"n7|spam|192.0.2.1||25|{t.isoformat()}") for t in times]
