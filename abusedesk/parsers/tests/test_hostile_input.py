"""Attacker-controlled input: parse() never raises, never hangs, keeps caps."""

import time

import pytest

from abusedesk.parsers import ParseContext, parse


def test_empty_input_is_unparseable_with_a_reason():
    notice = parse(b"")
    assert notice.kind == "unparseable"
    assert notice.errors == ["empty input"]


def test_binary_garbage_is_unparseable_with_a_reason():
    notice = parse(bytes(range(256)) * 40)
    assert notice.kind == "unparseable"
    assert "binary data" in notice.errors[0]


def test_not_bytes_is_unparseable_not_an_exception():
    assert parse("a string").kind == "unparseable"


def test_input_over_max_bytes_is_refused():
    notice = parse(b"Subject: x\n\n" + b"a" * 2000, context=ParseContext(max_bytes=1000))
    assert notice.kind == "unparseable"
    assert "over the limit" in notice.errors[0]


def test_invalid_utf8_and_unknown_charset_still_give_the_ip():
    raw = b"Subject: =?x-unknown?q?Spam_=FF?=\nContent-Type: text/plain; charset=x-made-up\n\nspam from 198.51.100.5 \xff\xfe\n"
    notice = parse(raw)
    assert notice.kind == "abuse"
    assert [e.ip for e in notice.events] == ["198.51.100.5"]


def test_thousands_of_ips_are_capped_at_max_events_with_a_warning():
    body = "\n".join(f"port scan from 198.51.{i // 256}.{i % 256}" for i in range(3000))
    notice = parse(f"Subject: scans\n\n{body}".encode(), context=ParseContext(max_events=100))
    assert len(notice.events) == 100
    assert any("limit is 100 events" in w for w in notice.warnings)


def test_identical_ips_give_one_event():
    body = "brute force from 198.51.100.9\n" * 500
    notice = parse(f"Subject: ssh\n\n{body}".encode())
    assert [e.ip for e in notice.events] == ["198.51.100.9"]


def test_thousands_of_nested_multiparts_are_refused_quickly():
    raw = b"".join(b"Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n" % (i, i) for i in range(5000))
    start = time.monotonic()
    notice = parse(raw)
    assert time.monotonic() - start < 2
    assert notice.kind == "unparseable"
    assert "malformed MIME" in notice.errors[0]


def test_recursion_bomb_in_headers_does_not_fail_the_mail():
    raw = b"From: " + b"(" * 50_000 + b"\nContent-Type: text/plain" + b"(" * 50_000 + b"\n\nspam from 198.51.100.44\n"
    notice = parse(raw)
    assert [e.ip for e in notice.events] == ["198.51.100.44"]


HOSTILE_BODIES = {
    "unterminated html comments": (b"Content-Type: text/html\n\n", b"<!--" * 250_000),
    "unterminated tags": (b"Content-Type: text/html\n\n<a ", b"x=1 " * 250_000),
    "stray angle brackets": (b"Content-Type: text/html\n\n", b"<" * 1_000_000),
    "hex and colons": (b"Subject: x\n\n", b"a:" * 500_000),
    "dotted digits": (b"Subject: x\n\n", b"1." * 500_000),
    "domain-like labels": (b"Subject: x\n\n", b"a-b." * 250_000),
    "endless url": (b"Subject: x\n\nhttp://", b"a" * 1_000_000),
    "one line of addresses": (b"Subject: x\n\n", b"203.0.113.1 " * 80_000),
    "huge content-type": (b"Content-Type: text/plain", b"; a=b" * 100_000 + b"\n\nx"),
    "quote markers": (b"Subject: x\n\n", b">" * 1_000_000),
    "defang markers": (b"Subject: x\n\n", b"[.]" * 300_000),
    "many parts": (b"Content-Type: multipart/mixed; boundary=b\n\n", b"--b\n\nx 198.51.100.1\n" * 50_000),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_BODIES))
def test_hostile_bodies_parse_in_bounded_time(name):
    head, body = HOSTILE_BODIES[name]
    # CPU time, not wall time: a loaded CI machine must not fail this. Linear
    # work on a megabyte is well under a second; a quadratic pattern is minutes.
    start = time.process_time()
    notice = parse(head + body)
    elapsed = time.process_time() - start
    assert elapsed < 5, f"{name} took {elapsed:.1f} CPU seconds"
    assert notice.kind in ("abuse", "unparseable")
