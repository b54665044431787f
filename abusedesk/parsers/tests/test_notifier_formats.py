"""Notices recognised by their sender's template: Spamhaus, abuse.ch,
SpamCop, Cloudflare, phishing services."""

from datetime import UTC, datetime

from abusedesk.parsers import parse

from .conftest import ips, urls


def test_sbl_range_listing_is_one_event_for_the_listed_range(parse_fixture):
    notice = parse_fixture("spamhaus_sbl.eml")
    assert (notice.format, notice.category) == ("spamhaus", "blocklist")
    assert [(e.ip, e.extra.get("prefix")) for e in notice.events] == [("198.51.100.128", "198.51.100.128/25")]
    assert notice.notifier.reference == "SBL612345"


def test_sbl_whois_excerpt_and_trap_evidence_are_context(parse_fixture):
    notice = parse_fixture("spamhaus_sbl.eml")
    assert [e.extra.get("prefix") for e in notice.events] == ["198.51.100.128/25"]
    assert notice.meta["reason"].startswith("snowshoe spam operation")


def test_sbl_single_address_listing_ignores_the_network_mentioned_for_context(parse_fixture):
    notice = parse_fixture("spamhaus_sbl_single_ip.eml")
    assert [(e.ip, e.extra) for e in notice.events] == [("203.0.113.77", {})]


def _sbl_notice(listed_line: str) -> bytes:
    return ("From: Spamhaus SBL <sbl-robot@spamhaus.example>\nTo: abuse@provider.example\n"
            "Subject: SBL700123 203.0.113.0/32 snowshoe sources\nMessage-ID: <s7@spamhaus.example>\n\n"
            "This is an automated message from the Spamhaus Block List (SBL) database\n"
            "to advise you that the IP below has been added to sbl.spamhaus.org:\n\n"
            f"{listed_line}\n\nProblem: snowshoe sources\n\nSBL Ref: SBL700123\n\n"
            "If the spammer is no longer operating any servers in 203.0.113.9/32 you\n"
            "can send a removal request for record SBL700123.\n").encode()


def test_sbl_ip_cidr_line_names_what_is_listed():
    notice = parse(_sbl_notice("IP/cidr: 203.0.113.9/32"))
    assert notice.format == "spamhaus"
    assert [(e.ip, e.extra) for e in notice.events] == [("203.0.113.9", {})]


def test_sbl_address_in_the_removal_sentence_is_not_a_listing():
    # False friend: without a listing line, the removal advice's address names nothing listed.
    notice = parse(_sbl_notice("Listing details are on the web page."))
    assert [e.ip for e in notice.events] == []


def test_urlhaus_rows_become_malware_url_events_once_each(parse_fixture):
    notice = parse_fixture("urlhaus.eml")
    assert (notice.format, notice.category) == ("abusech", "malware")
    assert urls(notice) == [
        "http://198.51.100.30/bins/mozi.m",
        "http://cdn-files.example.com/update/invoice_0316.exe",
        "http://[2001:db8:100::80]:8080/x86",
    ]
    assert notice.events[0].observed_at == datetime(2024, 3, 16, 4, 12, 9, tzinfo=UTC)
    assert notice.events[0].source_ref == "https://urlhaus.abuse.ch/url/2771001/"
    assert not any("abuse.ch" in (e.domain or "") for e in notice.events)


def test_feodo_c2_rows_give_ip_and_port_but_not_the_sinkhole(parse_fixture):
    notice = parse_fixture("feodo.eml")
    assert notice.category == "botnet"
    assert [(e.ip, e.port) for e in notice.events] == [("203.0.113.66", 443), ("203.0.113.67", 8080)]


def test_spamcop_reports_the_email_from_line_and_the_resolved_spamvertised_site(parse_fixture):
    notice = parse_fixture("spamcop.eml")
    assert notice.format == "spamcop"
    assert ips(notice) == ["198.51.100.82"]
    assert [(e.url, e.ip) for e in notice.events if e.url] == [("http://deals.example.com/watches", "203.0.113.150")]
    assert notice.events[0].observed_at == datetime(2024, 3, 17, 9, 47, 12, tzinfo=UTC)
    assert notice.notifier.reference == "7100077001"


def test_spamcop_own_relays_in_the_offending_message_are_not_events(parse_fixture):
    targets = {e.ip for e in parse_fixture("spamcop.eml").events}
    assert "192.0.2.141" not in targets and "192.0.2.140" not in targets


def test_cloudflare_origin_ip_is_paired_with_each_reported_url(parse_fixture):
    notice = parse_fixture("cloudflare_phishing.eml")
    assert (notice.format, notice.category) == ("cloudflare", "phishing")
    assert [(e.ip, e.url) for e in notice.events] == [
        ("203.0.113.140", "https://secure-bank-login.example.net/online/login.php"),
        ("203.0.113.140", "https://secure-bank-login.example.net/online/verify.php"),
    ]


def test_cloudflare_edge_address_is_never_an_offender(parse_fixture):
    assert "104.21.3.7" not in {e.ip for e in parse_fixture("cloudflare_phishing.eml").events}


def test_cloudflare_csam_report_is_sensitive_with_a_one_hour_deadline(parse_fixture):
    notice = parse_fixture("cloudflare_csam.eml")
    assert (notice.category, notice.sensitive, notice.deadline_hours) == ("csam", True, 1)
    assert [(e.ip, e.url) for e in notice.events] == [("2001:db8:100::77", "https://img-share.example.org/g/8812")]


def test_phishing_service_notice_refangs_urls_and_skips_the_legitimate_site(parse_fixture):
    notice = parse_fixture("phishing_netcraft.eml")
    assert (notice.format, notice.category) == ("phishing", "phishing")
    assert urls(notice) == [
        "https://examplebank-verify.example.org/secure/signin.php",
        "https://examplebank-verify.example.org/secure/otp.php",
    ]
    assert {e.ip for e in notice.events} == {"198.51.100.111"}
    assert notice.notifier.reference == "1a2b3c4d5e6f"


def _spamcop_mail(body: str, subject: str = "[SpamCop (http://deals.example.com/watches) id:7100077002]") -> bytes:
    return (f"From: Hostmaster <hostmaster@hoster.example>\nTo: abuse@provider.example\nSubject: Fwd: {subject}\n"
            f"Message-ID: <s2@hoster.example>\n\n{body}").encode()


def test_a_quoted_spamcop_report_whose_site_line_wrapped_names_the_resolved_host():
    notice = parse(_spamcop_mail(
        "Please take care of this.\n\n> [ SpamCop V5.4.0 ]\n> This message is brief for your comfort.\n"
        "> Spamvertised web site:\n> http://deals.example.com/watches?id=77 is 203.0.113.151; "
        "Sun, 17 Mar 2024 09:47:12 GMT\n"))
    assert notice.format == "spamcop"
    assert [(e.url, e.ip) for e in notice.events] == [("http://deals.example.com/watches?id=77", "203.0.113.151")]


def test_a_spamcop_summary_report_lists_each_address_of_its_rows():
    notice = parse(_spamcop_mail(
        "[ SpamCop V5.4.0 ]\nSummary of reports for your network:\n\n"
        "IP             Last report   Reports  Traps\n"
        "198.51.100.160 Feb  6 18h/6   29    0    0    0 blocklisted\n"
        "198.51.100.161 Feb  7 02h/2    3    0    0    0\n", subject="[SpamCop] summary report"))
    assert ips(notice) == ["198.51.100.160", "198.51.100.161"]


def test_a_spamcop_summary_without_rows_names_nobody():
    notice = parse(_spamcop_mail("[ SpamCop V5.4.0 ]\nNo reports for your network this week.\n",
                                 subject="[SpamCop] summary report"))
    assert notice.events == []


def test_an_sbl_records_header_line_dates_the_listing():
    from datetime import UTC, datetime

    from abusedesk.parsers import parse
    n = parse(b"From: Spamhaus <notification@spamhaus.org>\nTo: abuse@provider.example\n"
              b"Subject: SBL660012: 203.0.113.87/32 listed\nMessage-ID: <sbl@spamhaus.example>\n\n"
              b"Ref: SBL660012\n203.0.113.87/32 is listed on the Spamhaus Block List (SBL)\n\n"
              b"2026-12-02 16:31:58 GMT | SBL-Team\n\nSpam source: 203.0.113.87 sends snowshoe spam.\n")
    assert (n.format, [e.observed_at for e in n.events]) == ("spamhaus", [datetime(2026, 12, 2, 16, 31, 58, tzinfo=UTC)])
    # False friend: a time in the reason's prose is no record header.
    n = parse(b"From: Spamhaus <notification@spamhaus.org>\nTo: abuse@provider.example\n"
              b"Subject: SBL660013: 203.0.113.88/32 listed\nMessage-ID: <sbl2@spamhaus.example>\n\n"
              b"Ref: SBL660013\n203.0.113.88/32 is listed on the Spamhaus Block List (SBL)\n\n"
              b"Spam seen 2026-12-02 16:31:58 GMT | many traps\n")
    assert [e.observed_at for e in n.events] == [None]
