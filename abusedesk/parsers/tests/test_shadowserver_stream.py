"""iter_events: the streaming form the matching pipeline uses for big reports."""

import gzip
import io
import itertools
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from abusedesk.parsers.base import ParseContext, ParseError
from abusedesk.parsers.shadowserver import iter_events, parse_report

FIXTURES = Path(__file__).parent / "fixtures" / "shadowserver"
CTX = ParseContext()
NAME = "2026-11-20-scan_http-nl-asn64496.csv"
BASE = (FIXTURES / NAME).read_bytes()
HEADER = "timestamp,severity,ip,protocol,port,hostname,tag,asn,geo,region,city,naics,hostname_source,sector\r\n"


def generated_rows(n):
    for i in range(n):
        yield (f"2026-11-20 {i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d},medium,"
               f"198.51.{100 + i // 65536 % 2}.{i % 256},tcp,{1 + i % 65535},host{i}.example.net,telnet,"
               "64496,NL,NOORD-HOLLAND,AMSTERDAM,518210,ptr,Hosting\r\n")


class GeneratedReport(io.RawIOBase):
    """A binary stream of n generated rows that never exists whole in memory."""

    def __init__(self, n):
        self._chunks = itertools.chain([HEADER], generated_rows(n))
        self._buf = b""

    def readable(self):
        return True

    def readinto(self, b):
        while len(self._buf) < len(b):
            nxt = next(self._chunks, None)
            if nxt is None:
                break
            self._buf += nxt.encode()
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


def test_stream_from_binary_file_matches_parse_report():
    info, events = iter_events(io.BytesIO(BASE), NAME, CTX)
    assert info.report_type == "scan_http"
    streamed = list(events)
    assert streamed == parse_report(BASE, NAME, CTX).events
    assert info.rows == 6 and info.events == 4 and info.skipped_bad_ip == 2
    assert info.warnings == ["skipped 2 row(s) with a missing or invalid IP in 'ip'"]


def test_stream_from_lines_of_bytes_and_of_str():
    byte_lines = io.BytesIO(BASE).readlines()
    info_b, events_b = iter_events(byte_lines, NAME, CTX)
    info_s, events_s = iter_events([line.decode() for line in byte_lines], NAME, CTX)
    assert [e.ip for e in events_b] == [e.ip for e in events_s] == [
        "198.51.100.23", "198.51.100.200", "203.0.113.7", "192.0.2.44"]


def test_info_is_available_before_the_first_row_is_read():
    info, events = iter_events(io.BytesIO(BASE), None, CTX)
    assert (info.report_type, info.detected_by, info.offender_column) == ("scan_http", "header", "ip")
    assert info.rows == 0  # nothing consumed yet
    next(events)


def test_stream_gzip_and_zip_file_objects():
    gz = (FIXTURES / "2026-11-20-event4_sinkhole_http-nl-asn64496.csv.gz").read_bytes()
    info, events = iter_events(io.BytesIO(gz), "2026-11-20-event4_sinkhole_http-nl-asn64496.csv.gz", CTX)
    assert [e.ip for e in events] == ["198.51.100.77", "198.51.100.78", "2001:db8:100::78"]
    zipped = (FIXTURES / "2026-11-20-scan_http-nl-asn64496.csv.zip").read_bytes()
    info, events = iter_events(io.BytesIO(zipped), None, CTX)
    assert len(list(events)) == 4


def test_stream_gzip_bomb_is_stopped():
    bomb = gzip.compress(HEADER.encode() + b"x" * (30 * 1024 * 1024))
    with pytest.raises(ParseError):
        info, events = iter_events(io.BytesIO(bomb), "2026-11-20-scan_telnet-x.csv.gz", CTX)
        list(events)


def test_stream_zip_with_only_empty_members_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("empty.csv", b"")
    with pytest.raises(ParseError, match="no report"):
        iter_events(io.BytesIO(buf.getvalue()), None, CTX)


def test_text_file_object_is_a_type_error():
    with pytest.raises(TypeError):
        iter_events(io.StringIO(BASE.decode()), NAME, CTX)


def test_memory_stays_flat_over_a_large_stream():
    # Consume 30,000 generated rows without keeping them: peak traced memory
    # must not grow with the number of rows (a list of 30k Events would need
    # about 40 MB).
    tracemalloc.start()
    try:
        info, events = iter_events(GeneratedReport(30_000), "2026-11-20-scan_telnet-nl-asn64496.csv", CTX)
        count = 0
        for event in events:
            assert event.ip  # look at each event, then let it go
            count += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 30_000 == info.events
    assert peak < 12 * 1024 * 1024, peak


def test_consumer_may_stop_early():
    info, events = iter_events(GeneratedReport(10_000), "2026-11-20-scan_telnet-nl-asn64496.csv", CTX)
    first_three = list(itertools.islice(events, 3))
    assert [e.ip for e in first_three] == ["198.51.100.0", "198.51.100.1", "198.51.100.2"]
    events.close()
