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
"""

from __future__ import annotations

import logging
import threading
import time
from array import array
from contextlib import closing
from datetime import datetime
from itertools import islice

import pytricia
from django.db import connection, transaction
from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save

from .matching import Holder
from .models import Assignment, Customer

log = logging.getLogger(__name__)

OPEN_END = 2**62  # valid_to of an assignment that is still held
FETCH = 5_000  # rows in memory at a time: more would stay resident as freed, fragmented heap


def _epoch_sql(column: str) -> str:
    # Epoch seconds computed by the database: converting a million datetimes
    # in Python would cost more than building the trie.
    if connection.vendor == "postgresql":
        # date_part's double is quicker to compute than EXTRACT's numeric.
        return f"FLOOR(date_part('epoch', {column}))::bigint"
    if connection.vendor == "sqlite":
        if connection.Database.sqlite_version_info >= (3, 38):
            return f"unixepoch({column})"  # no detour through text as strftime's
        return f"CAST(strftime('%s', {column}) AS INTEGER)"
    raise NotImplementedError(f"prefix index: unsupported database {connection.vendor}")


def _chunks(sql: str):
    """The rows of `sql`, FETCH at a time: a million rows are never all in memory."""
    if connection.vendor == "postgresql" and connection.Database.capabilities.has_stream_chunked():
        # Streamed in chunks (libpq 17 and later): the server sends the next
        # rows while these are indexed, where a server-side cursor would wait
        # for each FETCH. Closed explicitly: an unfinished stream keeps the
        # connection busy.
        with connection.cursor() as cursor, closing(cursor.stream(sql, size=FETCH)) as rows:
            while chunk := list(islice(rows, FETCH)):
                yield chunk
    else:
        # A server-side cursor on PostgreSQL.
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql)
            while chunk := cursor.fetchmany(FETCH):
                yield chunk


def table_version() -> tuple:
    row = Assignment.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    return (row["n"], row["latest"])


_NO_NEXT = array("q", [-1])  # times n: n slots without a next interval, in one step


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
        self.built_in = 0.0

    def __len__(self) -> int:
        return len(self.assignment)

    @classmethod
    def build(cls) -> PrefixIndex:
        started = time.monotonic()
        index = cls()
        index.version = table_version()
        sql = (f"SELECT prefix, {_epoch_sql('valid_from')}, COALESCE({_epoch_sql('valid_to')}, {OPEN_END}), id, "
               "customer_id, COALESCE(end_customer_id, 0) FROM network_assignment")
        with transaction.atomic():
            # Only a reseller's end customers have a parent: a small dict
            # instead of joining every assignment to its customer.
            parents = dict(Customer.objects.filter(parent__isnull=False).values_list("id", "parent_id"))
            for rows in _chunks(sql):
                index._add(rows, parents)
        index.built_in = time.monotonic() - started
        log.info("prefix index: %d assignments in %.1fs", len(index), index.built_in)
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
            _current = PrefixIndex.build()
            _dirty = False
        return _current


def invalidate(**_kwargs) -> None:
    """Changes made in this process are seen at once, even within one second."""
    global _dirty
    _dirty = True


post_save.connect(invalidate, sender=Assignment, dispatch_uid="prefix-index-save")
post_delete.connect(invalidate, sender=Assignment, dispatch_uid="prefix-index-delete")
