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


URLHAUS_BLOCK = ("URLhaus report: malware download sites on {ip}\n\n"
                 "* Host information\nIP address: {ip}\nHostname:   vps17.hosting.example\nAS number:  64500\n\n"
                 "* Malware URL(s)\n{urls}\nPlease take them down.\n\n"
                 "abuse.ch\n\n[1] https://www.abusix.com/contactdb\n[2] https://urlhaus.abuse.ch/\n")


def test_urlhaus_host_block_gives_its_one_address_to_the_urls():
    body = URLHAUS_BLOCK.format(ip="198.51.100.77", urls="URL:   hXXp://shop-example[.]test/inv/PO1188.exe\n"
                                                          "Proof: https://urlhaus.abuse.ch/url/2001\n")
    notice = parse(mail("Jo Customer <jo@mail.example>", "Fw: [URLhaus] abuse report: malware distribution "
                        "site(s) on 198.51.100.77", "Begin forwarded message:\n\n" + body))
    assert notice.format == "abusech"
    # The abusix.com contact-db link of the footer is a reference, not a site to take down.
    assert [(e.url, e.domain, e.ip) for e in notice.events] == [
        ("http://shop-example.test/inv/PO1188.exe", "shop-example.test", "198.51.100.77")]


def test_urlhaus_url_with_an_address_of_its_own_keeps_it():
    # False friend: a URL whose host is an address is hosted there, whatever the block says.
    body = URLHAUS_BLOCK.format(ip="198.51.100.77", urls="URL:   hXXp://203.0.113.5/bins/x86\n")
    notice = parse(mail("URLhaus <urlhaus-notify@abuse.ch>", "[URLhaus] abuse report", body))
    assert [(e.url, e.ip) for e in notice.events] == [("http://203.0.113.5/bins/x86", "203.0.113.5")]


def test_feodo_notice_forwarded_by_a_cert_names_the_c2_as_a_key_value_line():
    body = ("Hello,\n\na partner reports this C2 on your network:\n\n"
            "IP: 198.51.100.160\n\nPlease check it.\n")
    notice = parse(mail("CERT <cert@cert.example>", "Fwd: [CERT#2026112801] [Feodo Tracker] Active Botnet C2(s) "
                        "in your constituency", body))
    assert notice.format == "abusech"
    assert [e.ip for e in notice.events] == ["198.51.100.160"]


def test_feodo_prose_naming_an_address_is_still_no_row():
    # False friend: the key/value line is "IP: x" alone on its line, not a sentence naming one.
    body = ("Hello,\n\nThe IP 192.0.2.53 is our sinkhole, which saw the bot.\n\n"
            "IP: 198.51.100.160\n")
    notice = parse(mail("CERT <cert@cert.example>", "Fwd: [Feodo Tracker] Active Botnet C2(s)", body))
    assert [e.ip for e in notice.events] == ["198.51.100.160"]
