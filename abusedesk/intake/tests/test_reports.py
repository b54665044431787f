"""Report rows from events. Fingerprints are stored and compared with earlier reports: pinned here so that they
never change silently."""

import hashlib
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

from abusedesk.intake.reports import NoticeFacts, fingerprint, row_from_event, row_maker
from abusedesk.parsers.base import Event

T = datetime(2026, 11, 20, 4, 12, 33, tzinfo=UTC)
PLUS2 = timezone(timedelta(hours=2))


def sha(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)


def old_sha(key: str) -> str:
    """The fingerprint stored before migration cases.0008: 128 bits as hex."""
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def test_fingerprint_of_content_is_pinned():
    fp = fingerprint("n7", "vulnerable_service", "192.0.2.1", None, 80, T, "")
    assert fp == sha("n7|vulnerable_service|192.0.2.1||80|2026-11-20T04:12:33+00:00")
    assert fp == -7160570071747266207


def test_fingerprint_of_a_reference_is_pinned():
    fp = fingerprint("n7", "vulnerable_service", "192.0.2.1", None, 80, T, "evt-1")
    assert fp == sha("n7|ref|evt-1") == -8497309921945088230


def test_fingerprint_without_time_port_or_ip_is_pinned():
    scope = "from:abuse@example.net|" + "ab" * 32
    fp = fingerprint(scope, "spam", None, "http://example.org/x", None, None, None)
    assert fp == sha(f"{scope}|spam||http://example.org/x||") == -254920605346032501


def test_fingerprint_keeps_the_zone_and_microseconds_of_the_time():
    when = T.astimezone(PLUS2).replace(microsecond=5)
    fp = fingerprint("n7", "phishing", "2001:db8::1", "http://example.org/é", 0, when, None)
    assert fp == sha("n7|phishing|2001:db8::1|http://example.org/é||2026-11-20T06:12:33.000005+02:00")
    assert fp == -4881609500588675032


def test_a_positive_fingerprint_is_pinned():
    fp = fingerprint("n7", "vulnerable_service", "192.0.2.1", None, 80, T, "evt-4")
    assert fp == sha("n7|ref|evt-4") == 2631708500926114599


def test_the_fingerprint_is_the_first_16_hex_digits_of_the_old_one_as_a_signed_integer():
    # What migration cases.0008 makes of a stored fingerprint: reports stored
    # before it are recognised when they are sent again.
    scope = "from:abuse@example.net|" + "ab" * 32
    when = T.astimezone(PLUS2).replace(microsecond=5)
    cases = [
        # inputs, their key, the 128-bit hex they had before cases.0008 (pinned then)
        (("n7", "vulnerable_service", "192.0.2.1", None, 80, T, ""),
         "n7|vulnerable_service|192.0.2.1||80|2026-11-20T04:12:33+00:00", "9ca08b754435f9617f6301679dd491ab"),
        (("n7", "vulnerable_service", "192.0.2.1", None, 80, T, "evt-1"),
         "n7|ref|evt-1", "8a137da58c0f8f1a9524e5e338e4cd57"),
        ((scope, "spam", None, "http://example.org/x", None, None, None),
         f"{scope}|spam||http://example.org/x||", "fc76570f606c148bff9289c3de3d1f56"),
        (("n7", "phishing", "2001:db8::1", "http://example.org/é", 0, when, None),
         "n7|phishing|2001:db8::1|http://example.org/é||2026-11-20T06:12:33.000005+02:00",
         "bc410a05e93d7028967b22e13c542c30"),
        (("n7", "vulnerable_service", "192.0.2.1", None, 80, T, "evt-4"),
         "n7|ref|evt-4", "2485b4f02e13ab2780260fc5d858e0c1"),
    ]
    for args, key, old in cases:
        assert old_sha(key) == old
        unsigned = int(old[:16], 16)
        assert fingerprint(*args) == (unsigned - (1 << 64) if unsigned >= 1 << 63 else unsigned)


def test_equal_times_in_other_zones_keep_their_own_fingerprint_in_any_order():
    # The same instant written in another zone was always a different key; a
    # cache of formatted times must not merge them.
    args = ("n7", "spam", "192.0.2.1", None, 25)
    for times in ([T, T.astimezone(PLUS2)], [T.astimezone(PLUS2), T]):
        assert [fingerprint(*args, t, None) for t in times] == [
            sha(f"n7|spam|192.0.2.1||25|{t.isoformat()}") for t in times]


def test_row_maker_gives_the_rows_of_row_from_event():
    raw = SimpleNamespace(pk=3, notifier_id=7, received_at=T, sha256="cd" * 32)
    events = [
        Event("scanning", "192.0.2.1", port=70000, observed_at=T, evidence="x"),
        Event("", "192.0.2.2", url="http://example.org/", evidence="y"),
        Event("spam", None, source_ref="ref-9"),
    ]
    for facts in (NoticeFacts(category="other"), NoticeFacts(sensitive=True, reference="T-1")):
        make = row_maker(raw, facts, "n7")
        assert [make(i, e) for i, e in enumerate(events)] == [
            row_from_event(raw, facts, i, e, "n7") for i, e in enumerate(events)]
    rows = [row_maker(raw, NoticeFacts(category="other"), "n7")(i, e) for i, e in enumerate(events)]
    assert [r.port for r in rows] == [None, None, None]
    assert [r.category for r in rows] == ["scanning", "other", "spam"]
    # Without a time or reference, a report is only the same as one in the same notice.
    assert rows[1].fingerprint == sha(f"n7|{'cd' * 32}|other|192.0.2.2|http://example.org/||")
