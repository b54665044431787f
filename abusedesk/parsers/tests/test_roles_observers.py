"""Addresses a notice itself disowns: the reporter's own host or scanner, the
items of a list marked "not in your network". Each rule: a true case and a false
friend."""

from abusedesk.parsers import parse
from abusedesk.parsers.roles import labelled_not_offenders, stated_ips


def mail(body: str, subject: str = "Abuse from your network") -> bytes:
    return (f"From: Reporter <abuse@reporter.example>\nTo: abuse@provider.example\nSubject: {subject}\n"
            f"Date: Wed, 02 Dec 2026 12:00:00 +0000\nMessage-ID: <r@reporter.example>\n\n{body}").encode()


def offenders(body: str) -> set[str]:
    return {e.ip for e in parse(mail(body)).events if e.ip}


def test_the_reporting_host_is_no_offender_in_its_own_log_rows():
    body = ("Attacker: 198.51.100.5\nReported by: 192.0.2.99 (partner server)\n\n"
            "Nov 28 20:44:12 192.0.2.99 sshd[9981]: Failed password for root from 198.51.100.5 port 38812 ssh2\n")
    assert offenders(body) == {"198.51.100.5"}


def test_reported_by_names_the_reporter_only_right_before_the_address():
    body = "Reported by several users, 198.51.100.5 keeps scanning port 22.\n"
    assert offenders(body) == {"198.51.100.5"}


def test_our_scanner_is_no_offender():
    body = ("Open memcached on these hosts:\n198.51.100.101  11211/udp\n198.51.100.102  11211/udp\n\n"
            "Our scanner runs from 192.0.2.33; you do not need to act on that address.\n")
    assert offenders(body) == {"198.51.100.101", "198.51.100.102"}


def test_what_our_scanner_found_is_an_offender():
    assert offenders("Our scanner detected an open memcached service on 198.51.100.101.\n") == {"198.51.100.101"}


def test_a_list_disowned_after_its_last_item_is_no_offender():
    body = ("The site http://casino.example/ is advertised in spam sent from a botnet (senders 192.0.2.141, "
            "192.0.2.142, not in your network). The site itself is on 198.51.100.9.\n")
    assert labelled_not_offenders(body) == {"192.0.2.141", "192.0.2.142"}
    assert stated_ips(body) == ["198.51.100.9"]


def test_an_address_said_to_be_in_your_network_stays_an_offender():
    body = "Spam sent from 198.51.100.41, which is in your network, and from 192.0.2.7.\n"
    assert stated_ips(body) == ["198.51.100.41", "192.0.2.7"]


def test_the_victims_server_named_after_its_log_rows_is_no_offender_in_them():
    body = ("Kernel log:\nDec  2 09:01:44 192.0.2.60 kernel: Possible SYN flooding on port 80.\n\n"
            "The flood came from 198.51.100.33 against our server 192.0.2.60.\n")
    assert offenders(body) == {"198.51.100.33"}


def test_a_destination_named_by_its_place_in_one_line_may_be_the_offender_elsewhere():
    body = ("Copies of our film are offered by the server 198.51.100.200.\n\n"
            "Traceroute from tools.example to 198.51.100.200:\n 1  192.0.2.1\n 2  198.51.100.200\n")
    assert "198.51.100.200" in offenders(body)
