"""Unpack attachments safely: zip and gzip, under the limits of ParseContext.

Archives in abuse mail are attacker-controlled. Everything here assumes the
worst: a header's declared sizes are never trusted (we count the bytes we
actually inflate and stop at the cap), member names are checked before any
use, and an archive inside an archive is refused unless the caller allows
exactly one more level. Nothing is ever written to disk.
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
import zlib

from .base import ParseContext, ParseError

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
GZIP_MAGIC = b"\x1f\x8b"

CHUNK = 64 * 1024
# Ratio checks only apply once a member has inflated past this size: a tiny,
# very repetitive file is harmless, a bomb is about volume.
RATIO_FLOOR = 1024 * 1024

_DRIVE = re.compile(r"^[A-Za-z]:")


def is_zip(data: bytes) -> bool:
    return data[:4] in (ZIP_MAGIC, EMPTY_ZIP_MAGIC)


def is_gzip(data: bytes) -> bool:
    return data[:2] == GZIP_MAGIC


def is_archive(data: bytes) -> bool:
    return is_zip(data) or is_gzip(data)


class _Budget:
    """What is left to spend across one archive and everything inside it."""

    def __init__(self, context: ParseContext):
        self.context = context
        self.bytes_left = context.max_unzipped_bytes
        self.members_left = context.max_zip_members

    def take_member(self) -> None:
        self.members_left -= 1
        if self.members_left < 0:
            raise ParseError(f"archive has more than {self.context.max_zip_members} members")

    def check(self, produced: int, compressed: int, name: str) -> None:
        """Called after each inflated chunk with running totals for one member."""
        if produced > self.bytes_left:
            raise ParseError(
                f"archive inflates beyond {self.context.max_unzipped_bytes} bytes (at member {name!r})"
            )
        if produced > RATIO_FLOOR and produced > max(compressed, 1) * self.context.max_zip_ratio:
            raise ParseError(
                f"member {name!r} inflates more than {self.context.max_zip_ratio}x: zip bomb refused"
            )

    def spend(self, produced: int) -> None:
        self.bytes_left -= produced


def check_member_name(name: str) -> None:
    """Refuse names that could escape a directory if anyone ever extracted them."""
    if not name or "\x00" in name:
        raise ParseError("archive member with an empty or NUL name")
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        raise ParseError(f"archive member with an absolute path: {name!r}")
    parts = re.split(r"[/\\]", name)
    if ".." in parts:
        raise ParseError(f"archive member with path traversal: {name!r}")


def safe_unzip(data: bytes, context: ParseContext, *, nested_levels: int = 0) -> list[tuple[str, bytes]]:
    """Return [(member name, bytes)] of a zip's regular files, or raise ParseError.

    `nested_levels=1` expands a zip or gzip found inside the zip once (its
    members are returned as "outer.zip/inner.csv"); deeper nesting is always
    refused. All levels share one byte and member budget.
    """
    if nested_levels not in (0, 1):
        raise ValueError("nested_levels must be 0 or 1")
    return _unzip(data, _Budget(context), nested_levels, prefix="")


def safe_gunzip(data: bytes, context: ParseContext) -> bytes:
    """Inflate a gzip blob (all concatenated members) under the same byte cap."""
    return _gunzip(data, _Budget(context), name="(gzip)")


def unpack(data: bytes, filename: str | None, context: ParseContext) -> list[tuple[str, bytes]]:
    """Zip, gzip or plain: always [(name, bytes)]. Archives are recognised by
    their magic bytes, not by a name the sender chose."""
    name = filename or ""
    if is_zip(data):
        return safe_unzip(data, context)
    if is_gzip(data):
        inner = name[:-3] if name.lower().endswith(".gz") else name
        return [(inner, safe_gunzip(data, context))]
    return [(name, data)]


def _unzip(data: bytes, budget: _Budget, nested_levels: int, prefix: str) -> list[tuple[str, bytes]]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ParseError(f"not a readable zip archive: {exc}") from None
    out: list[tuple[str, bytes]] = []
    with zf:
        infos = zf.infolist()
        # Count before reading anything: a central directory with a million
        # entries is refused without touching them.
        if len(infos) > budget.members_left:
            raise ParseError(f"archive has more than {budget.context.max_zip_members} members")
        for info in infos:
            name = info.filename
            check_member_name(name)
            budget.take_member()
            if info.is_dir():
                continue
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise ParseError(f"archive member is a symlink: {name!r}")
            if info.flag_bits & 0x1:
                raise ParseError(f"archive member is encrypted: {name!r}")
            content = _read_member(zf, info, budget)
            full = prefix + name
            if is_archive(content):
                if nested_levels <= 0:
                    raise ParseError(f"nested archive refused: {full!r}")
                if is_zip(content):
                    out.extend(_unzip(content, budget, nested_levels - 1, prefix=full + "/"))
                else:
                    inner = _gunzip(content, budget, name=full)
                    if is_archive(inner):
                        raise ParseError(f"nested archive refused: {full!r}")
                    out.append((full[:-3] if full.lower().endswith(".gz") else full, inner))
                continue
            out.append((full, content))
    return out


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> bytes:
    buf = bytearray()
    try:
        with zf.open(info) as fh:
            while True:
                chunk = fh.read(CHUNK)
                if not chunk:
                    break
                buf += chunk
                budget.check(len(buf), info.compress_size, info.filename)
    except ParseError:
        raise
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError, zlib.error) as exc:
        # Unsupported compression, bad CRC, truncated data, a password needed.
        raise ParseError(f"cannot read archive member {info.filename!r}: {exc}") from None
    budget.spend(len(buf))
    return bytes(buf)


def _gunzip(data: bytes, budget: _Budget, name: str) -> bytes:
    out = bytearray()
    rest = data
    # A gzip file may hold several members back to back; each needs a fresh
    # decompressor. max_length bounds every step, so memory stays within the cap.
    while rest:
        d = zlib.decompressobj(wbits=31)
        pending = rest
        try:
            while True:
                room = budget.bytes_left - len(out) + 1
                chunk = d.decompress(pending, max(1, min(CHUNK, room)))
                out += chunk
                budget.check(len(out), len(data), name)
                pending = d.unconsumed_tail
                if d.eof or (not pending and not chunk):
                    break
        except zlib.error as exc:
            raise ParseError(f"broken gzip data in {name!r}: {exc}") from None
        if not d.eof:
            raise ParseError(f"truncated gzip data in {name!r}")
        rest = d.unused_data
        # Trailing zero padding after the last member is common and harmless.
        if rest and not rest.startswith(GZIP_MAGIC):
            break
    budget.spend(len(out))
    return bytes(out)


class CappedGzipReader(io.RawIOBase):
    """A readable gzip stream that raises ParseError once it has produced more
    than the cap: for streaming large gzipped reports without holding them."""

    def __init__(self, raw, context: ParseContext, name: str = "(gzip)"):
        self._raw = raw
        self._budget = _Budget(context)
        self._name = name
        self._d = zlib.decompressobj(wbits=31)
        self._pending = b""
        self._produced = 0
        self._consumed = 0
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        if self._done:
            return 0
        want = len(b)
        while True:
            if not self._pending:
                self._pending = self._raw.read(CHUNK)
                self._consumed += len(self._pending)
                if not self._pending:
                    if not self._d.eof:
                        raise ParseError(f"truncated gzip data in {self._name!r}")
                    self._done = True
                    return 0
            try:
                chunk = self._d.decompress(self._pending, want)
            except zlib.error as exc:
                raise ParseError(f"broken gzip data in {self._name!r}: {exc}") from None
            self._pending = self._d.unconsumed_tail
            if self._d.eof:
                rest = self._d.unused_data
                if rest.startswith(GZIP_MAGIC):
                    # next member of a multi-member gzip
                    self._d = zlib.decompressobj(wbits=31)
                    self._pending = rest
                elif not chunk:
                    self._done = True
                    return 0
            if chunk:
                self._produced += len(chunk)
                self._budget.check(self._produced, self._consumed, self._name)
                b[: len(chunk)] = chunk
                return len(chunk)
