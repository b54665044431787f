from datetime import UTC, datetime

from abusedesk.parsers.classify import classify

from .conftest import ips, urls


def test_log_attachment_gives_the_attacker_and_the_first_readable_time(parse_fixture):
    notice = parse_fixture("freetext_en_ssh_log.eml")
    assert (notice.format, notice.category) == ("freetext", "brute_force")
    assert ips(notice) == ["198.51.100.77"]
    assert notice.events[0].observed_at == datetime(2024, 3, 26, 9, 58, 7, tzinfo=UTC)


def test_victim_server_and_signature_network_are_not_events(parse_fixture):
    notice = parse_fixture("freetext_en_ssh_log.eml")
    assert "192.0.2.33" not in ips(notice)
    assert not any("smallbiz" in (e.domain or "") for e in notice.events)


def test_dutch_phishing_report_with_defanged_url(parse_fixture):
    notice = parse_fixture("freetext_nl_phishing.eml")
    assert notice.category == "phishing"
    assert urls(notice) == ["https://voorbeeld-login.example.net/owa/auth.html"]


def test_german_firewall_log_destination_is_not_an_offender(parse_fixture):
    notice = parse_fixture("freetext_de_portscan.eml")
    assert notice.category == "scanning"
    assert ips(notice) == ["203.0.113.31"]


def test_forwarded_spam_with_quoted_headers_names_the_sending_host_not_the_relays(parse_fixture):
    notice = parse_fixture("freetext_forwarded_spam.eml")
    assert notice.category == "spam"
    assert ips(notice) == ["198.51.100.240"]
    assert notice.meta["forwarded"] is True


def test_html_only_outlook_mail_is_read_without_script(parse_fixture):
    notice = parse_fixture("freetext_outlook_html.eml")
    assert notice.category == "malware"
    assert [(e.ip, e.url) for e in notice.events] == [("203.0.113.61", "http://203.0.113.61/files/invoice.exe")]


def test_readable_mail_without_target_goes_to_staff(parse_fixture):
    notice = parse_fixture("freetext_no_target.eml")
    assert (notice.kind, notice.category, notice.events) == ("abuse", "spam", [])
    assert notice.errors == ["no IP address, URL or domain found"]


def test_classifier_knows_dutch_german_french_and_spanish():
    assert classify("Er is sprake van kindermisbruik op deze site")[0] == "csam"
    assert classify("Wir haben Anmeldeversuche per Brute-Force festgestellt")[0] == "brute_force"
    assert classify("Ce site est une page d'hameçonnage")[0] == "phishing"
    assert classify("Este sitio distribuye software malicioso")[0] == "malware"


def test_classifier_confidence_is_lower_for_mixed_signals():
    _, clear = classify("phishing phishing site, a phishing page with a fake login")
    _, mixed = classify("phishing or spam? a login page in an unsolicited mail")
    assert 0 < mixed < clear <= 1
