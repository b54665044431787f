"""Load IP assignments from CSV: `prefix,customer,valid_from,valid_to`.

- A customer reference we do not know is created (name = reference, in the
  default entity); staff complete it later.
- Re-importing the same file changes nothing.
- A row that gives a prefix to someone else from a later date closes the
  interval that was open at that date (history is kept, never rewritten).
- A row that would overlap another holder's interval any other way is
  rejected with its line number: overlapping assignments of one prefix would
  make "who held it then" ambiguous.

Rows are read, checked and written in chunks (one transaction each), so a
million prefixes need neither a million queries nor a million objects.
"""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from socket import AF_INET, inet_pton

from django.conf import settings
from django.db import transaction

from abusedesk.lib import clock
from abusedesk.lib.bulk import Inserter
from abusedesk.lib.ipaddr import prefix_columns

from .bulk import close_assignments
from .models import Assignment, Customer, Entity
from .signals import assignments_changed

CHUNK = 10_000
MAX_ERRORS_KEPT = 100


class MissingEntity(Exception):
    """Customers must be created and there is no entity to create them in."""


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    closed: int = 0
    updated: int = 0
    customers_created: int = 0
    rejected: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def error(self, line: int, text: str) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(f"line {line}: {text}")


@dataclass(slots=True)
class _Interval:
    id: int | None  # None: inserted by this chunk
    customer_id: int
    valid_from: datetime
    valid_to: datetime | None
    changed: bool = False


@dataclass(slots=True)
class _Row:
    line: int
    prefix: str
    version: int
    length: int
    first_hex: str
    last_hex: str
    customer: str
    valid_from: datetime | None
    valid_to: datetime | None


_DT_CACHE: dict[str, datetime] = {}


def parse_time(text: str) -> datetime | None:
    """ISO 8601 date or date-time; without a zone it is UTC. Empty: None."""
    text = text.strip()
    if not text:
        return None
    dt = _DT_CACHE.get(text)
    if dt is None:
        value = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
        dt = datetime.fromisoformat(value)  # ValueError for garbage
        dt = dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
        if len(_DT_CACHE) > 100_000:
            _DT_CACHE.clear()
        _DT_CACHE[text] = dt
    return dt


def _ends_after(a_to, b_to) -> bool:
    """True if an interval ending at a_to lasts at least as long as one ending at b_to (None: open)."""
    return a_to is None or (b_to is not None and a_to >= b_to)


def parse_prefix(text: str) -> tuple[str, int, int, str, str]:
    """(prefix, version, length, first_hex, last_hex); host bits set are an error.

    IPv4 (most rows) is parsed with inet_pton, five times faster than the
    ipaddress module; IPv6 goes through ipaddress for its canonical text."""
    address, sep, length_text = text.partition("/")
    if ":" not in address:
        try:
            value = int.from_bytes(inet_pton(AF_INET, address), "big")
        except OSError:
            raise ValueError("not an IPv4 address") from None
        length = int(length_text) if sep else 32
        if not (length_text.isdigit() or not sep) or not 0 <= length <= 32:
            raise ValueError("bad prefix length")
        host = (1 << (32 - length)) - 1
        if value & host:
            raise ValueError("has host bits set")
        return f"{address}/{length}", 4, length, f"{value:08x}", f"{value | host:08x}"
    return prefix_columns(text)


def _overlaps(a_from, a_to, b_from, b_to) -> bool:
    return (a_to is None or b_from < a_to) and (b_to is None or a_from < b_to)


class Importer:
    def __init__(self, *, entity: Entity | None = None, now: datetime | None = None):
        self.now = now or clock.now()
        self.entity = entity
        self.result = ImportResult()
        self.customers: dict[str, int] = dict(Customer.objects.values_list("reference", "id"))
        self.inserter = Inserter(
            Assignment,
            ["prefix", "version", "prefix_length", "first_hex", "last_hex", "customer_id", "service_ref",
             "valid_from", "valid_to", "created_at", "updated_at"],
        )

    # -- reading

    def run(self, stream, progress=None) -> ImportResult:
        """Import from a binary stream; `progress(bytes_read, rows_read)` is called per chunk."""
        started = time.monotonic()
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
        reader = csv.reader(text)
        chunk: list[_Row] = []
        line = 0
        for record in reader:
            line += 1
            if not record or not any(c.strip() for c in record) or record[0].lstrip().startswith("#"):
                continue
            if line == 1 and record[0].strip().lower() == "prefix":
                continue  # header
            self.result.rows += 1
            row = self._parse(line, record)
            if row is not None:
                chunk.append(row)
            if len(chunk) >= CHUNK:
                self._write_chunk(chunk)
                chunk = []
                if progress:
                    progress(_position(stream), self.result.rows)
        if chunk:
            self._write_chunk(chunk)
        if progress:
            progress(_position(stream), self.result.rows)
        self.result.seconds = round(time.monotonic() - started, 2)
        if self.result.created or self.result.closed or self.result.updated:
            assignments_changed.send(sender=Assignment, source="import")
        return self.result

    def _parse(self, line: int, record: list[str]) -> _Row | None:
        if len(record) < 2:
            self.result.error(line, "expected prefix,customer,valid_from,valid_to")
            return None
        prefix, customer = record[0].strip(), record[1].strip()
        if not customer or len(customer) > 100:
            self.result.error(line, "missing or too long customer reference")
            return None
        try:
            parsed = parse_prefix(prefix)
        except ValueError as exc:
            self.result.error(line, f"bad prefix {prefix[:50]!r}: {exc}")
            return None
        try:
            vf = parse_time(record[2]) if len(record) > 2 else None
            vt = parse_time(record[3]) if len(record) > 3 else None
        except ValueError:
            self.result.error(line, "bad valid_from/valid_to (ISO 8601 expected)")
            return None
        if vf is not None and vt is not None and vt <= vf:
            self.result.error(line, "valid_to must be after valid_from")
            return None
        return _Row(line, *parsed, customer, vf, vt)

    # -- writing

    def _customer_ids(self, rows: list[_Row]) -> None:
        unknown = {r.customer for r in rows if r.customer not in self.customers}
        if not unknown:
            return
        entity = self.entity or _default_entity()
        Inserter(Customer, ["entity_id", "reference", "name", "is_reseller", "abuse_email", "main_email",
                            "language", "timezone", "state", "created_at"], ignore_conflicts=True).insert(
            (entity.pk, ref, ref, False, "", "", "en", entity.timezone, Customer.State.ACTIVE, self.now)
            for ref in sorted(unknown)
        )
        self.customers.update(Customer.objects.filter(reference__in=unknown).values_list("reference", "id"))
        self.result.customers_created += len(unknown)

    def _write_chunk(self, rows: list[_Row]) -> None:
        with transaction.atomic():
            self._customer_ids(rows)
            existing: dict[str, list[_Interval]] = {}
            prefixes = list({r.prefix for r in rows})
            for i in range(0, len(prefixes), 2000):
                for aid, prefix, cid, vf, vt in Assignment.objects.filter(prefix__in=prefixes[i:i + 2000]).values_list(
                    "id", "prefix", "customer_id", "valid_from", "valid_to"
                ):
                    existing.setdefault(prefix, []).append(_Interval(aid, cid, vf, vt))
            new: list[tuple[_Row, _Interval]] = []
            for row in rows:
                self._apply(row, existing.setdefault(row.prefix, []), new)
            updates = [(iv.valid_to, iv.id) for ivs in existing.values() for iv in ivs if iv.changed and iv.id]
            if updates:
                close_assignments(updates, self.now)
            self.inserter.insert(
                (r.prefix, r.version, r.length, r.first_hex, r.last_hex, iv.customer_id, "", iv.valid_from,
                 iv.valid_to, self.now, self.now)
                for r, iv in new
            )

    def _apply(self, row: _Row, intervals: list[_Interval], new: list) -> None:
        cid = self.customers[row.customer]
        vf, vt = row.valid_from, row.valid_to
        if vf is None:
            # No start date: "this customer holds it now". Already so: nothing to do.
            held = next((iv for iv in intervals if iv.valid_to is None), None)
            if held is not None and held.customer_id == cid and vt is None:
                self.result.unchanged += 1
                return
            vf = self.now
        same = next((iv for iv in intervals if iv.valid_from == vf and iv.customer_id == cid), None)
        if same is not None:
            if same.valid_to == vt:
                self.result.unchanged += 1
                return
            others = [iv for iv in intervals if iv is not same and _overlaps(vf, vt, iv.valid_from, iv.valid_to)]
            if others:
                self.result.error(row.line, f"{row.prefix} would overlap an interval from {others[0].valid_from:%Y-%m-%d}")
                return
            same.valid_to, same.changed = vt, True
            self.result.updated += 1
            return
        overlapping = [iv for iv in intervals if _overlaps(vf, vt, iv.valid_from, iv.valid_to)]
        if (len(overlapping) == 1 and overlapping[0].customer_id == cid and overlapping[0].valid_from <= vf
                and _ends_after(overlapping[0].valid_to, vt)):
            self.result.unchanged += 1  # already held by this customer for the whole period
            return
        # Only an interval that began earlier and ends within this one can be
        # closed; anything else would rewrite history, so the row is rejected.
        blocking = [iv for iv in overlapping if iv.valid_from >= vf or not _ends_after(vt, iv.valid_to)]
        if blocking:
            iv = blocking[0]
            until = f" to {iv.valid_to:%Y-%m-%d %H:%M}" if iv.valid_to else ""
            self.result.error(row.line, f"{row.prefix} overlaps its assignment from {iv.valid_from:%Y-%m-%d %H:%M}"
                                        f"{until}")
            return
        for iv in overlapping:
            # Held by someone (else) since before: that interval ends where this one starts.
            iv.valid_to, iv.changed = vf, True
            self.result.closed += 1
        interval = _Interval(None, cid, vf, vt)
        intervals.append(interval)
        new.append((row, interval))
        self.result.created += 1


def _position(stream) -> int:
    try:
        return stream.tell()
    except (OSError, ValueError):
        return 0


def _default_entity() -> Entity:
    entity = Entity.objects.filter(code=settings.DEFAULT_ENTITY).first() or Entity.objects.order_by("id").first()
    if entity is None:
        raise MissingEntity(f"no entity to create customers in: create one first "
                            f"(abusedesk entities add {settings.DEFAULT_ENTITY} --name ... --abuse-email ... "
                            f"--jurisdiction ...), or name one with --entity")
    return entity


def import_assignments(path, progress=None, **kwargs) -> ImportResult:
    with open(path, "rb") as stream:
        return Importer(**kwargs).run(stream, progress)
