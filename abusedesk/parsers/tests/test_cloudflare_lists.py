"""The list of reported URLs in a complaint Cloudflare passes on, under the
complainant's own heading ("The specific URLs:"), ends where the text goes
on (issue 18). True case and false friend; the samples are made up."""

from abusedesk.parsers import parse


def forwarded(body: str) -> bytes:
    return ("From: Cloudflare <abuse@cloudflare.com>\nTo: abuse@provider.example\n"
            "Subject: Cloudflare abuse report #ab12cd34 (copyright)\nMessage-ID: <c1@cloudflare.com>\n\n"
            "We have received a copyright complaint about a site hosted by you. The actual host for "
            "pics-mirror.example is 203.0.113.121.\n\n" + body).encode()


def hosts(n) -> list[str]:
    return sorted({e.domain for e in n.events if e.domain})


def test_the_specific_urls_heading_lists_the_reported_ones_only():
    n = parse(forwarded("The specific URLs:\n\nhttps://pics-mirror.example/a/1\n\n\n"
                        "The photo comes from a stream on this profile:\n\nhttps://live-shows.example/profile/anna\n"))
    assert n.format == "cloudflare"
    assert hosts(n) == ["pics-mirror.example"]


def test_a_heading_that_is_a_sentence_is_no_list():
    # False friend: "see the specific URLs: <url> and <url>" on one line is a sentence; all its links count.
    n = parse(forwarded("Please see the specific URLs: https://pics-mirror.example/a/1 and "
                        "https://pics-mirror2.example/b\n"))
    assert hosts(n) == ["pics-mirror.example", "pics-mirror2.example"]
