"""SpamCop reports in the forms providers pass them on (issue 18): a summary
report forwarded as an attached message, and spamvertised links so long that
the mailer wrapped them before SpamCop's "is <address>;" line. Each rule: the
true case and the false friend it must leave alone. The samples are made up."""

from abusedesk.parsers import parse


def forwarded(inner_from: str, inner_body: str) -> bytes:
    return ("From: NOC <noc@upstream-dc.example>\nTo: abuse@provider.example\nSubject: Fwd: [SpamCop] summary report\n"
            "Message-ID: <f1@upstream-dc.example>\nMIME-Version: 1.0\n"
            "Content-Type: multipart/mixed; boundary=\"F\"\n\n--F\nContent-Type: text/plain\n\n"
            "Original message attached. CONFIDENTIALITY NOTICE: this mail is for the addressee only.\n\n--F\n"
            f"Content-Type: message/rfc822\n\nFrom: {inner_from}\nTo: abuse@upstream-dc.example\n"
            f"Subject: [SpamCop] summary report\n\n{inner_body}\n--F--\n").encode()


SUMMARY = ("[ SpamCop Summary Report ]\n\n     IP_Address Start/Length Trap User Mole Simp Comments\n\n"
           "Summary:\n203.0.113.91                                  Dec  1 10h/10     0    3    0    0\n"
           "mail.sender-host.example.\n")


def ips(n) -> list[str]:
    return sorted({e.ip for e in n.events if e.ip})


def test_summary_report_forwarded_as_an_attached_message_is_read():
    n = parse(forwarded("SpamCop robot <summaries@admin.spamcop.net>", SUMMARY))
    assert n.format == "spamcop"
    assert ips(n) == ["203.0.113.91"]


def test_attached_message_not_from_spamcop_is_not_read_as_its_report():
    # False friend: the attached mail is the spam itself (from anyone), whose text is no report.
    n = parse(forwarded("Deals <offers@bulk-sender.example>", SUMMARY))
    assert "203.0.113.91" not in ips(n) or n.format != "spamcop"


LONG = "aB3" * 40


def spamvertised(resolved_block: str) -> bytes:
    return ("From: SpamCop <1234@reports.spamcop.net>\nTo: abuse@provider.example\n"
            "Subject: [SpamCop (http://shop.pills-cheap.example/x) id:7001]\n\n"
            "[ SpamCop V5.4.0 ]\nThis message is brief for your comfort.\n\n"
            f"Spamvertised web site: http://shop.pills-cheap.example/o.php?{LONG}\n"
            f"{resolved_block}\n").encode()


def test_wrapped_spamvertised_link_gets_the_address_spamcop_resolved():
    n = parse(spamvertised(f"http://shop.pills-cheap.example/o.php?{LONG[:60]}\n{LONG[60:]} is 198.51.100.92; "
                           "Fri, 4 Dec 2026 08:00:00 GMT"))
    assert ips(n) == ["198.51.100.92"]


def test_resolved_line_after_a_sentence_is_not_taken_as_a_wrapped_link():
    # False friend: the line before the resolved fragment is prose, not the start of a URL.
    n = parse(spamvertised(f"Please see the site above for details.\n{LONG[60:]} is 198.51.100.93; "
                           "Fri, 4 Dec 2026 08:00:00 GMT"))
    assert "198.51.100.93" not in ips(n)
