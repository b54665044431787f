"""Hotline reports that list their URLs in a table, one row a URL with the
address it was hosted on, and sign with social-network links (issue 18).
Each rule: the true case and the false friend it must leave alone. The
samples are made up."""

from abusedesk.parsers import parse


def hotline(body: str) -> bytes:
    return ("From: Hotline <reports@hotline-example.eokm.nl>\nTo: abuse@provider.example\n"
            "Subject: [H-0001] Report on Child Sexual Abuse Material\nMessage-ID: <h1@eokm.nl>\n"
            f"Content-Type: text/plain; charset=utf-8\n\nThe reported URLs below contain CSAM.\n\n{body}\n").encode()


def pairs(n) -> list[tuple]:
    return sorted((e.url or "", e.ip or "") for e in n.events)


def test_each_table_row_gives_its_url_the_address_on_that_row():
    n = parse(hotline("url | IP | first seen\n"
                      "https://img.pics-host.example/a/1.jpg | 203.0.113.101 | 2026-12-01 10:00:00\n"
                      "https://cdn.other-host.example/b/2.jpg | 203.0.113.102 | 2026-12-01 11:00:00\n"))
    assert n.format == "hotline"
    assert pairs(n) == [("https://cdn.other-host.example/b/2.jpg", "203.0.113.102"),
                        ("https://img.pics-host.example/a/1.jpg", "203.0.113.101")]


def test_a_row_with_two_addresses_names_no_single_host():
    # False friend: a line with two addresses beside the URL does not say which one hosts it.
    n = parse(hotline("https://img.pics-host.example/a/1.jpg seen on 203.0.113.103 and 203.0.113.104\n"
                      "https://cdn.other-host.example/b/2.jpg | 203.0.113.105\n"))
    assert ("https://img.pics-host.example/a/1.jpg", "") in pairs(n)


def test_the_hotlines_social_network_profile_in_its_signature_is_not_reported():
    n = parse(hotline("https://img.pics-host.example/a/1.jpg\n\nKind regards,\nThe Hotline\n"
                      "Follow us: https://www.twitter.com/hotline_example\n"))
    assert pairs(n) == [("https://img.pics-host.example/a/1.jpg", "")]


def test_a_reported_url_on_an_ordinary_host_is_kept():
    # False friend: only the social networks' hosts are dropped, not any link of the text.
    n = parse(hotline("https://img.pics-host.example/a/1.jpg\nhttps://forum.board-example.net/t/9\n"))
    assert len(pairs(n)) == 2
