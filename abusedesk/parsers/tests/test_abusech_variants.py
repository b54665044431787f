"""abuse.ch-style notices in the forms not covered by the fixtures: columns
aligned by spaces, and links to the sender's own site under another domain.
Each rule: a true case and a false friend."""

from abusedesk.parsers import parse


def mail(sender: str, subject: str, body: str) -> bytes:
    return (f"From: {sender}\nTo: abuse@provider.example\nSubject: {subject}\n"
            f"Date: Sat, 28 Nov 2026 12:00:00 +0000\nMessage-ID: <f@tracker.example>\n\n{body}").encode()


FEODO = ("Feodo Tracker has identified these botnet C&C servers on your network:\n\n"
         "IP address       Port   Malware   First seen (UTC)      Status\n"
         "{rows}\nPlease investigate. https://feodotracker.tracker.example/browse/\n")


def test_rows_aligned_by_spaces_are_rows():
    notice = parse(mail("Feodo Tracker <noreply@tracker.example>", "[Feodo Tracker] botnet C&C servers",
                        FEODO.format(rows="198.51.100.150   443    QakBot    2026-11-27 23:12:44   online\n"
                                          "198.51.100.151   8080   Emotet    2026-11-28 02:40:01   online\n")))
    assert notice.format == "abusech"
    assert [(e.ip, e.port) for e in notice.events] == [("198.51.100.150", 443), ("198.51.100.151", 8080)]
    assert notice.events[0].observed_at.isoformat() == "2026-11-27T23:12:44+00:00"


def test_a_sentence_that_starts_with_an_address_is_no_row():
    notice = parse(mail("Feodo Tracker <noreply@tracker.example>", "[Feodo Tracker] botnet C&C servers",
                        FEODO.format(rows="198.51.100.150   443    QakBot    2026-11-27 23:12:44   online\n"
                                          "192.0.2.53 is our sinkhole, which saw the bots.\n")))
    assert [e.ip for e in notice.events] == ["198.51.100.150"]


def test_links_to_the_senders_own_domain_are_references():
    body = ("URLhaus: malware URLs hosted on your network:\n\n"
            "2951123 | hxxp://203.0.113.90/bins/mirai.x86 | online | malware_download | 2026-12-03 05:11:09\n\n"
            "Help: https://urlhaus.tracker.example/api/\n")
    notice = parse(mail("URLhaus <noreply@urlhaus.tracker.example>", "[URLhaus] Malware sites on your network", body))
    assert [e.url for e in notice.events] == ["http://203.0.113.90/bins/mirai.x86"]


def test_links_to_other_domains_stay_targets():
    body = ("URLhaus: malware URLs hosted on your network:\n\n"
            "2951300 | hxxps://dl.cracked-tools.example/setup.exe | online | malware_download | 2026-12-03 06:40:51\n")
    notice = parse(mail("URLhaus <noreply@urlhaus.tracker.example>", "[URLhaus] Malware sites on your network", body))
    assert [e.url for e in notice.events] == ["https://dl.cracked-tools.example/setup.exe"]
