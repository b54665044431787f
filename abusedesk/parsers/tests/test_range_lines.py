"""A network range as whois tools render it on two lines ("From IP:" / "To
IP:") names the ends of a network, not offenders (issue 18). True case and
false friend; the samples are made up."""

from abusedesk.parsers import parse
from abusedesk.parsers.roles import hosting_ips, stated_ips

WHOIS = ("Network Name:      EXAMPLE-CDN-1\nCIDR:              198.51.100.0/23\n"
         "From IP:           198.51.100.0\nTo IP:             198.51.101.255\nAllocated:         Yes\n")


def test_range_ends_are_no_hosting_addresses():
    text = "IP Address: 198.51.100.84\n\nWHOIS Source: ARIN\n" + WHOIS
    assert hosting_ips(text) == ["198.51.100.84"]
    assert stated_ips(text) == ["198.51.100.84"]


def test_one_from_ip_line_alone_is_still_the_source():
    # False friend: "From IP:" without its "To IP:" line is a log report's source address.
    assert stated_ips("Blocked connection\nFrom IP: 203.0.113.131\nPort: 22\n") == ["203.0.113.131"]


def test_copyright_notice_with_a_whois_block_names_the_hosting_address_only():
    body = ("Notice of copyright infringement (DMCA).\n\nThe infringing video is at\n"
            "https://video-cdn.example/v/77.mp4\n\nWeb Host\nExample CDN Inc.\n\nIP Address\n198.51.100.84\n\n"
            + WHOIS + "\nI have a good faith belief that this use is not authorized. Under penalty of perjury, "
            "the information in this notice is accurate.\n/s/ A. Agent\n")
    n = parse(("From: Agent <dmca@rights-agent.example>\nTo: abuse@provider.example\n"
               "Subject: DMCA notice of copyright infringement\n\n" + body).encode())
    assert {e.ip for e in n.events if e.ip} == {"198.51.100.84"}
