"""Shadowserver report families: who the offender is, which category, which fields."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from abusedesk.parsers.base import CATEGORIES, ParseContext, ParseError
from abusedesk.parsers.shadowserver import (
    EVIDENCE_CACHE_ROWS,
    REPORTS,
    looks_like,
    parse_report,
    report_type_from_filename,
    report_type_from_subject,
    resolve,
)

FIXTURES = Path(__file__).parent / "fixtures" / "shadowserver"
CTX = ParseContext()


def load(name):
    return (FIXTURES / name).read_bytes()


def parse_fixture(name, filename=None, **kw):
    return parse_report(load(name), name if filename is None else filename, CTX, **kw)


def test_scan_http_yields_one_event_per_valid_ip():
    notice = parse_fixture("2026-11-20-scan_http-nl-asn64496.csv")
    assert notice.format == "shadowserver"
    assert notice.kind == "abuse"
    assert notice.category == "vulnerable_service"
    assert [e.ip for e in notice.events] == ["198.51.100.23", "198.51.100.200", "203.0.113.7", "192.0.2.44"]
    assert [e.port for e in notice.events] == [80, 8080, 443, 80]
    assert notice.meta["report_type"] == "scan_http"
    assert notice.meta["detected_by"] == "filename"
    assert notice.meta["skipped_bad_ip"] == 2
    assert notice.warnings == ["skipped 2 row(s) with a missing or invalid IP in 'ip'"]


def test_scan_http_event_fields():
    first = parse_fixture("2026-11-20-scan_http-nl-asn64496.csv").events[0]
    assert first.observed_at == datetime(2026, 11, 20, 4, 12, 33, tzinfo=UTC)
    assert first.evidence.startswith("report=scan_http ip=198.51.100.23 ")
    assert "http_code=200" in first.evidence and "server=nginx/1.18.0" in first.evidence
    assert first.extra["tag"] == "http"
    assert first.extra["hostname"] == "web23.example.net"
    assert first.extra["asn"] == "64496"
    assert first.contract_dict() == {
        "category": "vulnerable_service", "ip": "198.51.100.23", "url": None, "domain": None,
        "port": 80, "observed_at": "2026-11-20T04:12:33+00:00",
    }


def test_quoted_field_with_comma_and_newline_stays_one_row_and_evidence_one_line():
    second = parse_fixture("2026-11-20-scan_http-nl-asn64496.csv").events[1]
    assert second.ip == "198.51.100.200"
    assert "\n" not in second.evidence
    assert "mini_httpd/1.19 line two of a banner" in second.evidence


def test_a_long_evidence_value_is_cut_even_when_the_others_are_short():
    header = load("2026-11-20-scan_http-nl-asn64496.csv").split(b"\n", 1)[0].decode()
    columns = header.strip().split(",")
    row = dict.fromkeys(columns, "")
    row.update(timestamp="2026-11-20 04:12:33", ip="192.0.2.1", port="80", server="x" * 300)
    data = (header + "\n" + ",".join(row[c] for c in columns) + "\n").encode()
    event = parse_report(data, "2026-11-20-scan_http-nl-asn64496.csv", CTX).events[0]
    assert event.evidence == "report=scan_http ip=192.0.2.1 server=" + "x" * 200 + "..."


def test_evidence_is_right_for_repeated_and_many_distinct_values():
    # Evidence text is remembered per combination of values, within bounds.
    servers = ["nginx", "a\tb", "x" * 300] + [f"srv{i}" for i in range(EVIDENCE_CACHE_ROWS + 100)]
    servers += servers
    lines = ["timestamp,ip,port,tag,protocol,server"]
    lines += [f"2026-11-20 04:12:33,192.0.2.1,80,http,tcp,{server}" for server in servers]
    events = parse_report("\n".join(lines).encode(), "2026-11-20-scan_http-nl-asn64496.csv", CTX).events
    expected = [server.replace("\t", " ")[:200] + ("..." if len(server) > 200 else "") for server in servers]
    assert [e.evidence for e in events] == [
        f"report=scan_http ip=192.0.2.1 tag=http protocol=tcp server={server}" for server in expected]


def test_report_date_and_notifier():
    notice = parse_fixture("2026-11-20-scan_http-nl-asn64496.csv")
    assert notice.date == datetime(2026, 11, 20, tzinfo=UTC)
    assert notice.notifier.organisation == "The Shadowserver Foundation"
    assert notice.notifier.no_reply is True


def test_sinkhole_event_offender_is_src_ip_never_the_sinkhole():
    notice = parse_fixture("2026-11-20-event4_sinkhole_http-nl-asn64496.csv")
    assert notice.category == "botnet"
    assert [e.ip for e in notice.events] == ["198.51.100.77", "198.51.100.78", "2001:db8:100::78"]
    assert all(e.ip != "203.0.113.250" for e in notice.events)
    first = notice.events[0]
    assert first.port == 49811  # the source port of the infected host
    assert first.extra["infection"] == "andromeda"
    assert first.extra["dst_port"] == "80"
    assert first.source_ref == "ev-1"
    assert "infection=andromeda" in first.evidence and "http_host=c2.example.com" in first.evidence


def test_honeypot_brute_force_is_brute_force_and_keeps_no_password():
    notice = parse_fixture("2026-11-20-event4_honeypot_brute_force-nl-asn64496.csv")
    (event,) = notice.events
    assert (event.category, event.ip, event.port) == ("brute_force", "203.0.113.66", 40022)
    assert "service=ssh" in event.evidence
    assert "123456" not in event.evidence and "password" not in event.extra


def test_amplification_target_is_marked_as_victim():
    (event,) = parse_fixture("2026-11-20-event4_honeypot_ddos_amp-nl-asn64496.csv").events
    assert event.category == "ddos"
    assert event.ip == "198.51.100.90"
    assert event.extra["role"] == "victim"


def test_compromised_website_category_refined_by_tag_and_url_built_from_host():
    notice = parse_fixture("2026-11-20-compromised_website-nl-asn64496.csv")
    phish, skimmer = notice.events
    assert phish.category == "phishing"
    assert phish.url == "https://shop.example.net/secure/login.php"
    assert phish.domain == "shop.example.net"
    assert skimmer.category == "malware"
    assert skimmer.url == "http://blog.example.net/js/skimmer.js"
    # mixed categories: the notice carries the report's default
    assert notice.category == "malware"


def test_blocklist():
    (event,) = parse_fixture("2026-11-20-blocklist-nl-asn64496.csv").events
    assert (event.category, event.ip, event.port) == ("blocklist", "203.0.113.15", None)
    assert "source=spamhaus-drop" in event.evidence


def test_ipv6_scan_report_and_iso_timestamps():
    notice = parse_fixture("2026-11-20-scan6_dns-nl-asn64496.csv")
    assert notice.meta["report_type"] == "scan6_dns"
    assert notice.category == "vulnerable_service"
    assert [e.ip for e in notice.events] == ["2001:db8:100::53", "2001:db8:100::54"]  # canonical form
    assert notice.events[0].observed_at == datetime(2026, 11, 20, 10, 0, 1, tzinfo=UTC)
    assert notice.events[1].observed_at == datetime(2026, 11, 20, 10, 0, 2, tzinfo=UTC)  # +01:00 -> UTC
    assert notice.meta["skipped_bad_ip"] == 1


def test_ssl_report_keeps_certificate_evidence():
    first = parse_fixture("2026-11-20-scan_ssl-nl-asn64496.csv").events[0]
    assert first.category == "vulnerable_service"
    assert "subject_common_name=mail.example.org" in first.evidence
    assert "tag=ssl-poodle" in first.evidence


def test_legacy_botnet_drone_offender_is_ip_not_cc():
    (event,) = parse_fixture("2018-03-05-botnet_drone-nl-asn64496.csv").events
    assert (event.category, event.ip, event.port) == ("botnet", "198.51.100.5", 3218)
    assert event.extra["infection"] == "spyeye"


def test_unknown_scan_report_still_yields_events_with_a_warning():
    notice = parse_fixture("2026-11-20-scan_teapot-nl-asn64496.csv")
    assert [e.ip for e in notice.events] == ["198.51.100.140", "198.51.100.141"]
    assert {e.category for e in notice.events} == {"vulnerable_service"}
    assert "unknown report type scan_teapot" in notice.warnings
    assert notice.meta["report_known"] is False


def test_unknown_non_scan_report_is_other():
    data = load("2026-11-20-scan_teapot-nl-asn64496.csv")
    notice = parse_report(data, "2026-11-20-teapot_census-nl-asn64496.csv", CTX)
    assert {e.category for e in notice.events} == {"other"}
    assert "unknown report type teapot_census" in notice.warnings


def test_report_type_argument_overrides_file_name():
    data = load("2026-11-20-scan_http-nl-asn64496.csv")
    notice = parse_report(data, "attachment.csv", CTX, report_type="scan_http")
    assert notice.meta["report_type"] == "scan_http"
    assert notice.meta["detected_by"] == "argument"


def test_zipped_report_is_unpacked():
    notice = parse_fixture("2026-11-20-scan_http-nl-asn64496.csv.zip")
    assert notice.meta["report_type"] == "scan_http"
    assert len(notice.events) == 4


def test_gzipped_report_is_inflated():
    notice = parse_fixture("2026-11-20-event4_sinkhole_http-nl-asn64496.csv.gz")
    assert notice.meta["report_type"] == "event4_sinkhole_http"
    assert len(notice.events) == 3


def test_not_a_csv_raises_parse_error():
    with pytest.raises(ParseError):
        parse_report(b"Hello,\r\n\r\nplease stop the attacks from your network.\r\n", "mail.txt", CTX)
    with pytest.raises(ParseError):
        parse_report(b"", None, CTX)


def test_report_without_ip_column_raises_for_ip_reports():
    with pytest.raises(ParseError, match="no offender IP column"):
        parse_report(b"timestamp,dst_ip,asn,geo\n2026-11-20 00:00:00,192.0.2.1,64496,NL\n",
                     "2026-11-20-event4_sinkhole-nl.csv", CTX)


def test_report_type_that_carries_no_ip_gives_zero_events_and_says_why():
    data = b"timestamp,email,infection,source_url,tag,severity\n2026-11-20 00:00:00,a@example.org,x,,y,high\n"
    notice = parse_report(data, "2026-11-20-compromised_account-nl.csv", CTX)
    assert notice.events == []
    assert notice.meta["rows"] == 1
    assert any("carries no IP address" in w for w in notice.warnings)


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("2026-11-20-scan_http-nl-asn64496.csv", "scan_http"),
        ("2026-11-20-event4_sinkhole_http-nl-asn64496.csv", "event4_sinkhole_http"),
        ("2026-11-20-scan_ssl-nl-asn64496.csv.zip", "scan_ssl"),
        ("reports/2024-07-04-dns_openresolver-123-sample-asn.csv", "dns_openresolver"),
        ("2020-04-03-scan_ics-sample-asn-delayed.csv.gz", "scan_ics"),
        ("scan_http.csv", None),
        ("2026-11-20-scan_http.csv", None),
        (None, None),
    ],
)
def test_report_type_from_filename(filename, expected):
    assert report_type_from_filename(filename) == expected


@pytest.mark.parametrize(
    ("name", "report", "category"),
    [
        ("dns_openresolver", "scan_dns", "vulnerable_service"),
        ("open_dns", "scan_dns", "vulnerable_service"),
        ("scan6_http", "scan6_http", "vulnerable_service"),
        ("event6_honeypot_brute_force", "event6_honeypot_brute_force", "brute_force"),
        ("event4_honeypot_http_scan", "event4_honeypot_http_scan", "scanning"),
        ("event4_honeypot_darknet", "event4_honeypot_darknet", "scanning"),
        ("event4_ddos_participant", "event4_ddos_participant", "ddos"),
        ("event4_microsoft_sinkhole", "event4_microsoft_sinkhole", "botnet"),
        ("microsoft_sinkhole", "microsoft_sinkhole", "botnet"),
        ("drone", "botnet_drone", "botnet"),
        ("sandbox_url", "sandbox_url", "malware"),
        ("malware_url", "malware_url", "malware"),
        ("phish_url", "phish_url", "phishing"),
        ("blocklist6", "blocklist6", "blocklist"),
        ("device_id", "device_id", "vulnerable_service"),
        ("population_bgp", "population_bgp", "vulnerable_service"),
        ("ssl_poodle", "scan_ssl_poodle", "vulnerable_service"),
        ("scan_ssl_freak", "scan_ssl_freak", "vulnerable_service"),
        ("vulnerable_log4j", "vulnerable_log4j", "vulnerable_service"),
        ("scan_exchange", "scan_exchange", "vulnerable_service"),
    ],
)
def test_resolve_report_names(name, report, category):
    spec = resolve(name)
    assert (spec.name, spec.category) == (report, category)


def test_event_reports_never_use_the_sinkhole_side_as_offender():
    for name, spec in REPORTS.items():
        assert spec.category in CATEGORIES, name
        assert not {"dst_ip", "cc", "cc_ip", "dest_ip"} & set(spec.ip_columns), name
        if name.startswith(("event4_", "event6_")) and "referer" not in name:
            assert spec.ip_columns == ("src_ip",), name


def test_mapping_covers_the_current_families():
    expected = {
        "scan_http", "scan_ssl", "scan_rdp", "scan_smb", "scan_dns", "scan_ntp", "scan_ntpmonitor", "scan_snmp",
        "scan_ssdp", "scan_memcached", "scan_elasticsearch", "scan_mongodb", "scan_redis", "scan_telnet",
        "scan_vnc", "scan_ftp", "scan_mqtt", "scan_cwmp", "scan_ldap_tcp", "scan_stun", "scan_exchange",
        "scan_ipp", "scan_mysql", "scan_postgres", "scan_docker", "event4_sinkhole", "event4_sinkhole_http",
        "event4_sinkhole_dns", "event4_honeypot_brute_force", "event4_honeypot_darknet",
        "event4_honeypot_ddos_amp", "event4_honeypot_http_scan", "event4_ip_spoofer", "event4_ddos_participant",
        "event4_microsoft_sinkhole", "blocklist", "compromised_website", "device_id", "sandbox_url",
        "malware_url", "scan_http_vulnerable", "population_bgp", "scan_ssl_freak", "scan_ssl_poodle",
    }
    assert expected <= set(REPORTS)


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("[Shadowserver] Accessible-HTTP Report: 2026-11-20", "scan_http"),
        ("Shadowserver NL Sinkhole Events HTTP Report 2026-11-20", "event4_sinkhole_http"),
        ("[Shadowserver] IPv6 Accessible SSL Report: 2026-11-20", "scan6_ssl"),
        ("[Shadowserver] report scan_teapot for AS64496", "scan_teapot"),
        ("Re: your invoice", None),
    ],
)
def test_report_type_from_subject(subject, expected):
    assert report_type_from_subject(subject) == expected


def test_looks_like_by_name_header_zip_and_gzip():
    assert looks_like("2026-11-20-scan_ssl-nl-asn64496.csv", b"")
    assert looks_like("2026-11-20-event4_sinkhole_http-nl-asn64496.csv", b"")
    assert looks_like(None, load("2026-11-20-event4_sinkhole_http-nl-asn64496.csv")[:300])
    assert looks_like("attachment.bin", load("2026-11-20-scan_http-nl-asn64496.csv.zip")[:512])
    assert looks_like("attachment.bin", load("2026-11-20-event4_sinkhole_http-nl-asn64496.csv.gz")[:512])
    assert looks_like(None, b"\xef\xbb\xbf\"timestamp\",\"ip\",\"port\",\"asn\",\"geo\"\r\n")


def test_looks_like_rejects_other_files():
    assert not looks_like("invoice.csv", b"date,amount,customer\n2026-11-20,10,acme\n")
    assert not looks_like("2026-11-20-invoice-acme.csv", b"date,amount\n")
    assert not looks_like(None, b"timestamp,ip\n")  # too generic to claim
    assert not looks_like("mail.eml", b"From: someone@example.org\r\n")


SPECIAL = (
    "timestamp,ip,asn,geo,region,city,hostname,naics,sector,tag,public_source,status,detail,account\n"
    "2026-03-14 23:30:00,198.51.100.31,64496,NL,UTRECHT,UTRECHT,mx1.example.net,517312,Hosting,exchange,"
    "Researcher,potentially vulnerable,,\n"
    "2026-03-14 23:30:00,198.51.100.32,64496,NL,UTRECHT,UTRECHT,mx2.example.net,517312,Hosting,exchange,"
    "Researcher,compromised,/owa/auth/shell.aspx,\n"
)


def _special(rows):
    head, *lines = SPECIAL.splitlines(keepends=True)
    return parse_report((head + "".join(lines[i] for i in rows)).encode(),
                        "2026-03-15-special-example-asn.csv", CTX)


def test_special_report_rows_take_their_category_from_the_status_column():
    # A special report (e.g. on Exchange servers) says per row whether the host is
    # merely vulnerable or already compromised (a web shell was found).
    assert _special([0]).category == "vulnerable_service"
    compromised = _special([1])
    assert compromised.category == "malware"
    assert [e.category for e in compromised.events] == ["malware"]
    both = _special([0, 1])
    assert [e.category for e in both.events] == ["vulnerable_service", "malware"]


def test_special_report_without_a_status_stays_other():
    # The false friend: a special report whose rows say nothing of the host's state.
    notice = parse_report(b"timestamp,ip,tag,public_source\n2026-03-14 23:30:00,198.51.100.33,something,Researcher\n",
                          "2026-03-15-special-example-asn.csv", CTX)
    assert notice.category == "other"
