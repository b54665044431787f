"""Hostile archives are refused; honest ones unpack within the limits."""

import gzip
import io
import stat
import zipfile

import pytest

from abusedesk.parsers.archive import CappedGzipReader, safe_gunzip, safe_unzip, unpack
from abusedesk.parsers.base import ParseContext, ParseError

CTX = ParseContext()
CSV = b"timestamp,ip,port\n2026-11-20 00:00:00,192.0.2.1,80\n"


def make_zip(members, compression=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for item in members:
            if isinstance(item, zipfile.ZipInfo):
                zf.writestr(item, b"x")
            else:
                name, data = item
                zf.writestr(name, data)
    return buf.getvalue()


def test_plain_zip_unpacks():
    assert safe_unzip(make_zip([("a.csv", CSV), ("b.csv", CSV * 2)]), CTX) == [("a.csv", CSV), ("b.csv", CSV * 2)]


def test_directories_are_skipped():
    assert safe_unzip(make_zip([("reports/", b""), ("reports/a.csv", CSV)]), CTX) == [("reports/a.csv", CSV)]


def test_zip_bomb_by_ratio_is_refused():
    bomb = make_zip([("bomb.csv", b"0" * (20 * 1024 * 1024))])
    assert len(bomb) < 100_000
    with pytest.raises(ParseError, match="zip bomb"):
        safe_unzip(bomb, CTX)


def test_total_unzipped_bytes_cap_across_members():
    ctx = ParseContext(max_unzipped_bytes=100_000, max_zip_ratio=10_000)
    data = make_zip([(f"{i}.csv", bytes(range(256)) * 200) for i in range(3)])  # 3 x 51,200 bytes
    with pytest.raises(ParseError, match="beyond 100000 bytes"):
        safe_unzip(data, ctx)


def test_forged_member_size_is_refused_not_trusted():
    # Headers that claim 10 bytes for a 512,000-byte member: the data does
    # not check out, and nothing is returned.
    payload = bytes(range(256)) * 2000  # 512,000 bytes, incompressible enough to stay under the ratio
    data = bytearray(make_zip([("a.csv", payload)]))
    real = len(payload).to_bytes(4, "little")
    fake = (10).to_bytes(4, "little")
    assert data.count(real) == 2
    data = bytes(data).replace(real, fake)
    with pytest.raises(ParseError):
        safe_unzip(data, ParseContext(max_unzipped_bytes=100_000))


@pytest.mark.parametrize("name", ["../evil.csv", "a/../../evil.csv", "/etc/passwd", "C:\\evil.csv",
                                  "c:evil.csv", "..\\evil.csv", "\\\\server\\share.csv"])
def test_traversal_and_absolute_names_are_refused(name):
    with pytest.raises(ParseError, match="path|absolute|traversal"):
        safe_unzip(make_zip([(name, CSV)]), CTX)


def test_symlink_member_is_refused():
    info = zipfile.ZipInfo("link.csv")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with pytest.raises(ParseError, match="symlink"):
        safe_unzip(make_zip([info]), CTX)


def test_encrypted_member_is_refused():
    info = zipfile.ZipInfo("secret.csv")
    data = bytearray(make_zip([info], compression=zipfile.ZIP_STORED))
    # set bit 0 (encrypted) of the general purpose flags, in the local header (offset 6)
    # and in the central directory entry (offset 8 from its signature)
    data[6] |= 0x01
    cd = data.find(b"PK\x01\x02")
    data[cd + 8] |= 0x01
    with pytest.raises(ParseError, match="encrypted"):
        safe_unzip(bytes(data), CTX)


def test_too_many_members_are_refused():
    data = make_zip([(f"{i}.csv", CSV) for i in range(21)])
    with pytest.raises(ParseError, match="more than 20 members"):
        safe_unzip(data, CTX)
    assert len(safe_unzip(data, ParseContext(max_zip_members=21))) == 21


def test_nested_zip_is_refused_by_default_and_allowed_one_level():
    inner = make_zip([("inner.csv", CSV)])
    outer = make_zip([("inner.zip", inner)])
    with pytest.raises(ParseError, match="nested archive"):
        safe_unzip(outer, CTX)
    assert safe_unzip(outer, CTX, nested_levels=1) == [("inner.zip/inner.csv", CSV)]


def test_nesting_beyond_one_level_is_always_refused():
    level2 = make_zip([("deep.csv", CSV)])
    level1 = make_zip([("level2.zip", level2)])
    outer = make_zip([("level1.zip", level1)])
    with pytest.raises(ParseError, match="nested archive"):
        safe_unzip(outer, CTX, nested_levels=1)
    with pytest.raises(ValueError):
        safe_unzip(outer, CTX, nested_levels=2)


def test_archive_detected_by_content_not_name():
    inner = make_zip([("x.csv", CSV)])
    with pytest.raises(ParseError, match="nested archive"):
        safe_unzip(make_zip([("harmless.txt", inner)]), CTX)
    with pytest.raises(ParseError, match="nested archive"):
        safe_unzip(make_zip([("data.csv", gzip.compress(CSV))]), CTX)


def test_nested_members_share_the_member_budget():
    inner = make_zip([(f"{i}.csv", CSV) for i in range(15)])
    outer = make_zip([("a.zip", inner), ("b.zip", inner)])
    with pytest.raises(ParseError, match="members"):
        safe_unzip(outer, CTX, nested_levels=1)


def test_not_a_zip_and_truncated_zip():
    with pytest.raises(ParseError):
        safe_unzip(b"PK\x03\x04 this is not really a zip", CTX)
    good = make_zip([("a.csv", CSV * 100)])
    with pytest.raises(ParseError):
        safe_unzip(good[: len(good) // 2], CTX)


def test_gzip_roundtrip_and_multi_member():
    assert safe_gunzip(gzip.compress(CSV), CTX) == CSV
    assert safe_gunzip(gzip.compress(CSV) + gzip.compress(CSV), CTX) == CSV * 2


def test_gzip_bomb_is_refused():
    bomb = gzip.compress(b"\x00" * (50 * 1024 * 1024))
    with pytest.raises(ParseError, match="zip bomb|beyond"):
        safe_gunzip(bomb, CTX)


def test_gzip_byte_cap():
    data = gzip.compress(bytes(range(256)) * 1000)
    with pytest.raises(ParseError, match="beyond 10000 bytes"):
        safe_gunzip(data, ParseContext(max_unzipped_bytes=10_000))


def test_broken_and_truncated_gzip():
    data = gzip.compress(CSV * 50)
    with pytest.raises(ParseError, match="truncated"):
        safe_gunzip(data[:-20], CTX)
    with pytest.raises(ParseError, match="broken"):
        safe_gunzip(data[:10] + b"\xff" * 40, CTX)


def test_capped_gzip_reader_streams_and_caps():
    data = gzip.compress(CSV * 1000)
    assert CappedGzipReader(io.BytesIO(data), CTX).read() == CSV * 1000
    with pytest.raises(ParseError, match="beyond"):
        CappedGzipReader(io.BytesIO(data), ParseContext(max_unzipped_bytes=1000)).read()


def test_unpack_dispatches_on_magic_bytes():
    assert unpack(CSV, "a.csv", CTX) == [("a.csv", CSV)]
    assert unpack(gzip.compress(CSV), "a.csv.gz", CTX) == [("a.csv", CSV)]
    assert unpack(make_zip([("b.csv", CSV)]), "whatever.bin", CTX) == [("b.csv", CSV)]
