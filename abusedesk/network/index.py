"""An in-memory prefix index of every assignment, with its history.

Bulk matching (feeds with hundreds of thousands of rows) cannot ask the
database once per row. This index answers "who held this address at time t"
from memory: a pytricia trie per IP version maps each prefix to the head of
a chain of validity intervals, and the intervals live in flat typed arrays
(about 48 bytes per assignment instead of a Python object each).

Longest prefix wins, as in the database look-up: if the most specific prefix
had no holder at t, its parent prefixes are tried in turn.

The index is built once per process and rebuilt when the assignments table
changed: `current()` compares (row count, latest updated_at) with the
database, which catches inserts, updates and deletes by any process.

A build is saved in the database as a snapshot (IndexSnapshot: the flat
arrays and each prefix with the head of its chain), for the next process
that needs the same version: it loads in a fraction of the build's time
(the trie is filled again, the rest is copied). `abusedesk assignments
import` builds and saves it, so workers started after an import load it.
"""

from __future__ import annotations

import hashlib
import logging
import struct
import sys
import threading
import time
from array import array
from datetime import datetime

import pytricia
from django.db import DatabaseError, transaction
from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save

from abusedesk.lib import clock
from abusedesk.lib.bulk import batched, datetime_adapter

from .bulk import assignment_rows, save_snapshot_part, snapshot_parts
from .matching import Holder
from .models import Assignment, Customer, IndexSnapshot

log = logging.getLogger(__name__)

FETCH = 5_000  # rows in memory at a time: more would stay resident as freed, fragmented heap
SNAPSHOT_PART = 50_000  # prefixes per part of a snapshot (about 3 MiB)


def table_version() -> tuple:
    row = Assignment.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    return (row["n"], row["latest"])


_NO_NEXT = array("q", [-1])  # times n: n slots without a next interval, in one step
_ARRAYS = ("valid_from", "valid_to", "assignment", "customer", "end_customer", "next")
_HEADER = struct.Struct("<4sqqq")  # format, slots, IPv4 prefixes, IPv6 prefixes
_COUNT = struct.Struct("<q")  # prefixes in a part
_FORMAT = b"PIX1"


def _snapshot_version(version: tuple, parents: dict[int, int]) -> str:
    """What a snapshot must match: the table's version, the resellers of end
    customers (the index notifies the reseller) and how this machine stores ints."""
    family = hashlib.sha256(repr(sorted(parents.items())).encode()).hexdigest()[:16]
    count, latest = version
    return f"{count}|{latest.isoformat() if latest else '-'}|{family}|{sys.byteorder}|{_FORMAT.decode()}"


class PrefixIndex:
    def __init__(self):
        self.v4 = pytricia.PyTricia(32)
        self.v6 = pytricia.PyTricia(128)
        self.valid_from = array("q")
        self.valid_to = array("q")
        self.assignment = array("q")
        self.customer = array("q")
        self.end_customer = array("q")  # 0: none
        self.next = array("q")  # next interval of the same prefix, -1: none
        self.version: tuple = ()
        self.how = ""  # "built" or "loaded" (from the snapshot)
        self.built_in = 0.0

    def __len__(self) -> int:
        return len(self.assignment)

    @classmethod
    def build(cls, *, snapshot: bool = True, from_table: bool = False) -> PrefixIndex:
        """The index of the assignments table: loaded from its snapshot if there is
        one of the table's version (unless `from_table`), else built from the
        table and, with `snapshot`, saved as the snapshot for the next process."""
        started = time.monotonic()
        with transaction.atomic():
            version = table_version()
            # Only a reseller's end customers have a parent: a small dict
            # instead of joining every assignment to its customer.
            parents = dict(Customer.objects.filter(parent__isnull=False).values_list("id", "parent_id"))
            key = _snapshot_version(version, parents)
            index = cls._load(key) if snapshot and not from_table else None
            how = "loaded"
            if index is None:
                index, how = cls._from_table(parents), "built"
                if snapshot:
                    try:
                        with transaction.atomic():
                            index._save(key)
                    except DatabaseError:  # the index itself is fine; the next process builds too
                        log.warning("prefix index: snapshot not saved", exc_info=True)
        index.version, index.how = version, how
        index.built_in = time.monotonic() - started
        log.info("prefix index: %d assignments %s in %.1fs", len(index), how, index.built_in)
        return index

    @classmethod
    def _from_table(cls, parents: dict[int, int]) -> PrefixIndex:
        index = cls()
        for rows in assignment_rows(FETCH):
            index._add(rows, parents)
        return index

    def _save(self, key: str) -> None:
        """Store the index as the snapshot of version `key`, the only one kept:
        a header, the flat arrays, then the prefixes with the heads of their
        chains, in parts (never the whole snapshot in memory)."""
        # Replaced even for the same version: a rebuild forced by a change within
        # the same second (invalidate()) must not leave the stale one behind.
        IndexSnapshot.objects.all().delete()
        now = datetime_adapter()(clock.now())
        for seq, (kind, data) in enumerate(self._snapshot_parts()):
            save_snapshot_part(key, seq, kind, now, data)

    def _snapshot_parts(self):
        """(kind, bytes) of each part, in order, made as they are written."""
        yield "header", _HEADER.pack(_FORMAT, len(self), len(self.v4), len(self.v6))
        for name in _ARRAYS:
            yield name, getattr(self, name).tobytes()
        for kind, trie in (("v4", self.v4), ("v6", self.v6)):
            for prefixes in batched(trie, SNAPSHOT_PART):
                heads = array("q", [trie[p] for p in prefixes])
                yield kind, _COUNT.pack(len(prefixes)) + heads.tobytes() + "\n".join(prefixes).encode("ascii")

    @classmethod
    def _load(cls, key: str) -> PrefixIndex | None:
        """The snapshot of version `key`, or None if there is none (or only part of one:
        a concurrent save replaced it while it was read)."""
        parts = snapshot_parts(key)
        first = next(parts, None)
        if first is None or first[0] != "header":
            return None
        form, slots, n4, n6 = _HEADER.unpack(first[1])
        if form != _FORMAT:
            return None
        index = cls()
        tries = {"v4": index.v4, "v6": index.v6}
        for kind, data in parts:
            if kind in tries:
                trie, view = tries[kind], memoryview(data)
                (count,) = _COUNT.unpack_from(view)
                heads = array("q")
                heads.frombytes(view[_COUNT.size:_COUNT.size + 8 * count])
                prefixes = bytes(view[_COUNT.size + 8 * count:]).decode("ascii").split("\n")
                for prefix, slot in zip(prefixes, heads, strict=True):
                    trie[prefix] = slot
            elif kind in _ARRAYS:
                getattr(index, kind).frombytes(data)
        complete = all(len(getattr(index, name)) == slots for name in _ARRAYS)
        if not complete or (len(index.v4), len(index.v6)) != (n4, n6):
            return None
        return index

    def _add(self, rows: list[tuple], parents: dict[int, int]) -> None:
        """Rows of (prefix, valid_from, valid_to, id, customer_id, end_customer_id)."""
        # Column by column: a list comprehension and fromlist() per array cost
        # a fraction of six append() calls per row.
        start = len(self.assignment)
        self.valid_from.fromlist([row[1] for row in rows])
        self.valid_to.fromlist([row[2] for row in rows])
        self.assignment.fromlist([row[3] for row in rows])
        customers = [row[4] for row in rows]
        ends = [row[5] for row in rows]
        if parents:
            for i, cid in enumerate(customers):
                if cid in parents:  # recorded on an end customer: its reseller is notified
                    customers[i], ends[i] = parents[cid], cid
        self.customer.fromlist(customers)
        self.end_customer.fromlist(ends)
        nxt = self.next
        nxt.extend(_NO_NEXT * len(rows))
        v4, v6 = self.v4, self.v6
        for slot, row in enumerate(rows, start):
            prefix = row[0]
            trie = v6 if ":" in prefix else v4
            if trie.has_key(prefix):  # an earlier interval of the same prefix
                nxt[slot] = trie[prefix]
            trie[prefix] = slot

    def lookup_slot(self, ip: str, at: int) -> int:
        """The interval slot holding `ip` at epoch second `at`, or -1."""
        trie = self.v6 if ":" in ip else self.v4
        try:
            slot = trie.get(ip, -1)  # the chain of the most specific prefix
        except (ValueError, TypeError):
            return -1
        valid_from, valid_to, nxt = self.valid_from, self.valid_to, self.next
        key = None
        while slot >= 0:
            if valid_from[slot] <= at < valid_to[slot]:
                return slot
            slot = nxt[slot]
            if slot < 0:
                # No holder at `at`: the parent prefix's chain (found by key,
                # which only this rarer path needs).
                key = trie.parent(key or trie.get_key(ip))
                slot = -1 if key is None else trie[key]
        return -1

    def lookup(self, ip: str, at: datetime) -> Holder | None:
        slot = self.lookup_slot(ip, int(at.timestamp()))
        if slot < 0:
            return None
        return Holder(self.assignment[slot], self.customer[slot], self.end_customer[slot] or None)


_lock = threading.Lock()
_current: PrefixIndex | None = None
_dirty = False


def current() -> PrefixIndex:
    """The process's index, rebuilt first if the assignments table changed."""
    global _current, _dirty
    with _lock:
        if _current is None or _dirty or _current.version != table_version():
            _current = None  # let the old one go before the new one is built
            # Changed in this process, perhaps within the same second (the same
            # version): the snapshot may be stale, the table is not.
            _current = PrefixIndex.build(from_table=_dirty)
            _dirty = False
        return _current


def invalidate(**_kwargs) -> None:
    """Changes made in this process are seen at once, even within one second."""
    global _dirty
    _dirty = True


post_save.connect(invalidate, sender=Assignment, dispatch_uid="prefix-index-save")
post_delete.connect(invalidate, sender=Assignment, dispatch_uid="prefix-index-delete")
