from datetime import UTC, datetime

from abusedesk.parsers import ParseContext, parse

from .conftest import fixture_bytes, ips, urls

OWN = ParseContext(own_mail_servers=("smtp-out2.hoster.example", "192.0.2.25"))


def test_source_ip_of_a_standard_report_is_the_offender(parse_fixture):
    notice = parse_fixture("arf_rfc5965.eml")
    assert notice.format == "arf"
    assert notice.kind == "abuse"
    assert notice.category == "spam"
    assert ips(notice) == ["198.51.100.23"]
    assert notice.errors == []


def test_arrival_date_is_the_observed_time(parse_fixture):
    notice = parse_fixture("arf_rfc5965.eml")
    assert notice.events[0].observed_at == datetime(2024, 3, 6, 13, 58, 40, tzinfo=UTC)


def test_reported_uri_becomes_its_own_event(parse_fixture):
    notice = parse_fixture("arf_rfc5965.eml")
    assert urls(notice) == ["http://shop.example.org/earn-money?id=77"]
    assert notice.events[1].domain == "shop.example.org"


def test_report_mail_relays_and_victim_are_never_events(parse_fixture):
    notice = parse_fixture("arf_rfc5965.eml")
    targets = {e.ip for e in notice.events} | {e.domain for e in notice.events}
    assert "192.0.2.201" not in targets  # the feedback loop's relay that delivered the report
    assert not any("mailbox-provider.example" in (t or "") for t in targets)  # the recipient's provider


def test_reported_domain_is_kept_as_context_not_as_target(parse_fixture):
    notice = parse_fixture("arf_rfc5965.eml")
    assert notice.meta["reported_domains"] == ["example.net"]
    assert all(e.domain != "example.net" for e in notice.events)


def test_meta_has_incidents_and_original_sender_but_no_recipient_address(parse_fixture):
    notice = parse_fixture("arf_rfc5965.eml")
    assert notice.meta["incidents"] == 3
    assert notice.meta["original_mail_from"] == "somespammer@example.net"
    assert notice.meta["original_rcpt_to_count"] == 1
    assert "user@mailbox-provider.example" not in repr(notice.meta)


def test_feedback_loop_sender_is_marked_no_reply(parse_fixture):
    notice = parse_fixture("arf_rfc5965.eml")
    assert notice.notifier.email == "abusedesk@mailbox-provider.example"
    assert notice.notifier.no_reply is True


def test_missing_source_ip_is_taken_from_the_original_received_chain(parse_fixture):
    notice = parse_fixture("arf_yahoo_no_source_ip.eml")
    assert notice.meta["source_ip_from"] == "Received"
    # Without configuration the host that handed the mail to the reporter is the source.
    assert ips(notice) == ["192.0.2.25"]


def test_own_smarthost_is_skipped_and_the_customer_behind_it_reported(parse_fixture):
    notice = parse_fixture("arf_yahoo_no_source_ip.eml", OWN)
    assert ips(notice) == ["203.0.113.45"]
    assert notice.events[0].observed_at == datetime(2024, 3, 7, 9, 12, 44, tzinfo=UTC)


def test_lowercase_field_names_and_redacted_recipient_are_understood(parse_fixture):
    notice = parse_fixture("arf_yahoo_no_source_ip.eml", OWN)
    assert notice.meta["feedback_type"] == "abuse"
    assert notice.meta["redacted"] is True


def test_fields_sent_as_text_plain_with_headers_only_original(parse_fixture):
    notice = parse_fixture("arf_text_plain_fields.eml")
    assert notice.format == "arf"
    assert ips(notice) == ["2001:db8:100::25"]
    assert notice.events[0].observed_at == datetime(2024, 3, 8, 16, 44, 10, tzinfo=UTC)


def test_fraud_report_about_a_credential_lure_is_phishing(parse_fixture):
    notice = parse_fixture("arf_text_plain_fields.eml")
    assert notice.category == "phishing"


def test_defanged_reported_uri_is_refanged(parse_fixture):
    notice = parse_fixture("arf_text_plain_fields.eml")
    assert urls(notice) == ["https://login.bank-example.com.198.51.100.99.nip.example/verify"]


def test_source_ip_that_is_our_own_relay_falls_back_to_received_chain():
    data = fixture_bytes("arf_rfc5965.eml").replace(b"Source-IP: 198.51.100.23", b"Source-IP: 192.0.2.25")
    notice = parse(data, context=ParseContext(own_mail_servers=("192.0.2.0/28", "192.0.2.16/28")))
    assert notice.meta["source_ip_from"] == "Received"
    assert ips(notice) == ["198.51.100.23"]


def test_report_without_any_source_says_so():
    data = fixture_bytes("arf_rfc5965.eml")
    data = data.replace(b"Source-IP: 198.51.100.23\n", b"").replace(b"Reported-Uri: http://shop.example.org/earn-money?id=77\n", b"")
    data = data.replace(b"(mailserver.example.net [198.51.100.23])", b"(mailserver.example.net)")
    data = data.replace(b"received from IP\n198.51.100.23 on", b"received on")
    notice = parse(data)
    assert notice.kind == "abuse"
    assert notice.events == []
    assert "no IP address, URL or domain found" in notice.errors


def test_report_without_source_ip_and_received_hop_takes_the_address_its_text_states():
    data = fixture_bytes("arf_rfc5965.eml")
    data = data.replace(b"Source-IP: 198.51.100.23\n", b"").replace(b"Reported-Uri: http://shop.example.org/earn-money?id=77\n", b"")
    data = data.replace(b"(mailserver.example.net [198.51.100.23])", b"(mailserver.example.net)")
    notice = parse(data)
    assert [(e.ip, e.extra["source"]) for e in notice.events] == [("198.51.100.23", "text")]


def test_a_spamcop_report_on_a_spamvertised_site_names_the_sites_address_not_the_sender():
    data = fixture_bytes("arf_rfc5965.eml").replace(
        b"This is an email abuse report",
        b"Spamvertised web site: http://shop.example.org/earn-money?id=77\n"
        b"http://shop.example.org/earn-money?id=77 is 203.0.113.45; Wed, 06 Mar 2024 14:00:00 GMT\n\n"
        b"This is an email abuse report")
    notice = parse(data)
    assert [(e.url, e.ip) for e in notice.events] == [("http://shop.example.org/earn-money?id=77", "203.0.113.45")]


def test_a_report_without_a_spamvertised_site_keeps_its_source_ip():
    data = fixture_bytes("arf_rfc5965.eml").replace(
        b"This is an email abuse report", b"The site http://shop.example.org/ is 203.0.113.45.\nThis is an email abuse report")
    notice = parse(data)
    assert "198.51.100.23" in [e.ip for e in notice.events]


def test_virus_feedback_type_is_malware():
    data = fixture_bytes("arf_rfc5965.eml").replace(b"Feedback-Type: abuse", b"Feedback-Type: virus")
    assert parse(data).category == "malware"


def test_not_spam_report_is_flagged_for_staff():
    data = fixture_bytes("arf_rfc5965.eml").replace(b"Feedback-Type: abuse", b"Feedback-Type: not-spam")
    notice = parse(data)
    assert notice.category == "other"
    assert any("not-spam" in e for e in notice.errors)


def test_an_original_that_starts_with_an_mbox_from_line_still_gives_its_received_hop():
    data = fixture_bytes("arf_rfc5965.eml").replace(b"Source-IP: 198.51.100.23\n", b"Source-IP: \n")
    data = data.replace(b"received from IP\n198.51.100.23 on", b"received on")
    data = data.replace(b"Content-Disposition: inline\n\nReceived: from mailserver",
                        b'Content-Disposition: inline\n\n"From spammer@example.net Wed Mar  6 13:58:40 2024"\n'
                        b"Received: from mailserver")
    notice = parse(data)
    assert [(e.ip, e.extra["source"]) for e in notice.events if e.ip] == [("198.51.100.23", "Received")]
