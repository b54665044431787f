"""Property-based tests of the CSV layer: any column order, extra columns and
garbage rows never raise, and every row with a valid IP yields exactly one event."""

import csv
import io
import ipaddress

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abusedesk.parsers.base import ParseContext, ParseError
from abusedesk.parsers.shadowserver import parse_report

CTX = ParseContext()
SCAN_COLUMNS = ["timestamp", "severity", "ip", "protocol", "port", "hostname", "tag", "asn", "geo",
                "region", "city", "naics", "hostname_source", "sector", "banner"]
NAME = "2026-11-20-scan_telnet-nl-asn64496.csv"

ipv4 = st.ip_addresses(v=4).map(str)
ipv6 = st.ip_addresses(v=6).map(str)
junk_ip = st.one_of(
    st.just(""), st.just("not-an-ip"), st.just("192.0.2.256"), st.just("192.0.2"), st.just("::g"),
    st.text(alphabet="0123456789.:abcdefx ", max_size=20).filter(lambda s: not _valid(s)),
)
cell = st.one_of(st.just(""), st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30))


def _canonical(text):
    ip = ipaddress.ip_address(text.strip())
    return str(getattr(ip, "ipv4_mapped", None) or ip)


def _valid(text):
    try:
        ipaddress.ip_address(text.strip())
    except ValueError:
        return False
    return "%" not in text


@st.composite
def reports(draw):
    extra_cols = draw(st.lists(st.from_regex(r"x_[a-z]{1,8}", fullmatch=True), max_size=4, unique=True))
    dropped = draw(st.sets(st.sampled_from([c for c in SCAN_COLUMNS if c != "ip"]), max_size=5))
    columns = [c for c in SCAN_COLUMNS if c not in dropped] + extra_cols
    columns = draw(st.permutations(columns))
    rows, expected = [], []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["v4", "v6", "junk", "garbage"]))
        if kind == "garbage":
            rows.append(draw(st.lists(cell, max_size=len(columns) + 3)))
            continue
        ip = draw({"v4": ipv4, "v6": ipv6, "junk": junk_ip}[kind])
        row = {c: draw(cell) for c in columns}
        row["ip"] = ip
        rows.append([row[c] for c in columns])
        if kind != "junk":
            expected.append(ip)
    return columns, rows, expected


def to_csv(columns, rows, newline):
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerows([columns, *rows])
    return out.getvalue().encode("utf-8")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports(), st.sampled_from(["\r\n", "\n", "\r"]), st.booleans())
def test_any_layout_parses_and_every_valid_ip_row_gives_one_event(report, newline, with_name):
    columns, rows, _ = report
    data = to_csv(columns, rows, newline)
    notice = parse_report(data, NAME if with_name else None, CTX) if with_name else _parse_or_none(data)
    if notice is None:
        return  # without a file name a heavily reduced header may not be recognisable: ParseError is fine
    # The garbage rows may happen to hold a valid IP in the ip column; count what the
    # csv layer really gives, independently of our parser.
    parsed_rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    ip_index = parsed_rows[0].index("ip")
    want = [
        _canonical(r[ip_index])
        for r in parsed_rows[1:]
        if len(r) > ip_index and _valid(r[ip_index])
    ]
    assert [e.ip for e in notice.events] == want
    if with_name:  # without it, a much reduced header may resemble another family
        assert all(e.category == "vulnerable_service" for e in notice.events)


def _parse_or_none(data):
    try:
        return parse_report(data, None, CTX)
    except ParseError:
        return None


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise_anything_but_parse_error(data):
    try:
        parse_report(data, NAME, CTX)
    except ParseError:
        pass


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=60), max_size=30))
def test_arbitrary_lines_after_a_real_header_never_raise(lines):
    data = (",".join(SCAN_COLUMNS) + "\n" + "\n".join(lines)).encode("utf-8", "surrogatepass")
    try:
        notice = parse_report(data, NAME, CTX)
    except ParseError:
        return
    assert all(e.ip for e in notice.events)
