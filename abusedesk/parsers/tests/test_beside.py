"""The hosting address a notice states beside a reported URL (issue 18): one
event for the URL carrying that address, not two events, and not the URL
alone. Each rule: the true case and the false friend it must leave alone.
The samples are made up."""

from abusedesk.parsers import parse
from abusedesk.parsers.beside import stated_beside
from abusedesk.parsers.extract import find_urls_at


def mail(body: str, subject: str = "Phishing site on your network", sender: str = "soc@brand-cert.example",
         headers: str = "") -> bytes:
    return (f"From: Brand CERT <{sender}>\nTo: abuse@provider.example\nSubject: {subject}\n"
            f"Date: Fri, 4 Dec 2026 09:00:00 +0000\nMessage-ID: <b1@brand-cert.example>\n{headers}\n{body}").encode()


def pairs(n) -> list[tuple]:
    return sorted((e.url or "", e.ip or "") for e in n.events)


def beside(text: str) -> list:
    return [stated_beside(text, pos, url) for url, pos in find_urls_at(text)]


# --- the rule itself -------------------------------------------------------------------

def test_hosting_line_after_the_url_is_its_address():
    text = "Page to remove:\nhttp://pay-verify.example.org/login\nHosted on IP address 203.0.113.71\n"
    assert beside(text) == ["203.0.113.71"]


def test_an_address_line_that_names_no_hosting_is_not_the_urls():
    # False friend: the reporter's own address under the link is no hosting location.
    text = "Page to remove:\nhttp://pay-verify.example.org/login\nReported from 192.0.2.55 (our scanner)\n"
    assert beside(text) == [None]


def test_bracketed_address_right_after_the_url():
    assert beside("  https://kontoservice-hilfe.example.de/login/ [203.0.113.72]\n") == ["203.0.113.72"]


def test_bracketed_address_further_along_the_line_is_not_the_urls():
    # False friend: a bracketed address at the end of a sentence that goes on after the link.
    assert beside("see https://kontoservice-hilfe.example.de/login/ which our sensor [203.0.113.73] saw\n") == [None]


def test_german_gehostet_auf():
    text = "Die Seite https://sparkonto-prüfung.example.net/\nwird gehostet auf 203.0.113.74.\n"
    assert beside(text) == ["203.0.113.74"]


def test_introducing_sentence_names_the_server():
    text = "The fake login page is hosted on your network, on server 203.0.113.75:\n\n  http://mail-upgrade.example.com/owa/\n"
    assert beside(text) == ["203.0.113.75"]


def test_introducing_sentence_without_a_hosting_word_names_no_server():
    # False friend: "we saw from 203.0.113.76:" introduces the link but says nothing of hosting.
    text = "Our honeypot saw this from 203.0.113.76:\n\n  http://mail-upgrade.example.com/owa/\n"
    assert beside(text) == [None]


def test_two_addresses_beside_one_url_pair_neither():
    text = "http://pay-verify.example.org/\nhosted at 203.0.113.77 and hosted at 203.0.113.78\n"
    assert beside(text) == [None]


# --- in the parsers ---------------------------------------------------------------------

def test_phishing_url_carries_the_address_stated_under_it():
    n = parse(mail("We found a phishing page imitating our bank:\n\n  Website: https://secure-bankportal.example/\n"
                   "  IP: 203.0.113.81\n\nPlease take it down.\n"))
    assert pairs(n) == [("https://secure-bankportal.example/", "203.0.113.81")]


def test_spam_complaint_keeps_the_advertised_link_and_the_sender_apart():
    # False friend: in a spam complaint the address under the link is the sending server.
    n = parse(mail("I received this unsolicited bulk email (spam) advertising:\n\n  https://cheap-pills.example/\n"
                   "  IP: 203.0.113.82\n\nPlease stop this spammer.\n", subject="Spam from your network"))
    assert ("", "203.0.113.82") in pairs(n)


def test_removal_order_url_carries_the_hosting_address():
    n = parse(mail("REMOVAL ORDER (Article 3 of Regulation (EU) 2021/784)\nReference: RO-1\n\n"
                   "Section B: terrorist content to be removed within one hour:\nURL: https://clips.example/v/1\n"
                   "Hosted on IP address 198.51.100.83\n", subject="Removal order 2021/784",
                   sender="orders@authority.example"))
    assert n.format == "tco"
    assert pairs(n) == [("https://clips.example/v/1", "198.51.100.83")]


def test_removal_order_with_two_urls_and_one_address_under_the_second():
    # False friend: the address under the second URL is not the first URL's.
    n = parse(mail("REMOVAL ORDER (Article 3 of Regulation (EU) 2021/784)\nReference: RO-2\n\n"
                   "URL: https://clips.example/v/2\nURL: https://other-clips.example/v/3\n"
                   "Hosted on IP address 198.51.100.84\n", subject="Removal order 2021/784",
                   sender="orders@authority.example"))
    assert pairs(n) == [("https://clips.example/v/2", ""), ("https://other-clips.example/v/3", "198.51.100.84")]


def test_xarf_uri_report_takes_the_server_the_human_part_states_before_the_url():
    body = ("--B\n"
            "Content-Type: text/plain; charset=utf-8\n\nA phishing page is hosted on your network, "
            "on server 198.51.100.85:\n\n  http://owa-login.example.net/auth/\n\n--B\n"
            "Content-Type: text/plain; name=\"report.txt\"\nContent-Disposition: attachment; filename=\"report.txt\"\n\n"
            "Reported-From: soc@brand-cert.example\nCategory: fraud\nReport-Type: phishing\nVersion: 0.2\n"
            "Date: 2026-12-04 08:00:00 UTC\nSource-Type: uri\nSource: http://owa-login.example.net/auth/\n\n--B--\n")
    n = parse(mail(body, subject="[X-ARF] phishing", headers="X-ARF: YES\nMIME-Version: 1.0\n"
                   "Content-Type: multipart/mixed; boundary=\"B\"\n"))
    assert n.format == "xarf"
    assert pairs(n) == [("http://owa-login.example.net/auth/", "198.51.100.85")]
