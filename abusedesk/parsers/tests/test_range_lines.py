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


def form(fields: dict) -> bytes:
    html = "".join(f"<h3>{k}</h3><p>{v}</p>" for k, v in fields.items())
    return ("From: Abuse form <noreply@cdn.example>\nTo: abuse@provider.example\nSubject: Abuse Detected - "
            "Network Abuse : DDOS attacks\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n"
            + html).encode()


def test_a_range_given_as_the_source_is_one_event_for_the_range():
    n = parse(form({"Abuse": "DDOS attacks", "Date Time Of Event": "2026-11-27T15:34",
                    "Source Ip Address": "198.51.100.17/24", "Summary": "UDP floods against our edge"}))
    [event] = [e for e in n.events if e.ip]
    assert (event.ip, event.extra.get("prefix")) == ("198.51.100.0", "198.51.100.0/24")


def test_a_range_mentioned_as_the_network_is_still_context():
    # False friends: "your network x/24" is context, and a source label over a /8 names a provider.
    n = parse(form({"Abuse": "DDOS attacks", "Network": "Your network 198.51.100.0/24 is in our logs.",
                    "Attacking host": "203.0.113.18", "Source Ip Address": "10.0.0.0/8"}))
    assert [e.ip for e in n.events] == ["203.0.113.18"]
    assert "198.51.100.0/24" in n.meta["networks_mentioned"]
