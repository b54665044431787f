"""Column drift and messy bytes never break a Shadowserver report."""

import csv
import io
from pathlib import Path

import pytest

from abusedesk.parsers.base import ParseContext
from abusedesk.parsers.shadowserver import parse_report

FIXTURES = Path(__file__).parent / "fixtures" / "shadowserver"
CTX = ParseContext()
NAME = "2026-11-20-scan_http-nl-asn64496.csv"
BASE = (FIXTURES / NAME).read_bytes()
EXPECTED_IPS = ["198.51.100.23", "198.51.100.200", "203.0.113.7", "192.0.2.44"]


def ips(notice):
    return [e.ip for e in notice.events]


@pytest.mark.parametrize("fixture", ["drift-extra-columns.csv", "drift-missing-columns.csv", "drift-reordered.csv"])
def test_drifted_report_with_file_name_gives_the_same_events(fixture):
    notice = parse_report((FIXTURES / fixture).read_bytes(), NAME, CTX)
    assert ips(notice) == EXPECTED_IPS
    assert [e.port for e in notice.events] == [80, 8080, 443, 80]
    assert {e.category for e in notice.events} == {"vulnerable_service"}
    assert notice.events[0].observed_at.isoformat() == "2026-11-20T04:12:33+00:00"


@pytest.mark.parametrize("fixture", ["drift-extra-columns.csv", "drift-missing-columns.csv", "drift-reordered.csv"])
def test_drifted_report_without_file_name_is_recognised_by_its_header(fixture):
    notice = parse_report((FIXTURES / fixture).read_bytes(), None, CTX)
    assert notice.meta["report_type"] == "scan_http"
    assert notice.meta["detected_by"] == "header"
    assert ips(notice) == EXPECTED_IPS


def test_drift_is_reported_in_meta():
    extra = parse_report((FIXTURES / "drift-extra-columns.csv").read_bytes(), NAME, CTX)
    assert extra.meta["drift"]["added"] == ["scanner_region", "http_title"]
    missing = parse_report((FIXTURES / "drift-missing-columns.csv").read_bytes(), NAME, CTX)
    assert missing.meta["drift"]["missing"] == ["hostname", "http_date", "server", "tag"]
    # evidence simply leaves out what is gone
    assert "server=" not in missing.events[0].evidence
    assert "http_code=200" in missing.events[0].evidence


def test_renamed_offender_column_falls_back_to_src_ip():
    data = BASE.replace(b"timestamp,severity,ip,", b"timestamp,severity,src_ip,", 1)
    notice = parse_report(data, NAME, CTX)
    assert ips(notice) == EXPECTED_IPS
    assert any("offender column 'ip' missing, using 'src_ip'" in w for w in notice.warnings)


def test_header_is_case_and_space_insensitive_and_may_be_quoted():
    header, rest = BASE.split(b"\r\n", 1)
    fancy = b",".join(b'" ' + c.upper() + b' "' for c in header.split(b","))
    notice = parse_report(fancy + b"\r\n" + rest, NAME, CTX)
    assert ips(notice) == EXPECTED_IPS


def test_fully_quoted_report_like_shadowserver_sends():
    rows = list(csv.reader(io.StringIO(BASE.decode(), newline="")))
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    assert ips(parse_report(out.getvalue().encode(), NAME, CTX)) == EXPECTED_IPS


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda b: b"\xef\xbb\xbf" + b, id="bom"),
        pytest.param(lambda b: b.replace(b"\r\n", b"\n"), id="lf"),
        pytest.param(lambda b: b.replace(b"\r\n", b"\r"), id="cr-only"),
        pytest.param(lambda b: b + b"\r\n\r\n\r\n  \r\n", id="trailing-empty-lines"),
        pytest.param(lambda b: b"\r\n\r\n" + b, id="leading-empty-lines"),
        pytest.param(lambda b: b.replace(b"nginx", b"ng\x00inx"), id="nul-in-field"),
        pytest.param(lambda b: b.replace(b"lighttpd", b"light\xff\xfetpd"), id="invalid-utf8"),
        pytest.param(lambda b: b.rstrip(b"\r\n"), id="no-final-newline"),
    ],
)
def test_messy_bytes_still_parse(mangle):
    notice = parse_report(mangle(BASE), NAME, CTX)
    assert ips(notice) == EXPECTED_IPS


def test_nul_is_removed_from_values():
    notice = parse_report(BASE.replace(b"nginx", b"ng\x00inx"), NAME, CTX)
    assert "server=nginx/1.18.0" in notice.events[0].evidence


def test_very_long_field_is_accepted_and_evidence_truncated():
    banner = b"A" * 500_000  # over csv's 128 KiB default limit
    data = BASE.replace(b"nginx/1.18.0", banner)
    notice = parse_report(data, NAME, CTX)
    assert ips(notice) == EXPECTED_IPS
    assert len(notice.events[0].evidence) < 1000


def test_short_and_long_rows_do_not_break_the_report():
    lines = BASE.split(b"\r\n")
    lines.insert(2, b"2026-11-20 01:00:00,medium,198.51.100.99")  # truncated row: only 3 columns
    lines.insert(3, lines[1] + b",surplus,cells,here")  # more cells than the header
    lines.insert(4, b"garbage without commas")
    notice = parse_report(b"\r\n".join(lines), NAME, CTX)
    assert ips(notice)[:3] == ["198.51.100.23", "198.51.100.99", "198.51.100.23"]
    assert notice.events[1].port is None
    assert notice.meta["skipped_bad_ip"] == 3  # the fixture's two bad rows + the garbage line


def test_a_repeated_header_row_is_not_counted_as_bad():
    header = BASE.split(b"\r\n", 1)[0]
    notice = parse_report(BASE + header + b"\r\n" + BASE.split(b"\r\n", 1)[1], NAME, CTX)
    assert len(notice.events) == 8
    assert notice.meta["skipped_bad_ip"] == 4


def test_bad_timestamp_and_port_keep_the_event():
    data = BASE.replace(b"2026-11-20 04:12:33", b"yesterday", 1).replace(b",80,web23", b",http,web23", 1)
    notice = parse_report(data, NAME, CTX)
    first = notice.events[0]
    assert (first.ip, first.observed_at, first.port) == ("198.51.100.23", None, None)
    assert any("unreadable timestamp" in w for w in notice.warnings)


@pytest.mark.parametrize("port", ["²", "٣", "65536", "-1", "80.0", " 80"])
def test_odd_ports_become_none_not_errors(port):
    data = f"timestamp,ip,port\n2026-11-20 00:00:00,192.0.2.1,{port}\n".encode()
    (event,) = parse_report(data, "2026-11-20-scan_http-x.csv", CTX).events
    assert event.port is None


def test_ipv4_mapped_ipv6_is_the_ipv4_host():
    data = b"timestamp,ip,port\n2026-11-20 00:00:00,::ffff:192.0.2.9,80\n"
    (event,) = parse_report(data, "2026-11-20-scan_http-x.csv", CTX).events
    assert event.ip == "192.0.2.9"


def test_ip_validation_is_strict():
    rows = "\n".join(
        f"2026-11-20 00:00:00,{ip},80,64496,NL"
        for ip in ["192.0.2.1", " 192.0.2.2 ", "192.0.2.003", "192.0.2.256", "192.0.2", "2001:db8::1",
                   "2001:db8::1%eth0", "fe80::1::2", "198.51.100.7/32", "0x7f.0.0.1"]
    )
    notice = parse_report(f"timestamp,ip,port,asn,geo\n{rows}\n".encode(), "2026-11-20-scan_http-x.csv", CTX)
    assert ips(notice) == ["192.0.2.1", "192.0.2.2", "2001:db8::1"]
    assert notice.meta["skipped_bad_ip"] == 7


def test_header_only_report_has_no_events_and_a_warning():
    header = BASE.split(b"\r\n", 1)[0] + b"\r\n"
    notice = parse_report(header, NAME, CTX)
    assert notice.events == []
    assert "report has no data rows" in notice.warnings


def test_max_events_truncates_with_a_warning():
    notice = parse_report(BASE, NAME, ParseContext(max_events=2))
    assert len(notice.events) == 2
    assert any("max_events" in w for w in notice.warnings)


def test_a_block_list_row_naming_a_small_range_is_the_listed_network():
    rows = ('"timestamp","ip","hostname","source","reason","asn","geo"\n'
            '"2020-08-20 07:18:01","198.51.100.8/31",,"VOIP Blacklist","VOIP Abuse",64496,"NL"\n'
            '"2020-08-20 07:18:02","198.51.100.20",,"Alien Vault","Malicious Host",64496,"NL"\n')
    notice = parse_report(rows.encode(), "2020-08-20-blocklist-example-asn.csv", CTX)
    assert sorted(ips(notice)) == ["198.51.100.20", "198.51.100.8"]
    assert [e.extra.get("prefix") for e in notice.events if e.ip == "198.51.100.8"] == ["198.51.100.8/31"]
