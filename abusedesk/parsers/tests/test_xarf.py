from datetime import UTC, datetime

from abusedesk.parsers import parse
from abusedesk.parsers.xarf import category_of

from .conftest import fixture_bytes, ips, urls


def test_xarf_02_mail_reports_the_source_with_port_and_date(parse_fixture):
    notice = parse_fixture("xarf_02_login_attack.eml")
    assert (notice.format, notice.category) == ("xarf", "brute_force")
    assert [(e.ip, e.port) for e in notice.events] == [("198.51.100.61", 22)]
    assert notice.events[0].observed_at == datetime(2024, 3, 11, 8, 14, 57, tzinfo=UTC)


def test_xarf_destination_and_reporter_sensor_are_not_events(parse_fixture):
    notice = parse_fixture("xarf_02_login_attack.eml")
    assert "192.0.2.77" not in ips(notice)
    assert notice.notifier.no_reply is True


def test_legacy_json_report_given_as_a_bare_file(parse_fixture):
    notice = parse_fixture("xarf_v4_legacy_portscan.json")
    assert (notice.format, notice.category) == ("xarf", "scanning")
    assert [(e.ip, e.port) for e in notice.events] == [("203.0.113.88", 52012)]
    assert notice.events[0].source_ref == "SW-2024-031299"
    assert notice.notifier.organisation == "Scan Watch Collective"


def test_spec_v4_content_report_pairs_the_url_with_its_hosting_ip(parse_fixture):
    notice = parse_fixture("xarf_v4_phishing.json")
    assert notice.category == "phishing"
    assert [(e.ip, e.url) for e in notice.events] == [
        ("198.51.100.120", "https://secure-login.bank.example.org.198-51-100-120.example/wp-includes/login.php")
    ]


def test_json_report_attached_to_a_mail(parse_fixture):
    notice = parse_fixture("xarf_v4_in_mail.eml")
    assert (notice.format, notice.category) == ("xarf", "ddos")
    assert [(e.ip, e.port) for e in notice.events] == [("2001:db8:100::53", 53)]


def test_report_types_map_to_categories_in_any_spelling():
    assert category_of("LoginAttack") == category_of("login-attack") == category_of("login_attack") == "brute_force"
    assert category_of("PortScan") == "scanning"
    assert category_of("Copyright") == "copyright"
    assert category_of("something-new", "Messaging") == "spam"
    assert category_of("unheard-of") == "other"


def test_json_that_is_not_xarf_is_unparseable():
    notice = parse(b'{"hello": "world"}', filename="x.json")
    assert notice.kind == "unparseable"
    assert "not an X-ARF report" in notice.errors[0]


def test_deeply_nested_json_is_unparseable_not_a_crash():
    notice = parse(b"[" * 100_000 + b"]" * 100_000)
    assert notice.kind == "unparseable"


def test_yaml_anchors_are_read_as_plain_text_never_expanded():
    data = fixture_bytes("xarf_02_login_attack.eml").replace(b"Source: 198.51.100.61", b"Source: &a [*a, *a]")
    notice = parse(data)
    assert notice.events == []
    assert urls(notice) == []


def _xarf02(human: str) -> bytes:
    report = ("Reported-From: reports@netwatch.example\nCategory: fraud\nReport-Type: cryptocurrency-scam\n"
              "Service: http\nVersion: 0.2\nDate: 2024-05-02T10:00:00Z\n"
              "Source: http://wallet-bonus.example/claim/now\nSource-Type: uri\n")
    return ("From: reports@netwatch.example\nTo: abuse@provider.example\nSubject: Fraud report\nX-XARF: PLAIN\n"
            "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"x\"\n\n--x\nContent-Type: text/plain\n\n"
            f"{human}\n--x\nContent-Type: text/plain; name=\"report.txt\"\n\n{report}\n--x--\n").encode()


def test_xarf_02_keeps_the_address_stated_beside_the_url_as_its_hosting():
    notice = parse(_xarf02("We found a scam site:\n\nhxxp://wallet-bonus[.]example/claim/now [198.51.100.160]\n"))
    [event] = notice.events
    assert (event.url, event.ip, notice.category) == ("http://wallet-bonus.example/claim/now", "198.51.100.160",
                                                     "fraud")


def test_xarf_02_without_a_stated_address_leaves_the_url_to_the_resolver():
    notice = parse(_xarf02("We found a scam site (see the report). Our server is [192.0.2.9].\n"))
    [event] = notice.events
    assert (event.url, event.ip, event.domain) == ("http://wallet-bonus.example/claim/now", None,
                                                   "wallet-bonus.example")
