import json
from datetime import UTC, datetime

from abusedesk.parsers import parse
from abusedesk.parsers.xarf import category_of, load_json

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


def test_xarf_02_pairs_a_wrapped_defanged_url_with_its_percent_encoded_report_source():
    # The report part writes the path percent-encoded, the human part defanged;
    # the address stated beside the URL belongs to the same host.
    report = ("Category: fraud\nReport-Type: phishing\nVersion: 0.2\nDate: 2024-05-02T10:00:00Z\n"
              "Source: http://pay-verify.example/a.do?x%2Fy%2Fz\nSource-Type: uri\n")
    human = "We have found a phishing attack:\n\nhxxp://pay-verify[.]example/a.do?x/y/z [198.51.100.161]\n"
    data = ("From: takedown@watch.example\nTo: abuse@provider.example\nSubject: Phishing attack\nX-XARF: PLAIN\n"
            "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"x\"\n\n--x\nContent-Type: text/plain\n\n"
            f"{human}\n--x\nContent-Type: text/plain; name=\"report.txt\"\n\n{report}\n--x--\n").encode()
    [event] = parse(data).events
    assert (event.ip, event.domain) == ("198.51.100.161", "pay-verify.example")


def test_xarf_02_an_address_on_the_line_after_the_url_is_its_hosting():
    notice = parse(_xarf02("We found a scam site:\nhxxp://wallet-bonus[.]example/claim/now\n[198.51.100.168]\n"))
    assert [e.ip for e in notice.events] == ["198.51.100.168"]


def test_xarf_02_an_address_a_paragraph_below_the_url_is_not_taken():
    notice = parse(_xarf02("We found a scam site:\nhxxp://wallet-bonus[.]example/claim/now\n\n[198.51.100.169]\n"))
    assert [e.ip for e in notice.events] == [None]


def test_xarf_02_an_address_beside_another_hosts_url_is_not_taken():
    notice = parse(_xarf02("Compare the real site: https://wallet.example/ [192.0.2.10]\n"))
    [event] = notice.events
    assert event.ip is None


def _xarf02_info(log: str) -> bytes:
    report = ("Reported-From: anti-abuse@mailhost.example\nCategory: abuse\nReport-Type: info\nService: mail\n"
              "Version: 0.2\nDate: Sat, 02 Nov 2024 20:13:45 +0100\nSource-Type: ipv4\nSource: 198.51.100.162\n")
    return ("From: anti-abuse@mailhost.example\nTo: abuse@provider.example\nSubject: abuse report about "
            "198.51.100.162 - mail\nX-XARF: yes\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"x\"\n\n"
            "--x\nContent-Type: text/plain\n\nOne of your clients has abused our mail server. Service: mail\n"
            f"--x\nContent-Type: text/plain; name=\"report.txt\"\n\n{report}\n"
            f"--x\nContent-Type: text/plain; name=\"logfile.txt\"\n\n{log}\n--x--\n").encode()


def test_xarf_02_type_info_takes_the_category_from_the_evidence_log():
    log = ("Nov  2 20:13:43 mx sm-mta[24785]: AUTH failure (PLAIN): authentication failure: Password verification "
           "failed, relay=[198.51.100.162]\n") * 3
    notice = parse(_xarf02_info(log))
    assert (notice.category, [e.category for e in notice.events]) == ("brute_force", ["brute_force"])


def test_xarf_02_type_info_with_a_log_that_says_nothing_stays_other():
    notice = parse(_xarf02_info("Nov  2 20:13:40 mx sm-mta[24785]: connect from [198.51.100.162]\n"))
    assert notice.category == "other"


def _v3_mail(report_json: str) -> bytes:
    # The mail form many senders use: multipart/report, a feedback-report part
    # saying "Feedback-Type: xarf", the report as a base64 xarf.json.
    import base64
    return ("From: Abuse Report <report.1@abuse.home.example>\nTo: abuse@provider.example\n"
            "Subject: Abuse report [IP: 198.51.100.163] Alert\nMIME-Version: 1.0\n"
            "Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\n"
            "Stop this abusive host (IP: 198.51.100.163) scanning my systems.\n"
            "--b\nContent-Type: message/feedback-report\n\nFeedback-Type: xarf\nUser-Agent: Abuse-Mail/1.0\nVersion: 1\n\n"
            "--b\nContent-Type: application/json; name=xarf.json\nContent-Transfer-Encoding: base64\n"
            "Content-Disposition: attachment; filename=xarf.json\n\n"
            f"{base64.encodebytes(report_json.encode()).decode()}\n--b--\n").encode()


def test_feedback_type_xarf_with_bare_n_a_values_is_read_as_xarf():
    report = ('{"Version": "1", "ReporterInfo": {"ReporterOrg": "HomeNet"}, "Report": {"ReportClass": "Activity", '
              '"ReportType": "PortScan", "Date": "2024-06-17T11:04:36Z", "SourceIp": "198.51.100.163", '
              '"SourcePort": n/a, "DestinationIp": "#HOSTIP#", "DestinationPort": n/a, "ByteCount": n/a}}')
    notice = parse(_v3_mail(report))
    assert (notice.format, notice.category, ips(notice)) == ("xarf", "scanning", ["198.51.100.163"])
    assert notice.events[0].observed_at == datetime(2024, 6, 17, 11, 4, 36, tzinfo=UTC)


def test_an_n_a_inside_a_string_is_left_alone():
    assert load_json('{"Note": "ports: n/a, see log", "Port": n/a}') == {"Note": "ports: n/a, see log", "Port": None}


def test_json_broken_otherwise_is_still_not_read():
    report = '{"Report": {"ReportType": "PortScan", "SourceIp": "198.51.100.164", "Port": n/a x}}'
    notice = parse(_v3_mail(report))
    assert notice.format == "arf" and "198.51.100.164" not in ips(notice)


def test_v3_json_without_a_source_reads_each_sample_rows_source_with_its_time():
    rows = ("deviceReceptionTime_UTC,sourceAddress,sourcePort,destinationAddress,destinationPort,attempts "
            "2024-10-09T01:00:00Z,198.51.100.165,0-65535,192.0.2.20,5900,15798 "
            "2024-10-09T02:30:00Z,198.51.100.166,0-65535,192.0.2.21,3306,349")
    report = json.dumps({"Version": "3", "ReporterInfo": {"ReporterOrg": "Sensor Net"},
                         "Report": {"ReportClass": "Activity", "ReportType": "PortScan", "SourceIp": "",
                                    "Samples": [{"ContentType": "text/plain", "Base64Encoded": False,
                                                 "Payload": rows}]}})
    notice = parse(report.encode(), "xarf.json")
    assert sorted((e.ip, e.observed_at.hour, e.observed_at.minute) for e in notice.events) == [
        ("198.51.100.165", 1, 0), ("198.51.100.166", 2, 30)]


def test_a_childabuse_report_is_csam_with_the_one_hour_deadline():
    report = json.dumps({"Version": "2", "ReporterInfo": {"ReporterOrg": "Hotline"},
                         "Report": {"ReportClass": "Content", "ReportType": "ChildAbuse",
                                    "SourceIp": "198.51.100.167", "Url": "http://img.example/x/1.jpg"}})
    notice = parse(report.encode(), "report.json")
    assert (notice.category, notice.sensitive, notice.deadline_hours) == ("csam", True, 1)


def test_an_xarf_02_childabuse_report_is_csam_too_but_a_content_report_of_another_type_is_not():
    report = ("Category: content\nReport-Type: ChildAbuse\nVersion: 0.2\nSource: http://img.example/y/2.jpg\n"
              "Source-Type: uri\n")
    data = ("From: reports@hotline.example\nTo: abuse@provider.example\nSubject: Report\nX-XARF: PLAIN\n"
            "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"x\"\n\n--x\nContent-Type: text/plain\n\n"
            "See report.\n--x\nContent-Type: text/plain; name=\"report.txt\"\n\n" + report + "\n--x--\n")
    notice = parse(data.encode())
    assert (notice.category, notice.sensitive, notice.deadline_hours) == ("csam", True, 1)
    other = parse(data.replace("ChildAbuse", "Trademark").encode())
    assert (other.category, other.sensitive, other.deadline_hours) == ("copyright", False, None)
